#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Build the fuzz targets with clang (libFuzzer + ASan + UBSan) and run each for
# its share of a bounded time:
#   fuzz_mbox  mailbox messages into the PF's VF-message service (seeds tests/fuzz/corpus/)
#   fuzz_slot  the slot's socket protocol, frames with and without fds (tests/fuzz/corpus-slot/)
#   fuzz_mbox_validate  the VF-message validator of lib/qdma_hw alone
#              (tests/fuzz/corpus-validate/)
#
#   tests/fuzz/run-fuzz.sh [SECONDS]          default 60 in all (what CI runs)
#   tests/fuzz/run-fuzz.sh 3600               an hour
#   SVFF_FUZZ_JOBS=2 tests/fuzz/run-fuzz.sh 600   two fuzzing processes per target
#   SVFF_FUZZ_TARGETS=fuzz_slot SVFF_FUZZ_RUNS=10000000 tests/fuzz/run-fuzz.sh
#                                             one target, 10^7 inputs (no time bound)
#
# New inputs go to build-fuzz/corpus*/; a crash leaves build-fuzz/crash-* and fails the run.
# Prints "ok - <target> ..." (with inputs/s) or "not ok - ..." per target and exits non-zero
# on failure.
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
targets=${SVFF_FUZZ_TARGETS:-fuzz_mbox fuzz_slot fuzz_mbox_validate}
mkdir -p "$out/corpus-slot" "$out/corpus-validate"
inc=(-Idrivers/net/qdma -Idrivers/net/qdma/include -Ilib/qdma_hw -Ilib/vslot -Ilib/qdma_sim)
libdir=$(pkg-config --variable=libdir libdpdk)
cflags=(-std=gnu11 -O1 -g -fno-sanitize-recover=undefined -D_GNU_SOURCE -DALLOW_EXPERIMENTAL_API
	-DALLOW_INTERNAL_API -DSVFF_VERSION='"fuzz"' -Wno-unused-command-line-argument "${inc[@]}")
# fuzz_mbox: the PF's service (the PMD) gets coverage feedback; the harness, the card and the
# slot are the test bench: sanitized, without coverage instrumentation (it only slows them).
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
if [[ " $targets " == *" fuzz_mbox "* ]]; then
	mkdir -p "$out/obj"
	: >"$out/build.log"
	built=()
	fail=0
	for s in drivers/net/qdma/*.c; do compile coverage "$s"; done
	for s in tests/fuzz/fuzz_mbox.c lib/qdma_hw/*.c lib/vslot/*.c lib/qdma_sim/*.c; do
		compile bench "$s"
	done
	while [ "$(jobs -rp | wc -l)" -gt 0 ]; do wait -n || fail=1; done
	# shellcheck disable=SC2046
	[ "$fail" = 0 ] && clang -fsanitize=fuzzer,address,undefined "${built[@]}" \
		-o "$out/fuzz_mbox" $(pkg-config --libs libdpdk) -L"$libdir" -lrte_bus_vdev \
		-lrte_bus_pci -Wl,-rpath,"$libdir" -lpthread >>"$out/build.log" 2>&1 || fail=1
	if [ "$fail" != 0 ]; then
		tail -n 30 "$out/build.log" >&2
		echo "not ok - fuzz_mbox: build failed"
		exit 1
	fi
fi
# the slot target needs lib/vslot only
[[ " $targets " != *" fuzz_slot "* ]] || clang -std=gnu11 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-D_GNU_SOURCE -Ilib/vslot tests/fuzz/fuzz_slot.c lib/vslot/*.c -lpthread \
	-o "$out/fuzz_slot" >"$out/build-slot.log" 2>&1 ||
	{ tail -n 30 "$out/build-slot.log" >&2; echo "not ok - fuzz_slot: build failed"; exit 1; }
# the validator needs lib/qdma_hw only
[[ " $targets " != *" fuzz_mbox_validate "* ]] || clang -std=gnu11 -O1 -g \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -Ilib/qdma_hw \
	tests/fuzz/fuzz_mbox_validate.c lib/qdma_hw/*.c -o "$out/fuzz_mbox_validate" \
	>"$out/build-validate.log" 2>&1 ||
	{ tail -n 30 "$out/build-validate.log" >&2; echo "not ok - fuzz_mbox_validate: build failed"; exit 1; }

jobs=()
if [ "${SVFF_FUZZ_JOBS:-1}" -gt 1 ]; then
	jobs=(-jobs="$SVFF_FUZZ_JOBS" -workers="$SVFF_FUZZ_JOBS")
fi
ntargets=$(wc -w <<<"$targets")
share=$(( secs / ntargets ))
[ "$share" -gt 0 ] || share=1
bound=(-max_total_time="$share")
[ -n "${SVFF_FUZZ_RUNS:-}" ] && bound=(-runs="$SVFF_FUZZ_RUNS")
failed=0

# run_target NAME MAX_LEN CORPUS SEEDS
run_target() {
	local name=$1 maxlen=$2 corpus=$3 seeds=$4 log="$out/$1.log" rc=0 t0 t1 runs cpu
	t0=$(date +%s.%N)
	TIMEFORMAT=%U+%S
	cpu=$( { time ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		"$out/$name" "${bound[@]}" -max_len="$maxlen" -timeout=10 -rss_limit_mb=4096 \
		"${jobs[@]}" -artifact_prefix="$out/" "$corpus" "$seeds" >"$log" 2>&1 || echo "rc=$?" >&2; } 2>&1 )
	t1=$(date +%s.%N)
	case "$cpu" in *rc=*) rc=1; cpu=${cpu##*$'\n'} ;; esac
	runs=$(grep -o 'Done [0-9]* runs' "$log" | tail -n1 | grep -o '[0-9]*' || true)
	if [ "$rc" -ne 0 ] || grep -q 'ISOLATION VIOLATION\|VALIDATOR VIOLATION\|ERROR: AddressSanitizer\|runtime error' "$log"; then
		grep -B2 -A20 'ISOLATION VIOLATION\|VALIDATOR VIOLATION\|ERROR: AddressSanitizer\|runtime error\|==ERROR' "$log" | head -n 60 >&2 || tail -n 40 "$log" >&2
		echo "not ok - $name (${share}s): see $log"
		failed=1
		return
	fi
	awk -v n="${runs:-0}" -v t0="$t0" -v t1="$t1" -v cpu="$cpu" -v name="$name" \
		-v c="$(ls "$corpus" | wc -l)" 'BEGIN {
		split(cpu, a, "+"); s = a[1] + a[2]; w = t1 - t0;
		printf "ok - %s (%d runs in %.0f s: %.0f inputs/s, %.0f inputs per CPU second; corpus %d inputs)\n",
			name, n, w, (w > 0 ? n / w : 0), (s > 0 ? n / s : 0), c }'
}

for t in $targets; do
	case $t in
	fuzz_mbox) run_target fuzz_mbox 129 "$out/corpus" tests/fuzz/corpus ;;
	fuzz_slot) run_target fuzz_slot 512 "$out/corpus-slot" tests/fuzz/corpus-slot ;;
	fuzz_mbox_validate)
		run_target fuzz_mbox_validate 300 "$out/corpus-validate" tests/fuzz/corpus-validate ;;
	*) echo "not ok - $t: unknown fuzz target"; failed=1 ;;
	esac
done
exit "$failed"
