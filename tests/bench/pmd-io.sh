#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Benchmark: testpmd io-fwd cycles/packet, QDMA PMD (emulated loopback) vs
# net_null, same run.  Run as root after usertools/svff-quickstart build.
#   tests/bench/pmd-io.sh            (SVFF_BENCH_SECS=10 by default)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
prefix=$(ls -d /opt/svff/dpdk-* | head -n1)
export SVFF_DPDK_PREFIX=${SVFF_DPDK_PREFIX:-$prefix}
export SVFF_BUILD_ROOT=${SVFF_BUILD_ROOT:-$top/build}
export SVFF_SOURCE_ROOT=$top
export SVFF_DPDK_BIN=$SVFF_DPDK_PREFIX/bin
exec python3 "$top/tests/bench/pmd-io.py" "$@"
