#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Build the mailbox fuzz target with clang (libFuzzer + ASan + UBSan) and run
# it for a bounded time.
#
#   tests/fuzz/run-fuzz.sh [SECONDS]          default 60 (what CI runs)
#   tests/fuzz/run-fuzz.sh 3600               an hour
#   SVFF_FUZZ_JOBS=2 tests/fuzz/run-fuzz.sh 600   two fuzzing processes
#
# Seeds: tests/fuzz/corpus/ (kept in git).  New inputs go to
# build-fuzz/corpus/; a crash leaves build-fuzz/crash-* and fails the run.
# Prints "ok - fuzz_mbox ..." or "not ok - ..." and exits non-zero on failure.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-60}
out=${SVFF_FUZZ_DIR:-$top/build-fuzz}
mkdir -p "$out/corpus"
cd "$top"

if ! pkg-config --exists libdpdk; then
	pc=
	for d in ${SVFF_DPDK_PREFIX:-/opt/svff/dpdk-*}; do
		[ -f "$d/lib/pkgconfig/libdpdk.pc" ] && pc=$d/lib/pkgconfig && break
	done
	[ -n "$pc" ] || { echo "not ok - fuzz_mbox: DPDK not found (run usertools/svff-quickstart setup)"; exit 1; }
	export PKG_CONFIG_PATH="$pc${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
fi
srcs=(tests/fuzz/fuzz_mbox.c drivers/net/qdma/*.c lib/qdma_hw/*.c lib/vslot/*.c lib/qdma_sim/*.c)
inc=(-Idrivers/net/qdma -Idrivers/net/qdma/include -Ilib/qdma_hw -Ilib/vslot -Ilib/qdma_sim)
libdir=$(pkg-config --variable=libdir libdpdk)
# shellcheck disable=SC2046
clang -std=gnu11 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-D_GNU_SOURCE -DALLOW_EXPERIMENTAL_API -DALLOW_INTERNAL_API -DSVFF_VERSION='"fuzz"' \
	-Wno-unused-command-line-argument \
	"${inc[@]}" $(pkg-config --cflags libdpdk) "${srcs[@]}" \
	-o "$out/fuzz_mbox" $(pkg-config --libs libdpdk) \
	-L"$libdir" -lrte_bus_vdev -lrte_bus_pci -Wl,-rpath,"$libdir" -lpthread \
	>"$out/build.log" 2>&1 || { tail -n 30 "$out/build.log" >&2; echo "not ok - fuzz_mbox: build failed"; exit 1; }

log="$out/fuzz.log"
rc=0
jobs=()
if [ "${SVFF_FUZZ_JOBS:-1}" -gt 1 ]; then
	jobs=(-jobs="$SVFF_FUZZ_JOBS" -workers="$SVFF_FUZZ_JOBS")
fi
ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	"$out/fuzz_mbox" -max_total_time="$secs" -max_len=129 -timeout=10 -rss_limit_mb=4096 \
	"${jobs[@]}" \
	-artifact_prefix="$out/" "$out/corpus" tests/fuzz/corpus >"$log" 2>&1 || rc=$?
runs=$(grep -o 'Done [0-9]* runs' "$log" | tail -n1 || true)
if [ "$rc" -ne 0 ] || grep -q 'ISOLATION VIOLATION\|ERROR: AddressSanitizer\|runtime error' "$log"; then
	grep -B2 -A20 'ISOLATION VIOLATION\|ERROR: AddressSanitizer\|runtime error\|==ERROR' "$log" | head -n 60 >&2 || tail -n 40 "$log" >&2
	echo "not ok - fuzz_mbox (${secs}s): see $log"
	exit 1
fi
echo "ok - fuzz_mbox (${secs}s, ${runs:-? runs}, corpus $(ls "$out/corpus" | wc -l) inputs)"
