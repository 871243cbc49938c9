#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# svffd scale benchmark: init time and RSS for 4, 64 and 252 VFs.
#   tests/bench/svffd-scale.sh [build-dir]
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
prefix=${SVFF_DPDK_PREFIX:-/opt/svff/dpdk-22.11.11}
SVFF_BUILD_ROOT=$build SVFF_SOURCE_ROOT=$top SVFF_DPDK_BIN=$prefix/bin \
	exec python3 "$top/tests/bench/svffd-scale.py"
