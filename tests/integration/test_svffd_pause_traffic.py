#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Issue 10's must-show cases with svff-trafficcheck on the VFs, all through
svffd's telemetry on the emulated card.

Cycles: 100 pause/unpause cycles of a VF under continuous traffic: nothing
lost, duplicated or reordered; after every unpause frames come back before
the next pause; the gap of each pause (from the checker's gaps, found by
time) is printed as p50/p99, with the number of pauses that took each path.

NewGuests: with 2 checkers forwarding on vf0 and vf1, the spare VFs enabled
at init (elastic VFs) are attached to new guests, which forward too: vf0 and
vf1 lose nothing and are never paused (their pause counters stay 0).

IgnoresPause: a VF whose driver advertised the pause extension but does not
answer PAUSE (badvf mute) is paused by force once mailbox.pause_timeout_ms
has passed, not before; /svff/info, /svff/vfs and /svff/ops answer while the
pause waits; "forced" is shown in /svff/vf,N and /svff/ops; unpause gives it
back.  The same with a VF that forwards (a checker whose process is stopped
while the PAUSE waits): after unpause its traffic comes back, nothing lost."""
import os
import re
import signal
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from svfftest import BUILD, main, Proc, Telemetry, wait_for  # noqa: E402
from svffd_common import GENEROUS_MAILBOX, svffd_up  # noqa: E402
from svff_tcheck import TrafficCheck, percentile  # noqa: E402

BADVF = os.path.join(BUILD, "tests", "integration", "badvf")
CYCLES = int(os.environ.get("SVFF_PAUSE_CYCLES", "100"))
PAUSE_TIMEOUT_MS = 3000


class Base(unittest.TestCase):
    def cmd(self, text, t=None):
        return (t or self.t).cmd(text)

    def checker(self, devargs, name, lcores="1"):
        tc = TrafficCheck(devargs, name, lcores=lcores)
        self.addCleanup(tc.cleanup)
        return tc

    def attach(self, vf, vm):
        r = self.cmd("/svff/attach,vf=%d,vm=%s" % (vf, vm))
        self.assertEqual(r.get("state"), "attached", r)
        return r

    def assertClean(self, r, what):
        self.assertEqual((r["lost"], r["duplicated"], r["reordered"]), (0, 0, 0),
                         "%s: %s" % (what, {k: r[k] for k in ("sent", "received", "lost",
                                                              "duplicated", "reordered")}))
        self.assertGreater(r["received"], 0, what)
        self.assertEqual(r["port_errors"]["ierrors"], 0, what)


class Cycles(Base):
    @classmethod
    def setUpClass(cls):
        svffd_up(cls, "pcyc", tel="t", mailbox=GENEROUS_MAILBOX)

    def test_pause_cycles_under_traffic(self):
        self.assertEqual(self.cmd("/svff/init,numvfs=1,qmax=2").get("numvfs"), 1)
        a = self.attach(0, "cyc0")
        tc = self.checker(a["devargs"], "cyc")
        tc.wait_flowing()
        windows = []
        for i in range(CYCLES):
            t1 = time.monotonic_ns()
            r = self.cmd("/svff/pause,vf=0")
            self.assertEqual(r.get("state"), "paused", (i, r))
            time.sleep(0.01)
            r = self.cmd("/svff/unpause,vf=0")
            self.assertEqual(r.get("state"), "attached", (i, r))
            windows.append((t1, time.monotonic_ns()))
            tc.wait_flowing(what="traffic after unpause %d" % i)
        r = tc.stop()
        self.assertClean(r, "%d pause cycles" % CYCLES)
        d = self.cmd("/svff/vf,0")
        self.assertEqual((d["pauses"], d["unpauses"]), (CYCLES, CYCLES), d)
        self.assertEqual(self.cmd("/svff/info")["invariant_errors"], 0)
        # every pause is a gap (found by time), frames came back between them
        gaps = []
        for i, (a0, b0) in enumerate(windows):
            g = tc.gap_in(a0, b0)
            self.assertGreaterEqual(g, 5000.0, "no gap found at pause %d: window %.0f us, gaps %s"
                                    % (i, (b0 - a0) / 1e3,
                                       [((x - a0) / 1e3, (y - a0) / 1e3, u)
                                        for x, y, u in tc.gaps_ns(a0, b0)]))
            gaps.append(g)
            if i + 1 < len(windows):
                back = max(g[1] for g in tc.gaps_ns(a0, b0))
                self.assertLess(back, windows[i + 1][0],
                                "no frame between unpause %d and pause %d" % (i, i + 1))
        print("# %d pause/unpause cycles under traffic: gap p50 %.0f us, p99 %.0f us, max %.0f us; "
              "%d frames, 0 lost/duplicated/reordered; paths: %d cooperative, %d forced"
              % (CYCLES, percentile(gaps, 50), percentile(gaps, 99), max(gaps), r["received"],
                 d["pauses"] - d["forced_pauses"], d["forced_pauses"]))


class NewGuests(Base):
    @classmethod
    def setUpClass(cls):
        svffd_up(cls, "pnew", tel="t", mailbox=GENEROUS_MAILBOX)

    def test_adding_vfs_never_pauses_the_others(self):
        # elastic VFs: 4 enabled at init, 2 attached and forwarding, 2 spare
        self.assertEqual(self.cmd("/svff/init,numvfs=4,qmax=2").get("numvfs"), 4)
        old = [self.checker(self.attach(n, "old%d" % n)["devargs"], "old%d" % n,
                            lcores=str(n % 2)) for n in (0, 1)]
        for tc in old:
            tc.wait_flowing()
        t1 = time.monotonic_ns()
        new = []
        for n in (2, 3):
            a = self.attach(n, "new%d" % n)
            new.append(self.checker(a["devargs"], "new%d" % n, lcores=str(n % 2)))
        for tc in new:
            tc.wait_flowing(what="a new guest's traffic")
        t2 = time.monotonic_ns()
        for tc in old:
            tc.wait_flowing(what="the old guests' traffic")
        for n, tc in enumerate(old):
            r = tc.stop()
            self.assertClean(r, "vf%d while VFs were added" % n)
            print("# vf%d while vf2, vf3 were attached and started: longest gap %.0f us "
                  "(%d frames, 0 lost)" % (n, tc.gap_in(t1, t2), r["received"]))
        for n, tc in enumerate(new, 2):
            self.assertClean(tc.stop(), "new vf%d" % n)
        for n in range(4):
            d = self.cmd("/svff/vf,%d" % n)
            self.assertEqual((d["state"], d["pauses"], d["unpauses"], d["forced_pauses"]),
                             ("attached", 0, 0, 0), d)
        ops = self.cmd("/svff/ops")["ops"].values()
        self.assertNotIn("pause", [o.get("op") for o in ops])
        self.assertEqual(self.cmd("/svff/info")["invariant_errors"], 0)


class IgnoresPause(Base):
    @classmethod
    def setUpClass(cls):
        # the PF's own send timeout is longer than the pause timeout: a VF that
        # does not read its mailbox meanwhile is paused by force, not reset
        svffd_up(cls, "pign", tel="t", mailbox={"pause_timeout_ms": PAUSE_TIMEOUT_MS,
                                                "send_timeout_ms": 20000})
        cls.t2 = Telemetry(cls.prefix)
        cls.addClassCleanup(cls.t2.close)
        r = cls.t.cmd("/svff/init,numvfs=2,qmax=2")
        assert r.get("numvfs") == 2, r

    def pause_in_background(self, vf):
        """Sends /svff/pause on its own connection; returns (thread, result dict)."""
        res = {}

        def run():
            t0 = time.monotonic()
            res["reply"] = self.t2.cmd("/svff/pause,vf=%d" % vf)
            res["secs"] = time.monotonic() - t0
        th = threading.Thread(target=run, daemon=True)
        th.start()
        return th, res

    def answers_while_waiting(self, th, vf):
        """The telemetry socket answers while the pause waits; /svff/ops shows it running."""
        time.sleep(0.3)
        self.assertTrue(th.is_alive(), "the pause did not wait")
        info = self.cmd("/svff/info")
        vfs = self.cmd("/svff/vfs")
        ops = self.cmd("/svff/ops")
        self.assertTrue(th.is_alive(), "the pause ended before the other commands answered")
        self.assertEqual(info.get("name"), "svffd", info)
        self.assertEqual(vfs.get("numvfs"), 2, vfs)
        running = ops.get("running") or {}
        self.assertEqual((running.get("op"), running.get("target", "")[:3]),
                         ("pause", "vf%d" % vf), ops)

    def forced_done(self, th, res, vf):
        th.join(timeout=60)
        self.assertFalse(th.is_alive())
        r = res["reply"]
        self.assertEqual(r.get("state"), "paused", r)
        # forced once the timeout has passed: not before, and not long after (generous bound)
        self.assertGreaterEqual(res["secs"], PAUSE_TIMEOUT_MS / 1000.0 * 0.9, res)
        self.assertLess(res["secs"], PAUSE_TIMEOUT_MS / 1000.0 + 15, res)
        d = self.cmd("/svff/vf,%d" % vf)
        self.assertEqual((d["state"], d["pause_path"]), ("paused", "forced"), d)
        last = max(self.cmd("/svff/ops")["ops"].values(), key=lambda o: o.get("id", 0))
        self.assertEqual(last.get("op"), "pause", last)
        self.assertIn("forced", last.get("result", ""), last)
        return d

    def test_mute_vf(self):
        a = self.attach(0, "mute0")
        sock = re.search(r"card=([^,]+)", a["devargs"]).group(1)
        token = re.search(r"token=(0x[0-9a-f]+)", a["devargs"]).group(1)
        bad = Proc([BADVF, sock, "0", token, "mute"])
        self.addCleanup(bad.stop)
        wait_for(lambda: self.cmd("/svff/vf,0")["online"] == 1, 30, "the mute VF's HELLO", bad)
        th, res = self.pause_in_background(0)
        self.answers_while_waiting(th, 0)
        d = self.forced_done(th, res, 0)
        self.assertEqual(d["forced_pauses"], 1, d)
        r = self.cmd("/svff/unpause,vf=0")
        self.assertEqual((r.get("state"), r.get("was")), ("attached", "forced"), r)
        bad.stop()
        self.assertIn("ignored (PAUSE)", bad.output)

    def test_frozen_vf_forwards_after(self):
        a = self.attach(1, "frozen1")
        tc = self.checker(a["devargs"], "frozen")
        tc.wait_flowing()
        os.kill(tc.p.pid, signal.SIGSTOP)       # its driver cannot answer PAUSE now
        try:
            th, res = self.pause_in_background(1)
            self.answers_while_waiting(th, 1)
            self.forced_done(th, res, 1)
        finally:
            os.kill(tc.p.pid, signal.SIGCONT)
        r = self.cmd("/svff/unpause,vf=1")
        self.assertEqual((r.get("state"), r.get("was")), ("attached", "forced"), r)
        tc.wait_flowing(what="traffic after unpause of a forced pause")
        r = tc.stop()
        self.assertClean(r, "forced pause of a forwarding VF")
        print("# forced pause of a forwarding VF: timeout %d ms, longest gap %.0f us, "
              "%d frames, 0 lost" % (PAUSE_TIMEOUT_MS, r["max_gap_us"], r["received"]))
        self.assertEqual(self.cmd("/svff/info")["invariant_errors"], 0)


if __name__ == "__main__":
    main()
