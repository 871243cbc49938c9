#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""svffd pause / unpause (issue 10) on the emulated card, through telemetry.

init 2, attach vf0 (a guest testpmd forwards on it: io forwarding over the
card's loopback) and vf1 (no guest driver).  vf0 is paused and unpaused 5
times while the guest forwards: each pause takes the cooperative path (our VF
PMD answers PAUSE), the guest's counters stand still while paused and move
again after unpause, its port never errs; /svff/vf,0 shows the path and the
counters, /svff/ops the ops, and the journal holds the snapshot while the VF
is paused.  A quota change of vf0 (pause, reconf: its range moves, unpause) and
the guest forwards on at the new base.  vf1 has no driver to answer: it is paused by force at once, and
unpause gives it back attached.  Wrong states are refused and change nothing.
(No packet is lost across a pause: pmd_vf_pause counts them.)"""
import glob
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from svfftest import Telemetry, main, unique_prefix, wait_for  # noqa: E402
from svffd_common import GENEROUS_MAILBOX, guest, svffd_for_class  # noqa: E402


class Pause(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        svffd_for_class(cls, "pause", mailbox=GENEROUS_MAILBOX)
        cls.t = Telemetry(cls.prefix)
        cls.addClassCleanup(cls.t.close)

    def cmd(self, text):
        r = self.t.cmd(text)
        return next(iter(r.values())) if isinstance(r, dict) and len(r) == 1 else r

    def journal_text(self):
        out = ""
        for p in glob.glob(os.path.join(self.dir, "state", "*")):
            if os.path.isfile(p):
                with open(p) as f:
                    out += f.read()
        return out

    def test_pause_unpause(self):
        r = self.cmd("/svff/init,numvfs=2,qmax=4")
        self.assertEqual(r.get("numvfs"), 2, r)
        a0 = self.cmd("/svff/attach,vf=0,vm=guest0")
        self.assertEqual(a0.get("state"), "attached", a0)
        a1 = self.cmd("/svff/attach,vf=1,vm=guest1")
        self.assertEqual(a1.get("state"), "attached", a1)

        # refusals change nothing
        r = self.cmd("/svff/unpause,vf=0")
        self.assertEqual(r.get("code"), "not-paused", r)
        self.assertEqual(self.cmd("/svff/vf,0")["state"], "attached")

        g = guest(unique_prefix("pauseg0"), self.plugin, a0["devargs"])
        self.addCleanup(g.stop)
        g.cmd("set fwd io")
        g.cmd("start tx_first")
        time.sleep(0.3)

        def rx():
            return g.port_stats()["RX-packets"]

        def refill():
            # testpmd's io forwarding drops what tx_burst does not take (a burst it
            # received just before the pause): the packets it loops are finite, so
            # each unpause gives it a fresh burst to loop
            g.cmd("stop")
            g.cmd("start tx_first")

        def flowing(what):
            start = rx()
            wait_for(lambda: rx() > start, 20, "guest traffic %s" % what)

        for i in range(5):
            flowing("before pause %d" % i)
            r = self.cmd("/svff/pause,vf=0")
            self.assertEqual(r.get("state"), "paused", r)
            d = self.cmd("/svff/vf,0")
            self.assertEqual((d["state"], d["pause_path"], d["pauses"]),
                             ("paused", "cooperative", i + 1), d)
            if i == 0:
                self.assertIn("snapshot", self.journal_text())
            p1 = rx()
            time.sleep(0.2)
            p2 = rx()
            self.assertEqual(p1, p2, "the guest's port moved while paused")
            r = self.cmd("/svff/unpause,vf=0")
            self.assertEqual((r.get("state"), r.get("was")), ("attached", "cooperative"), r)
            refill()
            flowing("after unpause %d" % i)
        # quota change of an attached VF: pause, reconf (its range moves: vf1 holds the
        # queues after it), unpause at the new base; the guest forwards on
        old = self.cmd("/svff/vf,0")
        r = self.cmd("/svff/reconf,vf=0,qmax=0")       # below what its driver holds
        self.assertEqual(r.get("code"), "in-use", r)
        self.assertEqual(self.cmd("/svff/vf,0")["state"], "attached")
        self.assertEqual(self.cmd("/svff/pause,vf=0").get("state"), "paused")
        r = self.cmd("/svff/reconf,vf=0,qmax=0")
        self.assertEqual(r.get("code"), "in-use", r)
        r = self.cmd("/svff/reconf,vf=0,qmax=8")
        self.assertEqual((r.get("state"), r.get("qmax")), ("paused", 8), r)
        self.assertNotEqual(r["qbase"], old["qbase"], r)
        r = self.cmd("/svff/unpause,vf=0")
        self.assertEqual((r.get("state"), r.get("qbase"), r.get("qmax")),
                         ("attached", self.cmd("/svff/vf,0")["qbase"], 8), r)
        refill()
        flowing("at the new base")
        d = self.cmd("/svff/vf,0")
        self.assertEqual((d["fmap_qbase"], d["fmap_qmax"]), (d["qbase"], 8), d)

        g.cmd("stop")
        st = g.port_stats()
        self.assertEqual(st["RX-errors"], 0, st)
        d = self.cmd("/svff/vf,0")
        self.assertEqual((d["pauses"], d["unpauses"], d["forced_pauses"]), (6, 6, 0), d)

        # a VF nobody drives cannot answer: forced at once
        r = self.cmd("/svff/pause,vf=1")
        self.assertEqual(r.get("state"), "paused", r)
        d = self.cmd("/svff/vf,1")
        self.assertEqual((d["pause_path"], d["forced_pauses"]), ("forced", 1), d)
        r = self.cmd("/svff/pause,vf=1")
        self.assertEqual(r.get("code"), "wrong-state", r)
        r = self.cmd("/svff/unpause,vf=1")
        self.assertEqual((r.get("state"), r.get("was")), ("attached", "forced"), r)

        ops = self.cmd("/svff/ops")
        names = [o.get("op") for o in ops.get("ops", {}).values()]
        self.assertGreaterEqual(names.count("pause"), 7, ops)
        self.assertGreaterEqual(names.count("unpause"), 7, ops)
        self.assertEqual(self.cmd("/svff/info")["invariant_errors"], 0)


if __name__ == "__main__":
    main()
