# SPDX-License-Identifier: BSD-3-Clause
"""build/app/svff-trafficcheck driven from a test (its options, report and exit
codes: app/svff-trafficcheck/main.c).

    with TrafficCheck(devargs, "name") as tc:    # started, waits for --ready
        ... pause / reconf ...
        r = tc.stop()                            # SIGTERM, drain, the JSON report
    r["lost"], r["gaps"], tc.gaps_between(t_start_ns, t_end_ns)

The process is stopped by PID (SIGTERM, then SIGKILL) even when the test
fails; its output files live in a private directory removed afterwards."""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time

from svfftest import BUILD, unique_prefix

TRAFFICCHECK = os.path.join(BUILD, "app", "svff-trafficcheck", "svff-trafficcheck")


def percentile(values, p):
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    v = sorted(values)
    k = max(0, min(len(v) - 1, int(round(p / 100.0 * len(v) + 0.5)) - 1))
    return v[k]


class TrafficCheck:
    """One svff-trafficcheck on one port (a VF's devargs from /svff/attach)."""

    def __init__(self, devargs, name, lcores="1", mem_mb=64, args=(), ready_timeout=60,
                 wait=True, drain_ms=5000):
        self.dir = tempfile.mkdtemp(prefix="svff-tc-")
        self.json_path = os.path.join(self.dir, "report.json")
        self.ready_path = os.path.join(self.dir, "ready")
        self.out_path = os.path.join(self.dir, "out.log")
        self.stats_path = os.path.join(self.dir, "stats")
        self.prefix = unique_prefix("tc-" + name)
        self.argv = [TRAFFICCHECK, "-l", lcores, "--no-pci", "-m", str(mem_mb),
                     "--file-prefix", self.prefix, "--log-level", os.environ.get("SVFF_TC_LOG", "*:notice")]
        if devargs:
            self.argv += ["--vdev", devargs]
        self.argv += ["--", "--json", self.json_path, "--ready", self.ready_path,
                      "--stats", self.stats_path, "--drain-ms", str(drain_ms)] + list(args)
        self.report = None
        self.rc = None
        self._out = open(self.out_path, "w")
        self.p = subprocess.Popen(self.argv, stdout=self._out, stderr=subprocess.STDOUT,
                                  start_new_session=True)
        if wait:
            try:
                self.wait_ready(ready_timeout)
            except BaseException:
                self.kill()
                raise

    def output(self):
        with open(self.out_path, errors="replace") as f:
            return f.read()

    def wait_ready(self, timeout=60):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if os.path.exists(self.ready_path):
                return
            if self.p.poll() is not None:
                raise AssertionError("svff-trafficcheck exited (%d) before its first frame:\n%s"
                                     % (self.p.returncode, self.output()[-3000:]))
            time.sleep(0.05)
        raise AssertionError("svff-trafficcheck: no frame back within %ds:\n%s"
                             % (timeout, self.output()[-3000:]))

    def running(self, timeout=10):
        """The running figures (SIGUSR1: one JSON line on stderr, "final": false)."""
        before = self.output().count('"final":false')
        os.kill(self.p.pid, signal.SIGUSR1)
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            lines = [ln for ln in self.output().splitlines() if '"final":false' in ln]
            if len(lines) > before:
                return json.loads(lines[-1])
            time.sleep(0.05)
        raise AssertionError("svff-trafficcheck: no running report after SIGUSR1")

    def counts(self):
        """(monotonic ns of the update, sent, received, duplicated, reordered) from
        --stats (updated every 10 ms)."""
        while True:
            with open(self.stats_path) as f:
                a = f.read()
            with open(self.stats_path) as f:
                b = f.read()
            if a == b and a.endswith("\n") and len(a.split()) == 5:
                return tuple(int(x) for x in a.split())
            time.sleep(0.001)      # caught mid-update: read again

    def received(self):
        return self.counts()[2]

    def wait_flowing(self, timeout=30, what="traffic"):
        """Waits until frames come back after this call (the received count
        of an update written after the call moves)."""
        since = time.monotonic_ns()
        end = time.monotonic() + timeout
        start = None
        while time.monotonic() < end:
            if os.path.exists(self.stats_path):
                c = self.counts()
                if c[0] > since:
                    if start is None:
                        start = c[2]
                    elif c[2] > start:
                        return
            if self.p.poll() is not None:
                break
            time.sleep(0.005)
        raise AssertionError("svff-trafficcheck: %s does not flow:\n%s"
                             % (what, self.output()[-2000:]))

    def stop(self, timeout=60):
        """SIGTERM, wait for the drain and the report; returns it (dict)."""
        if self.p.poll() is None:
            os.kill(self.p.pid, signal.SIGTERM)
        try:
            self.rc = self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError("svff-trafficcheck did not stop within %ds:\n%s"
                                 % (timeout, self.output()[-2000:]))
        finally:
            self._close()
        if self.rc != 0 or not os.path.exists(self.json_path):
            raise AssertionError("svff-trafficcheck exit %s, no report:\n%s"
                                 % (self.rc, self.output()[-3000:]))
        with open(self.json_path) as f:
            self.report = json.load(f)
        return self.report

    def kill(self):
        if self.p.poll() is None:
            try:
                os.killpg(self.p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.p.wait()
        self._close()

    def _close(self):
        if not self._out.closed:
            self._out.close()

    def cleanup(self):
        """Stops the process if still running (by PID) and removes its files."""
        if self.p.poll() is None:
            self.kill()
        self._close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def gaps_ns(self, start_ns, end_ns):
        """The report's gaps that overlap [start_ns, end_ns] (CLOCK_MONOTONIC, as
        time.monotonic_ns()), as (last frame before, first frame after, us)."""
        t0 = self.report["t0_monotonic_ns"]
        out = []
        for g in self.report["gaps"]:
            a = t0 + g["start_us"] * 1e3
            b = a + g["us"] * 1e3
            if b >= start_ns and a <= end_ns:
                out.append((a, b, g["us"]))
        return out

    def gap_in(self, start_ns, end_ns):
        """The longest gap that overlaps [start_ns, end_ns]; 0.0 if none does."""
        return max([g[2] for g in self.gaps_ns(start_ns, end_ns)] or [0.0])

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cleanup()
