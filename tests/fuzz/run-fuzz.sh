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
inc=(-Idrivers/net/qdma -Idrivers/net/qdma/include -Ilib/qdma_hw -Ilib/vslot -Ilib/qdma_sim)
libdir=$(pkg-config --variable=libdir libdpdk)
cflags=(-std=gnu11 -O1 -g -fno-sanitize-recover=undefined -D_GNU_SOURCE -DALLOW_EXPERIMENTAL_API
	-DALLOW_INTERNAL_API -DSVFF_VERSION='"fuzz"' -Wno-unused-command-line-argument "${inc[@]}")
# The PF's service (the PMD) gets coverage feedback; the harness, the card and the slot are
# the test bench: sanitized, without coverage instrumentation (it would only slow them down).
mkdir -p "$out/obj"
: >"$out/build.log"
compile() {   # compile <coverage|bench> <source>: two at a time
	local san=address,undefined o
	[ "$1" = coverage ] && san=fuzzer-no-link,address,undefined
	o="$out/obj/$(echo "$2" | tr / _).o"
	built+=("$o")
	# shellcheck disable=SC2046
	clang "${cflags[@]}" -fsanitize="$san" $(pkg-config --cflags libdpdk) -c "$2" -o "$o" \
		>>"$out/build.log" 2>&1 &
	if [ "$(jobs -rp | wc -l)" -ge "${SVFF_FUZZ_BUILD_JOBS:-2}" ]; then
		wait -n || fail=1
	fi
}
built=()
fail=0
for s in drivers/net/qdma/*.c; do compile coverage "$s"; done
for s in tests/fuzz/fuzz_mbox.c lib/qdma_hw/*.c lib/vslot/*.c lib/qdma_sim/*.c; do
	compile bench "$s"
done
while [ "$(jobs -rp | wc -l)" -gt 0 ]; do wait -n || fail=1; done
# shellcheck disable=SC2046
[ "$fail" = 0 ] && clang -fsanitize=fuzzer,address,undefined "${built[@]}" -o "$out/fuzz_mbox" \
	$(pkg-config --libs libdpdk) -L"$libdir" -lrte_bus_vdev -lrte_bus_pci \
	-Wl,-rpath,"$libdir" -lpthread >>"$out/build.log" 2>&1 || fail=1
if [ "$fail" != 0 ]; then
	tail -n 30 "$out/build.log" >&2
	echo "not ok - fuzz_mbox: build failed"
	exit 1
fi

log="$out/fuzz.log"
rc=0
jobs=()
if [ "${SVFF_FUZZ_JOBS:-1}" -gt 1 ]; then
	jobs=(-jobs="$SVFF_FUZZ_JOBS" -workers="$SVFF_FUZZ_JOBS")
fi
# CPU time too: on a shared machine the wall-clock rate says little about the target's speed
TIMEFORMAT='%U %S'
{ time ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	"$out/fuzz_mbox" -max_total_time="$secs" -max_len=129 -timeout=10 -rss_limit_mb=4096 \
	"${jobs[@]}" \
	-artifact_prefix="$out/" "$out/corpus" tests/fuzz/corpus >"$log" 2>&1; } 2>"$out/cpu" || rc=$?
runs=$(grep -o 'Done [0-9]* runs' "$log" | tail -n1 || true)
rate=$(grep -o 'exec/s: [0-9]*' "$log" | tail -n1 | grep -o '[0-9]*' || true)
n=$(echo "$runs" | grep -o '[0-9]*' || true)
cpu_rate=$(awk -v n="${n:-0}" '{ c = $1 + $2; if (c > 0 && n > 0) printf "%d", n / c }' \
	"$out/cpu" 2>/dev/null || true)
if [ "$rc" -ne 0 ] || grep -q 'ISOLATION VIOLATION\|ERROR: AddressSanitizer\|runtime error' "$log"; then
	grep -B2 -A20 'ISOLATION VIOLATION\|ERROR: AddressSanitizer\|runtime error\|==ERROR' "$log" | head -n 60 >&2 || tail -n 40 "$log" >&2
	echo "not ok - fuzz_mbox (${secs}s): see $log"
	exit 1
fi
echo "ok - fuzz_mbox (${secs}s, ${runs:-? runs}, ${rate:-?} inputs/s wall clock," \
	"${cpu_rate:-?} inputs per CPU second, corpus $(ls "$out/corpus" | wc -l) inputs)"
