#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""svff-trafficcheck (issue 10's traffic checker) on a VF svffd attached.

The checker runs on the VF with the devargs /svff/attach returned: frames
come back through the card's loopback, every one of them, in order; the
report has every field of the contract; --duration ends it by itself,
SIGTERM ends it with a drain; SIGUSR1 prints the running figures; a pause
shows up as a gap at the pause's time (t0_monotonic_ns correlates the
clocks) and loses nothing.  Bad options and a missing port are refused with
exit 1 and a message."""
import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from svfftest import Telemetry, main  # noqa: E402
from svffd_common import svffd_for_class  # noqa: E402
from svff_tcheck import TRAFFICCHECK, TrafficCheck  # noqa: E402

FIELDS = {"sent": int, "received": int, "lost": int, "duplicated": int, "reordered": int,
          "max_gap_us": float, "gaps_us": list, "gaps": list, "mpps": float,
          "duration_s": float, "port_errors": dict, "t0_monotonic_ns": int}


class TrafficCheckTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        svffd_for_class(cls, "tcheck")
        cls.t = Telemetry(cls.prefix)
        cls.addClassCleanup(cls.t.close)
        r = cls.t.cmd("/svff/init,numvfs=2,qmax=2")
        assert r.get("numvfs") == 2, r
        cls.att = cls.t.cmd("/svff/attach,vf=0,vm=tc0")
        assert cls.att.get("state") == "attached", cls.att

    def cmd(self, text):
        return self.t.cmd(text)

    def checker(self, name, args=(), **kw):
        tc = TrafficCheck(self.att["devargs"], name, args=args, **kw)
        self.addCleanup(tc.cleanup)
        return tc

    def assertClean(self, r):
        self.assertEqual((r["lost"], r["duplicated"], r["reordered"]), (0, 0, 0), r)
        self.assertEqual(r["sent"], r["received"], r)
        self.assertEqual(r["port_errors"], {"ierrors": 0, "oerrors": 0, "rx_nombuf": 0})

    def test_duration(self):
        tc = self.checker("dur", ["--duration", "1", "--size", "128", "--gap-us", "50"])
        tc.p.wait(timeout=60)
        r = tc.stop()
        for k, t in FIELDS.items():
            self.assertIsInstance(r[k], t, k)
        self.assertTrue(r["final"])
        self.assertGreater(r["sent"], 1000, r)
        self.assertClean(r)
        self.assertGreaterEqual(r["duration_s"], 1.0)
        self.assertLess(r["duration_s"], 5.0)
        self.assertGreater(r["mpps"], 0)
        self.assertEqual(r["gaps_us"], [g["us"] for g in r["gaps"]])
        self.assertTrue(all(g >= 50 for g in r["gaps_us"]), r["gaps_us"])
        self.assertEqual(r["max_gap_us"], max(r["gaps_us"] or [r["max_gap_us"]]))

    def test_rate(self):
        tc = self.checker("rate", ["--duration", "1", "--rate", "2000", "--burst", "4"])
        tc.p.wait(timeout=60)
        r = tc.stop()
        self.assertClean(r)
        self.assertGreater(r["sent"], 200, r)
        self.assertLessEqual(r["sent"], 2000 * r["duration_s"] + 4, r)

    def test_signals_and_pause_gap(self):
        tc = self.checker("sig")
        run = tc.running()
        self.assertFalse(run["final"])
        self.assertGreater(run["sent"], 0)
        tc.wait_flowing()
        before = time.monotonic_ns()
        self.assertEqual(self.cmd("/svff/pause,vf=0").get("state"), "paused")
        time.sleep(0.3)
        self.assertEqual(self.cmd("/svff/unpause,vf=0").get("state"), "attached")
        after = time.monotonic_ns()
        tc.wait_flowing(what="traffic after unpause")
        r = tc.stop()
        self.assertClean(r)
        # the pause is a gap of at least the 0.3 s the VF stayed paused, at its time
        self.assertGreaterEqual(tc.gap_in(before, after), 250000.0, r["gaps"])
        self.assertGreaterEqual(r["max_gap_us"], 250000.0)

    def test_detach_loses_what_is_in_flight(self):
        # the other side of the coin: a revoke mid-traffic drops the frames in
        # flight, and the checker says so (and its last frame is before the detach)
        a = self.cmd("/svff/attach,vf=1,vm=tc1")
        self.assertEqual(a.get("state"), "attached", a)
        tc = TrafficCheck(a["devargs"], "det")
        self.addCleanup(tc.cleanup)
        tc.wait_flowing()
        t = time.monotonic_ns()
        self.assertEqual(self.cmd("/svff/detach,vf=1").get("state"), "ready")
        r = tc.stop()
        self.assertGreater(r["lost"], 0, r)
        self.assertEqual(r["sent"], r["received"] + r["lost"], r)
        self.assertLess(r["t0_monotonic_ns"] + r["last_rx_us"] * 1e3,
                        time.monotonic_ns(), r)
        self.assertGreater(r["t0_monotonic_ns"] + r["last_rx_us"] * 1e3, t - 5e9, r)

    def test_bad_options(self):
        base = [TRAFFICCHECK, "-l", "1", "--no-pci", "-m", "64", "--log-level", "*:error"]
        cases = [(["--size", "10"], "--size"), (["--burst", "0"], "--burst"),
                 (["--rate", "-1"], "--rate"), (["--duration", "x"], "--duration"),
                 (["--bogus"], "bogus"), (["extra"], "unexpected"),
                 (["--port", "3"], "no port 3")]
        for i, (args, msg) in enumerate(cases):
            p = subprocess.run(base + ["--file-prefix", "svfft-tcbad-%d-%d" % (os.getpid(), i),
                                       "--"] + args,
                               capture_output=True, text=True, timeout=60)
            self.assertEqual(p.returncode, 1, (args, p.stdout, p.stderr))
            self.assertIn(msg, p.stderr, args)
        p = subprocess.run([TRAFFICCHECK, "--", "--help"], capture_output=True, text=True,
                           timeout=60)
        self.assertIn("--gap-us", p.stdout + p.stderr)


if __name__ == "__main__":
    main()
