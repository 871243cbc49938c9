#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Run the emulated-card ST loopback benchmark (not a test).
#   tests/bench/sim-loopback.sh [build-dir] [seconds-per-case]
BUILD=${1:-build}
SECS=${2:-3}
exec "$BUILD/tests/sim/bench-sim-loopback" "$SECS"
