#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Benchmark: a VF of svffd's emulated card in a real VM (TCG guest under
# libvirtd).  Prints, over N rounds on the same guest (default 3): attach
# latency (/svff/attach call -> the guest's PMD is up), attach to traffic,
# detach (call -> the guest saw the device go), detach -> re-attach gap (last
# packet before -> first packet after), and the pause gap when svffd has
# /svff/pause.  Root; usage: tests/bench/vm-attach.sh [BUILD_DIR] [ROUNDS]
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
exec "$top/usertools/svff-vm-demo" --build "${1:-$top/build}" --rounds "${2:-3}"
