#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Bad guests: a VF that stops reading its inbox is marked failed with the
reason (the PMD reports STUCK; vfs.stuck_limit reports, default 1), a
failed VF cannot be attached or re-quota'd but detach still works; a VF
that floods the mailbox is rate-limited and counted while it stays
attached; the other VFs are untouched."""
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from svfftest import BUILD, main, Proc, wait_for  # noqa: E402
from svffd_common import check_consistent, svffd_up  # noqa: E402

BADVF = os.path.join(BUILD, "tests", "integration", "badvf")


class BadVf(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # a low message rate so that the flooder exceeds it for sure
        svffd_up(cls, "badvf", vfs={"count": 4, "queues": 8},
                 mailbox={"rate": 200, "burst": 50})

    def bad_guest(self, vf, vm, mode):
        r = self.tel.cmd("/svff/attach,vf=%d,vm=%s" % (vf, vm))
        self.assertIn("devargs", r, r)
        sock = re.search(r"card=([^,]+)", r["devargs"]).group(1)
        token = re.search(r"token=(0x[0-9a-f]+)", r["devargs"]).group(1)
        p = Proc([BADVF, sock, str(vf), token, mode])
        self.addCleanup(p.stop)
        return p

    def consistent(self):
        vfs = self.tel.cmd("/svff/vfs")
        check_consistent(self, self.tel.cmd("/svff/info"), vfs,
                         [self.tel.cmd("/svff/vf,%d" % n) for n in range(vfs["numvfs"])])

    def test_stuck_vf_is_failed_and_detachable(self):
        p = self.bad_guest(2, "stuckvm", "stuck")
        wait_for(lambda: self.tel.cmd("/svff/vf,2")["state"] == "failed", 30,
                 "VF 2 marked failed", p)
        d = self.tel.cmd("/svff/vf,2")
        self.assertIn("stopped reading its mailbox", d["reason"])
        self.assertGreaterEqual(d["stats"]["stuck_events"], 1)
        self.assertEqual(d["vm"], "stuckvm")
        self.assertEqual(self.tel.cmd("/svff/info")["vf_states"]["failed"], 1)
        ops = self.tel.cmd("/svff/ops")["ops"].values()
        self.assertTrue([o for o in ops if o["op"] == "mark-failed" and o["target"] == "vf2"])
        self.assertEqual(self.tel.cmd("/svff/attach,vf=2,vm=other")["code"], "wrong-state")
        self.assertEqual(self.tel.cmd("/svff/reconf,vf=2,qmax=4")["code"], "wrong-state")
        self.assertEqual(self.tel.cmd("/svff/vf,0")["state"], "ready")
        self.consistent()
        r = self.tel.cmd("/svff/detach,vf=2")
        self.assertNotIn("error", r)
        d = self.tel.cmd("/svff/vf,2")
        self.assertEqual((d["state"], d["vm"], d["reason"]), ("ready", "", ""))
        p.stop()
        self.consistent()

    def test_flooding_vf_is_counted(self):
        p = self.bad_guest(3, "floodvm", "flood")
        wait_for(lambda: self.tel.cmd("/svff/vf,3")["stats"]["flood_events"] > 0, 30,
                 "VF 3's flooding counted", p)
        d = self.tel.cmd("/svff/vf,3")
        self.assertGreater(d["mbox"]["dropped"], 0, d)
        self.assertEqual(d["state"], "attached")      # rate-limited, not failed
        self.consistent()
        self.assertNotIn("error", self.tel.cmd("/svff/detach,vf=3"))
        p.stop()
        self.consistent()


if __name__ == "__main__":
    main()
