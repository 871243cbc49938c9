# SPDX-License-Identifier: BSD-3-Clause
"""svffd's side: lifecycle latencies (init 4/64/252, attach, detach, pause,
unpause, quota reconf, count reconf; p50/p99 over >= 20 runs), control under
load (telemetry at 1,000 requests/s while a data plane forwards: throughput
change and request latency), and scale (svffd RSS and init time against the
number of VFs).

What svffd can do is read from its telemetry socket at run time ('/'); a
row whose command is missing says so ("not implemented yet: /svff/pause is
missing from svffd") and fills itself in once the command lands.

Run as 'bench_control.py loadgen PREFIX RATE SECS CPU CMD' it is the
telemetry load generator (a process of its own, pinned to CPU)."""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time

import bench_vm
import benchlib as bl
from bench_pausegap import pause_gap_rows
from svfftest import Proc, private_plugin_dir, slot_dir, telemetry_path, unique_prefix, wait_for

SIMD = os.path.join(bl.BUILD, "app", "qdma-simd", "qdma-simd")
CTL_CPU, FWD_CPU = 0, 1
BUSY_RE = re.compile(r"busy|retry", re.I)


# ---------------------------------------------------------------- helpers

def timed(svffd, text, timeout=120.0):
    """Send one command; a 'busy, retry' answer is retried (the time counts,
    as a client sees it); an op that answers 'running' is followed in
    /svff/ops until it is done.  Returns (ms, reply)."""
    t0 = time.perf_counter()
    end = time.monotonic() + timeout
    while True:
        r = svffd.cmd(text)
        err = bl.reply_error(r)
        if err and BUSY_RE.search(err) and time.monotonic() < end:
            time.sleep(0.001)
            continue
        break
    if not err and isinstance(r, dict) and str(r.get("state", "")).lower() in (
            "running", "pending", "queued", "in progress"):
        wait_ops_idle(svffd, end)
    return (time.perf_counter() - t0) * 1e3, r


def _running(obj):
    if isinstance(obj, dict):
        if str(obj.get("state", "")).lower() in ("running", "pending", "queued"):
            return True
        return any(_running(v) for v in obj.values())
    if isinstance(obj, list):
        return any(_running(v) for v in obj)
    return False


def wait_ops_idle(svffd, end):
    while time.monotonic() < end:
        if not _running(svffd.cmd("/svff/ops")):
            return
        time.sleep(0.001)


class Row:
    """A lifecycle row: runs until n runs or the time budget is spent."""

    def __init__(self, op, detail):
        self.d = {"op": op, "detail": detail}
        self.ms = []

    def reason(self, why):
        self.d.setdefault("reason", why)

    def ok(self):
        return "reason" not in self.d

    def add(self, svffd, text):
        """Time one command; a refusal ends the row with the reason."""
        if not self.ok():
            return None
        ms, r = timed(svffd, text)
        err = bl.reply_error(r)
        if err:
            self.reason("svffd refused '%s': %s" % (text, err))
            return None
        self.ms.append(ms)
        return r

    def done(self, want):
        if self.ms:
            self.d["latency"] = bl.latency_summary(self.ms)
            self.d["runs_ms"] = [round(x, 3) for x in self.ms]
            if len(self.ms) < want and self.ok():
                self.d["note"] = "%d runs (time budget), %d wanted" % (len(self.ms), want)
        elif self.ok():
            self.reason("no run completed")
        return self.d


def need(cmds, *names):
    for n in names:
        if n not in cmds:
            return bl.missing(n)
    return None


# ---------------------------------------------------------------- lifecycle

def lifecycle(opts, log):
    s = bl.Svffd(unique_prefix("bench-lc"), cpu=CTL_CPU, vfs=4, vf_queues=8,
                 mem_mb=opts.mem_mb)
    rows = []
    guest = None
    plugdir = None
    try:
        try:
            s.wait_ready()
        except AssertionError as e:
            why = "svffd did not start: %s" % str(e)[:300]
            return {"rows": [{"op": op, "reason": why} for op in
                             ("init", "attach", "detach", "pause", "unpause", "reconf")]}
        cmds = s.commands()
        cores = {"svffd": bl.process_cores(s.pid)}
        n, budget = opts.lc_runs, opts.lc_budget

        def run_row(row, body):
            end = time.monotonic() + budget
            i = 0
            while row.ok() and i < n and time.monotonic() < end:
                body(i)
                i += 1
            row.d["cores"] = cores
            rows.append(row.done(n))
            log("lifecycle %-14s %s" % (row.d["op"] + " " + row.d["detail"], _fmt(row.d)))

        # init N (the kernel's N -> 0 -> M is svffd's business)
        for nv in (4, 64, 252):
            row = Row("init", "%d VFs x 4 queues" % nv)
            why = need(cmds, "/svff/init")
            if why:
                row.reason(why)
            run_row(row, lambda i, nv=nv, row=row: row.add(s, "/svff/init,numvfs=%d,qmax=4" % nv))
        if "/svff/init" in cmds:
            timed(s, "/svff/init,numvfs=4")

        # attach / detach of VF 0, alternately
        att, det = Row("attach", "vf 0, no guest"), Row("detach", "vf 0, no guest")
        why = need(cmds, "/svff/attach", "/svff/detach")
        if why:
            att.reason(need(cmds, "/svff/attach") or "needs /svff/attach")
            det.reason(need(cmds, "/svff/detach") or "needs /svff/detach")

        def cycle(i):
            if att.add(s, "/svff/attach,vf=0,vm=bench%d" % i) is not None:
                det.add(s, "/svff/detach,vf=0")
                if not det.ok():
                    att.reason(det.d["reason"])
        end = time.monotonic() + budget
        i = 0
        while att.ok() and det.ok() and i < n and time.monotonic() < end:
            cycle(i)
            i += 1
        for r in (att, det):
            r.d["cores"] = cores
            rows.append(r.done(n))
            log("lifecycle %-14s %s" % (r.d["op"], _fmt(r.d)))

        # pause / unpause of VF 0 with a forwarding guest on it
        pause, unpause = Row("pause", "vf 0, guest forwarding"), Row("unpause",
                                                                     "vf 0, guest forwarding")
        why = need(cmds, "/svff/pause", "/svff/unpause", "/svff/attach")
        if why:
            pause.reason(need(cmds, "/svff/pause") or why)
            unpause.reason(need(cmds, "/svff/unpause") or why)
        else:
            r = s.cmd("/svff/attach,vf=0,vm=benchpause")
            devargs = bl.find_devargs(r)
            if not devargs:
                pause.reason("svffd's attach gave no devargs: %s" % r)
                unpause.reason(pause.d["reason"])
            else:
                plugdir, plugin = private_plugin_dir()
                guest = bl.start_testpmd(unique_prefix("bench-guest"), plugin, [devargs],
                                lcores="%d,%d" % (CTL_CPU, FWD_CPU), mem_mb=opts.mem_mb,
                                app_args=["--forward-mode=io", "--nb-cores=1"])
                guest.cmd("start tx_first 4")
                end = time.monotonic() + budget
                i = 0
                while pause.ok() and unpause.ok() and i < n and time.monotonic() < end:
                    if pause.add(s, "/svff/pause,vf=0") is not None:
                        unpause.add(s, "/svff/unpause,vf=0")
                    i += 1
                guest.cmd("stop")
                st = guest.port_stats()
                pause.d["guest_rx_packets"] = st.get("RX-packets")
                guest.stop()
                guest = None
                s.cmd("/svff/detach,vf=0")
        for r in (pause, unpause):
            r.d["cores"] = cores
            rows.append(r.done(n))
            log("lifecycle %-14s %s" % (r.d["op"], _fmt(r.d)))

        # quota reconf of an unattached VF, 8 <-> 4 queues
        row = Row("quota reconf", "vf 3, 8 <-> 4 queues, not attached")
        why = need(cmds, "/svff/reconf")
        if why:
            row.reason(why)
        run_row(row, lambda i: row.add(s, "/svff/reconf,vf=3,qmax=%d" % (4 if i % 2 == 0 else 8)))

        # VF count reconf, 4 <-> 8
        row = Row("count reconf", "numvfs 4 <-> 8")
        if why:
            row.reason(why)
        run_row(row, lambda i: row.add(s, "/svff/reconf,numvfs=%d" % (8 if i % 2 == 0 else 4)))

        rows += pause_gap_rows(s, cmds, opts, cores, log, FWD_CPU)
        # the lifecycle inside a real VM (bench_vm.py): rows of their own
        rows.extend(bench_vm.rows(opts, log, s.cmd("/svff/info")))
        return {"rows": rows, "commands": sorted(c for c in cmds if c.startswith("/svff/")),
                "runs_wanted": n}
    finally:
        if guest is not None:
            guest.kill()
        if plugdir:
            shutil.rmtree(plugdir, ignore_errors=True)
        s.stop()


def _fmt(d):
    if "reason" in d:
        return "-- " + d["reason"]
    lat = d["latency"]
    return "p50 %.2f ms, p99 %.2f ms (%d runs)" % (lat["p50_ms"], lat["p99_ms"], lat["n"])


# ---------------------------------------------------------------- scale

def scale(opts, log):
    """svffd started with N VFs in its config: time until /svff/info shows N
    VFs, and its RSS; with /svff/init, the init command's time as well."""
    rows = []
    for nv in opts.scale_vfs:
        row = {"numvfs": nv}
        starts, rss, huge = [], [], []
        for _ in range(opts.scale_rounds):
            s = bl.Svffd(unique_prefix("bench-sc%d" % nv), cpu=CTL_CPU, vfs=nv, vf_queues=1,
                         mem_mb=opts.mem_mb)
            try:
                s.wait_ready()
                end = time.monotonic() + 120
                while time.monotonic() < end:
                    info = s.cmd("/svff/info")
                    if isinstance(info, dict) and info.get("numvfs") == nv:
                        break
                    time.sleep(0.005)
                else:
                    row["reason"] = "svffd never showed %d VFs" % nv
                    break
                starts.append((time.monotonic() - s.t0) * 1e3)
                time.sleep(0.2)    # settle: count what stays resident
                r, h = bl.process_rss_kib(s.pid)
                rss.append(r)
                huge.append(h)
                cmds = s.commands()
                if "/svff/init" in cmds:
                    ms, rep = timed(s, "/svff/init,numvfs=%d" % nv)
                    if bl.reply_error(rep) is None:
                        row.setdefault("init_cmd_ms", []).append(ms)
                    else:
                        row["init_cmd_reason"] = "svffd refused: %s" % bl.reply_error(rep)
                else:
                    row["init_cmd_reason"] = bl.missing("/svff/init")
                row["cores"] = {"svffd": bl.process_cores(s.pid)}
            except AssertionError as e:
                row["reason"] = "svffd did not start with %d VFs: %s" % (nv, str(e)[:200])
                break
            finally:
                s.stop()
        if starts:
            row["start_to_ready_ms"] = bl.summary(starts)
            row["rss_mib"] = bl.summary([x / 1024.0 for x in rss if x is not None])
            row["hugetlb_mib"] = bl.summary([x / 1024.0 for x in huge if x is not None])
            if "init_cmd_ms" in row:
                row["init_cmd_ms"] = bl.summary(row["init_cmd_ms"])
            if "reason" in row:
                row["note"] = "only %d rounds: %s" % (len(starts), row.pop("reason"))
        rows.append(row)
        log("scale %3d VFs: %s" % (nv, "-- " + row["reason"] if "reason" in row else
                                   "ready %.0f ms, RSS %.1f MiB" % (
                                       row["start_to_ready_ms"]["median"],
                                       row["rss_mib"]["median"] if row["rss_mib"] else -1)))
    return {"rows": rows}


# ---------------------------------------------------------------- control under load

def loadgen_main(argv):
    """Child process: RATE requests/s of CMD for SECS seconds on svffd's
    socket; prints one JSON object with every request's latency (ms)."""
    prefix, rate, secs, cpu, cmd = argv[0], float(argv[1]), float(argv[2]), int(argv[3]), argv[4]
    os.sched_setaffinity(0, {cpu})
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(10)
    s.connect(telemetry_path(prefix))
    s.recv(16384)
    lat, errors, late = [], 0, 0
    period = 1.0 / rate
    t_next = t_start = time.perf_counter()
    while True:
        now = time.perf_counter()
        if now - t_start >= secs:
            break
        if now < t_next:
            time.sleep(t_next - now)
        t0 = time.perf_counter()
        s.send(cmd.encode())
        reply = json.loads(s.recv(65536).decode())
        lat.append((time.perf_counter() - t0) * 1e3)
        if not isinstance(reply.get(cmd.split(",")[0]), dict) or \
                "error" in reply.get(cmd.split(",")[0], {}):
            errors += 1
        t_next += period
        if time.perf_counter() > t_next + period:
            late += 1
            t_next = time.perf_counter()
    dur = time.perf_counter() - t_start
    s.close()
    print(json.dumps({"lat_ms": lat, "errors": errors, "late": late, "secs": dur,
                      "rate": len(lat) / dur if dur > 0 else 0}))
    return 0


def start_loadgen(prefix, rate, secs, cmd):
    return subprocess.Popen([sys.executable, os.path.abspath(__file__), "loadgen", prefix,
                             str(rate), str(secs), str(CTL_CPU), cmd],
                            stdout=subprocess.PIPE, text=True, start_new_session=True)


def control_under_load(opts, log):
    """Throughput of a forwarding port with and without RATE telemetry
    requests/s to svffd, alternated round by round."""
    svffd = bl.Svffd(unique_prefix("bench-cl"), cpu=CTL_CPU, vfs=1, vf_queues=1,
                     mem_mb=opts.mem_mb)
    plugdir, plugin = private_plugin_dir()
    d = slot_dir()
    card = pmd = None
    row = {"what": "telemetry /svff/info at %d/s" % opts.rate}
    try:
        try:
            svffd.wait_ready()
        except AssertionError as e:
            row["reason"] = "svffd did not start: %s" % str(e)[:300]
            return {"rows": [row]}
        cmds = svffd.commands()
        devargs = None
        if "/svff/attach" in cmds:
            devargs = bl.find_devargs(svffd.cmd("/svff/attach,vf=0,vm=benchload"))
        if devargs:
            row["data_plane"] = "guest testpmd on svffd's VF 0 (token from /svff/attach)"
        else:
            # until svffd can attach, the data plane is a PF on a card of its
            # own, sharing the machine with svffd: what svffd's control path
            # costs a neighbouring data plane
            sock = os.path.join(d, "card.sock")
            card = Proc([SIMD, "--socket", sock, "--personality", "loopback", "--cpu",
                         str(CTL_CPU)])
            wait_for(lambda: os.path.exists(sock), 30, "card socket", card)
            devargs = "net_qdma0,card=%s,fn=pf" % sock
            row["data_plane"] = ("testpmd on the PF of a separate emulated card (%s)"
                                 % bl.missing("/svff/attach"))
        pmd = bl.start_testpmd(unique_prefix("bench-cl-fwd"), plugin, [devargs],
                               lcores="%d,%d" % (CTL_CPU, FWD_CPU), mem_mb=opts.mem_mb,
                               app_args=["--forward-mode=io", "--nb-cores=1", "--burst=32",
                                "--rxd=512", "--txd=512", "--record-core-cycles"])
        base, load, lat, changes = [], [], [], []
        info = {}
        for rnd in range(opts.rounds):
            for with_load in ((False, True) if rnd % 2 == 0 else (True, False)):
                gen = start_loadgen(svffd.prefix, opts.rate, opts.secs, "/svff/info") \
                    if with_load else None
                pmd.cmd("start tx_first 4")
                t0 = time.monotonic()
                time.sleep(opts.secs)
                out = pmd.cmd("stop", timeout=60)
                dt = time.monotonic() - t0
                m = re.search(r"RX-packets:\s+(\d+)", out)
                mpps = int(m.group(1)) / dt / 1e6 if m else None
                pmd.cmd("set fwd rxonly")
                pmd.cmd("start")
                time.sleep(0.1)
                pmd.cmd("stop")
                pmd.cmd("set fwd io")
                if gen is not None:
                    o, _ = gen.communicate(timeout=opts.secs + 60)
                    g = json.loads(o)
                    lat += g["lat_ms"]
                    info.setdefault("achieved_rate", []).append(g["rate"])
                    info["errors"] = info.get("errors", 0) + g["errors"]
                    load.append(mpps)
                else:
                    base.append(mpps)
            if base and load and base[-1] and load[-1] is not None:
                changes.append((load[-1] - base[-1]) / base[-1] * 100.0)
            log("control under load round %d: %.2f Mpps idle, %.2f Mpps with %d req/s" % (
                rnd + 1, base[-1] or 0, load[-1] or 0, opts.rate))
        row.update({"mpps_without": bl.summary(base), "mpps_with": bl.summary(load),
                    "throughput_change_pct": bl.summary(changes),
                    "latency": bl.latency_summary(lat),
                    "achieved_rate": bl.summary(info.get("achieved_rate", [])),
                    "request_errors": info.get("errors", 0),
                    "cores": {"forwarding lcore": bl.testpmd_cores(pmd).get("fwd", "?"),
                              "svffd": bl.process_cores(svffd.pid),
                              "load generator": str(CTL_CPU),
                              "card engine": str(CTL_CPU)}})
        if not lat:
            row["reason"] = "no request completed"
        elif not changes:
            row["reason"] = "the data plane forwarded nothing in any round (%s Mpps without, " \
                            "%s with load)" % (base, load)
        return {"rows": [row]}
    except (AssertionError, OSError, ValueError, subprocess.SubprocessError) as e:
        row["reason"] = "failed: %s" % str(e)[:300]
        return {"rows": [row]}
    finally:
        if pmd is not None:
            pmd.stop()
        if card is not None:
            card.stop()
        svffd.stop()
        shutil.rmtree(d, ignore_errors=True)
        shutil.rmtree(plugdir, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "loadgen":
        sys.exit(loadgen_main(sys.argv[2:]))
    sys.exit("usage: bench_control.py loadgen PREFIX RATE SECS CPU CMD")
