#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The SVFF lifecycle through the stock dpdk-telemetry.py against svffd on
the emulated card: init 4 -> attach vf0..vf2 to three guest testpmd
processes started with exactly the devargs of the replies -> traffic on
each -> detach vf1 (its guest sees the removal, the others keep forwarding
without errors) -> quota change of the unattached vf3; info, vfs and every
vf,N consistent at each step."""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from svfftest import main, unique_prefix, wait_for  # noqa: E402
from svffd_common import (svffd_for_class, check_consistent, forward, guest, telemetry_py)  # noqa: E402


class Lifecycle(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        svffd_for_class(cls, "life")

    def tel(self, *cmds):
        return telemetry_py(self.prefix, *cmds)

    def consistent(self):
        info, vfs = self.tel("/svff/info", "/svff/vfs")
        details = self.tel(*["/svff/vf,%d" % n for n in range(vfs["numvfs"])]) \
            if vfs["numvfs"] else []
        check_consistent(self, info, vfs, details)
        return info, vfs, details

    def test_lifecycle(self):
        info, vfs, _ = self.consistent()
        self.assertEqual(vfs["numvfs"], 0)

        r, = self.tel("/svff/init,numvfs=4,qmax=8")
        self.assertNotIn("error", r)
        self.assertEqual(r["numvfs"], 4)
        info, vfs, det = self.consistent()
        self.assertEqual(info["vf_states"]["ready"], 4)
        self.assertTrue(all(d["qmax"] == 8 for d in det))

        guests = []
        for n in range(3):
            r, = self.tel("/svff/attach,vf=%d,vm=guest%d" % (n, n))
            self.assertNotIn("error", r)
            self.assertEqual((r["vf"], r["state"], r["vm"]), (n, "attached", "guest%d" % n))
            self.assertIn("fn=vf%d" % n, r["devargs"])
            g = guest(unique_prefix("g%d" % n), self.plugin, r["devargs"])
            self.addCleanup(g.stop)
            guests.append(g)
            self.consistent()
        info, vfs, det = self.consistent()
        self.assertEqual(info["vf_states"], {"ready": 1, "attached": 3, "paused": 0,
                                             "failed": 0})
        for n in range(3):
            self.assertEqual(det[n]["vm"], "guest%d" % n)
            self.assertEqual(det[n]["online"], 1)      # its guest said HELLO

        for n, g in enumerate(guests):
            st = forward(g)
            self.assertGreater(st["RX-packets"], 100, "guest%d: %s" % (n, st))
            self.assertEqual(st["RX-errors"], 0)
            self.assertEqual(st["TX-errors"], 0)
        self.consistent()

        # vf0 and vf2 forward while vf1 is taken away
        for g in (guests[0], guests[2]):
            g.cmd("clear port stats all")
            g.cmd("set fwd io")
            g.cmd("start tx_first")
        r, = self.tel("/svff/detach,vf=1")
        self.assertNotIn("error", r)
        self.assertEqual(r["state"], "ready")
        wait_for(lambda: "device removal event" in guests[1].output(), 30,
                 "guest1's removal event")
        time.sleep(0.5)
        for n in (0, 2):
            guests[n].cmd("stop")
            st = guests[n].port_stats()
            self.assertGreater(st["RX-packets"], 100, "guest%d: %s" % (n, st))
            self.assertEqual(st["RX-errors"], 0)
            self.assertEqual(st["TX-errors"], 0)
            st = forward(guests[n])
            self.assertGreater(st["RX-packets"], 100, "guest%d after: %s" % (n, st))
        info, vfs, det = self.consistent()
        self.assertEqual(vfs["vfs"][1], "ready 8@%d" % det[1]["qbase"])
        self.assertEqual(det[1]["stats"]["detaches"], 1)
        # its queues are gone: none active, the window back to the whole quota
        self.assertEqual((det[1]["active_h2c"], det[1]["active_c2h"]), (0, 0), det[1])
        self.assertEqual((det[1]["window_qbase"], det[1]["window_qmax"]),
                         (det[1]["qbase"], 8), det[1])
        self.assertEqual(det[1]["online"], 0, det[1])
        self.assertLess(r["duration_us"], 1000000, r)     # no wait for a busy window

        # quota: vf3 is not attached: at once; vf0 is: paused (its driver answers) meanwhile
        r, = self.tel("/svff/reconf,vf=3,qmax=16")
        self.assertNotIn("error", r)
        self.assertEqual(r["qmax"], 16)
        self.assertEqual(r["vfs"]["3"]["paused"], "no", r)
        r, = self.tel("/svff/reconf,vf=0,qmax=4")
        self.assertEqual((r["state"], r["qmax"], r["vfs"]["0"]["paused"]),
                         ("attached", 4, "cooperative"), r)
        info, vfs, det = self.consistent()
        self.assertEqual(det[3]["qmax"], 16)
        self.assertEqual(det[3]["fmap_qmax"], 16)

        ops, = self.tel("/svff/ops")
        names = [o["op"] for o in ops["ops"].values()]
        for want in ("init", "attach", "detach", "reconf"):
            self.assertIn(want, names)
        for g in guests:
            g.stop()
        # one structured log line per operation, with its duration
        self.assertEqual(self.svffd.stop(), 0)
        log = self.svffd.output
        for op in ("init", "attach", "detach", "reconf"):
            self.assertRegex(log, r"svff: op=%s id=\d+ target=\S.* state=(done|failed) "
                             r"duration_us=\d+ steps=\d+/\d+ result=" % op)


if __name__ == "__main__":
    main()
