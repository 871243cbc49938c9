# SPDX-License-Identifier: BSD-3-Clause
"""Lifecycle row "pause gap vs detach->attach gap" (issue 12, must-show of
issue 10): what a guest sees of each, measured with svff-trafficcheck on the
same VF in one run.

- pause -> unpause: the checker runs on the VF; /svff/pause then at once
  /svff/unpause, n times; each gap is the checker's own (no frame received
  from the last before the pause to the first after it), found by time.
- detach -> attach: the checker runs on the VF; /svff/detach, /svff/attach
  (a new token), and a new checker process on the new devargs (the guest's
  process probing the VF again); the gap is from the old checker's last
  frame to the new one's first frame.

Both gaps are CLOCK_MONOTONIC times from the checkers' reports; the row gives
p50/p99 of each and their ratio (detach->attach / pause), round by round
medians being meaningless here (the two series are independent)."""
import os
import time

import benchlib as bl
from svff_tcheck import TRAFFICCHECK, TrafficCheck

ROW = "pause gap vs detach->attach gap"


def _checker(devargs, name, cpu, mem_mb):
    return TrafficCheck(devargs, name, lcores=str(cpu), mem_mb=min(mem_mb, 64))


def _abs_ns(rep, key):
    v = rep.get(key)
    return None if v is None else rep["t0_monotonic_ns"] + v * 1e3


def pause_gaps(s, vf, devargs, n, budget, cpu, mem_mb):
    """n pause/unpause cycles under traffic: the gap (ms) of each."""
    tc = _checker(devargs, "bpg", cpu, mem_mb)
    windows = []
    try:
        tc.wait_flowing()
        end = time.monotonic() + budget
        while len(windows) < n and time.monotonic() < end:
            t1 = time.monotonic_ns()
            for c in ("/svff/pause,vf=%d" % vf, "/svff/unpause,vf=%d" % vf):
                err = bl.reply_error(s.cmd(c))
                if err:
                    raise RuntimeError("svffd refused %s: %s" % (c, err))
            windows.append((t1, time.monotonic_ns()))
            tc.wait_flowing(what="traffic after unpause")
        rep = tc.stop()
    finally:
        tc.cleanup()
    if rep["lost"] or rep["duplicated"] or rep["reordered"]:
        raise RuntimeError("the checker saw lost %d, duplicated %d, reordered %d across pauses"
                           % (rep["lost"], rep["duplicated"], rep["reordered"]))
    return [tc.gap_in(a, b) / 1e3 for a, b in windows], rep


def reattach_gaps(s, vf, devargs, n, budget, cpu, mem_mb):
    """n detach -> attach cycles, the checker restarted on the new devargs: gaps (ms)."""
    gaps = []
    tc = _checker(devargs, "bra0", cpu, mem_mb)
    end = time.monotonic() + budget
    try:
        tc.wait_flowing()
        while len(gaps) < n and time.monotonic() < end:
            for c in ("/svff/detach,vf=%d" % vf, "/svff/attach,vf=%d,vm=benchgap" % vf):
                r = s.cmd(c)
                err = bl.reply_error(r)
                if err:
                    raise RuntimeError("svffd refused %s: %s" % (c, err))
            old, tc = tc, _checker(bl.find_devargs(r), "bra%d" % (len(gaps) + 1), cpu, mem_mb)
            try:
                rep_old = old.stop()
            finally:
                old.cleanup()
            tc.wait_flowing()
            rep_new = tc.running()
            gaps.append((_abs_ns(rep_new, "first_rx_us") - _abs_ns(rep_old, "last_rx_us")) / 1e6)
        tc.stop()
    finally:
        tc.cleanup()
    return gaps


def pause_gap_rows(s, cmds, opts, cores, log, cpu):
    """The row (and the detach->attach gap row next to it), measured or with a reason."""
    row = {"op": ROW, "detail": "vf 1, svff-trafficcheck"}
    why = None
    for c in ("/svff/pause", "/svff/unpause", "/svff/attach", "/svff/detach"):
        if c not in cmds:
            why = why or bl.missing(c)
    if why is None and not os.path.exists(TRAFFICCHECK):
        why = "svff-trafficcheck is not built (%s)" % TRAFFICCHECK
    if why:
        row["reason"] = why
        return [row]
    vf = 1
    cores = dict(cores, **{"svff-trafficcheck": "CPU %d (-l %d)" % (cpu, cpu)})
    try:
        r = s.cmd("/svff/attach,vf=%d,vm=benchgap" % vf)
        devargs = bl.find_devargs(r)
        if not devargs:
            raise RuntimeError("svffd's attach gave no devargs: %s" % r)
        pg, rep = pause_gaps(s, vf, devargs, opts.lc_runs, opts.lc_budget, cpu, opts.mem_mb)
        r = s.cmd("/svff/vf,%d" % vf)
        forced = r.get("forced_pauses", 0) if isinstance(r, dict) else 0
        rg = reattach_gaps(s, vf, devargs, max(3, opts.lc_runs // 4), opts.lc_budget, cpu,
                           opts.mem_mb)
    except (RuntimeError, AssertionError) as e:
        row["reason"] = "not measured: %s" % str(e)[:300]
        return [row]
    finally:
        s.cmd("/svff/detach,vf=%d" % vf)
    p, d = bl.latency_summary(pg), bl.latency_summary(rg)
    row.update({"latency": p, "runs_ms": [round(x, 3) for x in pg], "cores": cores,
                "pause_gap": p, "reattach_gap": d, "forced_pauses": forced,
                "frames": rep["received"],
                "ratio_p50": d["p50_ms"] / p["p50_ms"] if p["p50_ms"] else None,
                "ratio_p99": d["p99_ms"] / p["p99_ms"] if p["p99_ms"] else None})
    row["detail"] = ("vf %d, pause->unpause gap (p50/p99 here, %d forced) vs detach->attach "
                     "gap p50 %.1f ms, p99 %.1f ms: ratio p50 %s, p99 %s; 0 lost"
                     % (vf, forced, d["p50_ms"], d["p99_ms"], _ratio(row["ratio_p50"]),
                        _ratio(row["ratio_p99"])))
    other = {"op": "detach->attach gap", "cores": cores, "latency": d,
             "runs_ms": [round(x, 3) for x in rg],
             "detail": "vf %d, checker restarted on the new devargs (last frame -> first)" % vf}
    log("lifecycle %s: pause gap p50 %.2f ms p99 %.2f ms (%d, %d forced); detach->attach gap "
        "p50 %.1f ms p99 %.1f ms (%d); ratio p50 %s p99 %s"
        % (ROW, p["p50_ms"], p["p99_ms"], p["n"], forced, d["p50_ms"], d["p99_ms"], d["n"],
           _ratio(row["ratio_p50"]), _ratio(row["ratio_p99"])))
    return [row, other]


def _ratio(x):
    return "—" if x is None else "%.0fx" % x if x >= 10 else "%.2fx" % x
