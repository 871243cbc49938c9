#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Scale: init of 252 VFs over the card's 2048 queues (8 each beside the
PF's 8), every VF listed in one /svff/vfs reply (<= 16 KiB), init progress
in /svff/ops, and the state consistent."""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from svfftest import main, Telemetry  # noqa: E402
from svffd_common import check_consistent, svffd_up  # noqa: E402


class Scale(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        svffd_up(cls, "scale")

    def test_252_vfs(self):
        r = self.tel.cmd("/svff/init,numvfs=252,qmax=8")
        self.assertNotIn("error", r)
        self.assertEqual(r["numvfs"], 252)
        # one reply, raw size checked on the wire
        self.tel.s.send(b"/svff/vfs")
        raw = self.tel.s.recv(65536)
        self.assertLessEqual(len(raw), 16384)
        vfs = json.loads(raw.decode())["/svff/vfs"]
        self.assertEqual(len(vfs["vfs"]), 252)
        info = self.tel.cmd("/svff/info")
        self.assertEqual(info["queues_free"], 2048 - 8 - 252 * 8)
        det = [self.tel.cmd("/svff/vf,%d" % n) for n in range(252)]
        check_consistent(self, info, vfs, det)
        ops = self.tel.cmd("/svff/ops")
        init = [o for o in ops["ops"].values() if o["op"] == "init" and "252" in o["target"]]
        self.assertEqual(len(init), 1)
        self.assertEqual((init[0]["steps_done"], init[0]["steps_total"]), (254, 254))
        card = self.tel.cmd("/svff/debug/card")
        self.assertEqual(card["numvfs"], 252)
        self.assertEqual(len(card["fmap"]), 253)
        # 24 queues are left: one VF grows into them; more than what is left is refused
        r = self.tel.cmd("/svff/reconf,vf=100,qmax=16")
        self.assertNotIn("error", r)
        self.assertEqual(r["qbase"], 2024)
        r = self.tel.cmd("/svff/reconf,vf=100,qmax=64")
        self.assertEqual(r["code"], "no-room", r)
        r = self.tel.cmd("/svff/reconf,vf=100,qmax=0")
        self.assertNotIn("error", r)
        r = self.tel.cmd("/svff/reconf,vf=101,qmax=16")     # takes vf100's freed range
        self.assertNotIn("error", r)
        check_consistent(self, self.tel.cmd("/svff/info"), self.tel.cmd("/svff/vfs"),
                         [self.tel.cmd("/svff/vf,%d" % n) for n in range(252)])

    def test_busy_while_init_runs(self):
        """A long init runs in steps: reads are answered meanwhile, with its
        progress; a change is refused with "busy" and changes nothing."""
        import threading
        result = {}

        def run_init():
            t = Telemetry(self.prefix)
            try:
                result["r"] = t.cmd("/svff/init,numvfs=250,qmax=8")
            finally:
                t.close()
        th = threading.Thread(target=run_init)
        th.start()
        try:
            seen = None
            for _ in range(2000):
                ops = self.tel.cmd("/svff/ops")
                self.assertIn("running", ops)
                if ops["running"]:
                    seen = ops["running"]
                    break
            self.assertIsNotNone(seen, "the init was never seen running")
            self.assertEqual(seen["op"], "init")
            self.assertLess(seen["steps_done"], seen["steps_total"])
            r = self.tel.cmd("/svff/attach,vf=0,vm=early")
            self.assertEqual(r.get("code"), "busy", r)
            self.assertIn("retry", r["error"])
            info = self.tel.cmd("/svff/info")
            self.assertIn("state", info)
        finally:
            th.join(timeout=120)
        self.assertEqual(result.get("r", {}).get("numvfs"), 250, result)
        vfs = self.tel.cmd("/svff/vfs")
        self.assertTrue(all(v.startswith("ready") for v in vfs["vfs"]), vfs)

    def test_ops_history_fits_one_reply(self):
        """140 operations: /svff/ops keeps the last 64, newest first, in one reply;
        the journal is compacted on the way."""
        r = self.tel.cmd("/svff/init,numvfs=4,qmax=8")
        self.assertNotIn("error", r)
        for i in range(140):
            r = self.tel.cmd("/svff/reconf,vf=3,qmax=%d" % (4 + i % 8))
            self.assertNotIn("error", r)
        last = r["op"]
        self.tel.s.send(b"/svff/ops")
        raw = self.tel.s.recv(65536)
        self.assertLessEqual(len(raw), 16384)
        ops = json.loads(raw.decode())["/svff/ops"]
        self.assertEqual(ops["count"], 64)
        ids = sorted(o["id"] for o in ops["ops"].values())
        self.assertEqual(ids[-1], last)
        self.assertEqual(len(ids) + ops["omitted"], 64)
        self.assertEqual(ids, list(range(last - len(ids) + 1, last + 1)))
        # the journal was folded into the snapshot on the way (2 records per op)
        with open(os.path.join(self.dir, "state", "journal.jsonl")) as f:
            self.assertLess(len(f.readlines()), 260)


if __name__ == "__main__":
    main()
