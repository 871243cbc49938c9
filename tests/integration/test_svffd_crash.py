#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Crash safety: svffd is killed (SIGKILL, through the test-only
SVFF_CRASH_AT=<op>:<step>) at named steps inside attach, detach, init and
reconf, then restarted on the same state directory.  The card is its own
process (qdma-simd) and outlives svffd, as a real card does.  After the
restart: the state is consistent with the card (numvfs, FMAP, grants), no
VF is assigned twice, and the cut operation is reported in /svff/ops as
completed or rolled back."""
import os
import signal
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from svfftest import BUILD, Proc, Telemetry, main, unique_prefix, wait_for  # noqa: E402
from svffd_common import (check_consistent, cleanup_dir, private_config,  # noqa: E402
                          start_svffd, wait_ready)

SIMD = os.path.join(BUILD, "app", "qdma-simd", "qdma-simd")

# crash point, set-up commands, the command that is cut, what restart does, check
CASES = [
    ("attach:intent", [], "/svff/attach,vf=1,vm=vmA", "rolled-back", ("vf", 1, "ready")),
    ("attach:granted", [], "/svff/attach,vf=1,vm=vmA", "rolled-back", ("vf", 1, "ready")),
    ("attach:done", [], "/svff/attach,vf=1,vm=vmA", "done", ("vf", 1, "attached")),
    ("detach:intent", ["/svff/attach,vf=1,vm=vmA"], "/svff/detach,vf=1",
     "completed-after-restart", ("vf", 1, "ready")),
    ("detach:revoked", ["/svff/attach,vf=1,vm=vmA"], "/svff/detach,vf=1",
     "completed-after-restart", ("vf", 1, "ready")),
    ("init:zero", [], "/svff/init,numvfs=6,qmax=4", "completed-after-restart",
     ("numvfs", 6, 4)),
    ("init:half", [], "/svff/init,numvfs=6,qmax=4", "completed-after-restart",
     ("numvfs", 6, 4)),
    ("init:placed", [], "/svff/init,numvfs=6,qmax=4", "completed-after-restart",
     ("numvfs", 6, 4)),
    ("reconf:intent", ["/svff/attach,vf=0,vm=vmB"], "/svff/reconf,vf=2,qmax=16",
     "completed-after-restart", ("qmax", 2, 16)),
    ("reconf:placed", ["/svff/attach,vf=0,vm=vmB"], "/svff/reconf,vf=2,qmax=16",
     "completed-after-restart", ("qmax", 2, 16)),
]


class Crash(unittest.TestCase):
    def start_card(self, sock):
        p = Proc([SIMD, "--socket", sock, "--personality", "loopback"])
        self.addCleanup(p.stop)
        wait_for(lambda: os.path.exists(sock), 30, "card socket", p)
        return p

    def snapshot(self, prefix):
        t = Telemetry(prefix)
        try:
            info, vfs = t.cmd("/svff/info"), t.cmd("/svff/vfs")
            det = [t.cmd("/svff/vf,%d" % n) for n in range(vfs["numvfs"])]
            return info, vfs, det, t.cmd("/svff/debug/card"), t.cmd("/svff/ops")
        finally:
            t.close()

    def one(self, point, setup, cmd, outcome, check):
        op = point.split(":")[0]
        config, d = private_config("crash", card={"type": "socket"},
                                   vfs={"count": 4, "queues": 8})
        self.addCleanup(cleanup_dir, d)
        card = self.start_card(os.path.join(d, "card.sock"))
        prefix = unique_prefix("crash")
        p = start_svffd(prefix, config, env={"SVFF_CRASH_AT": point})
        self.addCleanup(p.stop)
        wait_ready(prefix, p)
        t = Telemetry(prefix)
        for c in setup:
            self.assertNotIn("error", t.cmd(c))
        try:
            r = t.cmd(cmd)
            self.fail("%s: svffd answered instead of dying: %s" % (point, r))
        except (OSError, ValueError):
            pass
        t.close()
        p.p.wait(timeout=30)
        self.assertEqual(p.p.returncode, -signal.SIGKILL, point)
        p.stop()

        p2 = start_svffd(prefix, config)
        self.addCleanup(p2.stop)
        wait_ready(prefix, p2)
        info, vfs, det, card_view, ops = self.snapshot(prefix)
        check_consistent(self, info, vfs, det)
        # the card agrees: numvfs, and grants exactly for the attached VFs
        self.assertEqual(card_view["numvfs"], vfs["numvfs"])
        attached = sorted(n for n, x in enumerate(det) if x["state"] == "attached")
        granted = sorted(int(g.split(":")[0][2:]) for g in card_view["grants"])
        self.assertEqual(granted, attached, "%s: grants %s" % (point, card_view))
        vms = [x["vm"] for x in det if x["vm"]]
        self.assertEqual(len(vms), len(attached), "no VF assigned twice / half")
        # the cut op is reported
        mine = [o for o in ops["ops"].values() if o["op"] == op]
        self.assertTrue(mine, ops)
        if outcome == "done":
            self.assertEqual(max(mine, key=lambda o: o["id"])["state"], "done", ops)
        else:
            cut = [o for o in mine if o["state"] == outcome]
            self.assertEqual(len(cut), 1, "%s: %s" % (point, ops))
            self.assertIn("after restart", cut[0]["result"])
        kind, a, b = check
        if kind == "vf":
            self.assertEqual(det[a]["state"], b, point)
        elif kind == "numvfs":
            self.assertEqual(vfs["numvfs"], a)
            self.assertTrue(all(x["qmax"] == b for x in det), det)
        else:
            self.assertEqual(det[a]["qmax"], b)
            self.assertEqual(det[a]["fmap_qmax"], b)
        self.assertEqual(p2.stop(), 0, p2.output)
        card.stop()

    def test_crash_points(self):
        for case in CASES:
            self.one(*case)

    def test_crash_while_paused(self):
        """A VF paused with a forwarding guest (the snapshot is in the journal), then
        svffd killed in the middle of the unpause (SVFF_CRASH_AT=unpause:intent): after
        the restart the VF is still paused with the same snapshot, the cut unpause is
        reported rolled back, and a later unpause writes the snapshot back: the guest's
        traffic comes back with nothing lost."""
        from svff_tcheck import TrafficCheck
        config, d = private_config("crashp", card={"type": "socket"},
                                   vfs={"count": 2, "queues": 4})
        self.addCleanup(cleanup_dir, d)
        card = self.start_card(os.path.join(d, "card.sock"))
        prefix = unique_prefix("crashp")
        p = start_svffd(prefix, config, env={"SVFF_CRASH_AT": "unpause:intent"})
        self.addCleanup(p.stop)
        wait_ready(prefix, p)
        t = Telemetry(prefix)
        a = t.cmd("/svff/attach,vf=1,vm=vmP")
        tc = TrafficCheck(a["devargs"], "crashp")
        self.addCleanup(tc.cleanup)
        r = t.cmd("/svff/pause,vf=1")
        self.assertEqual((r.get("state"), r.get("path")), ("paused", "cooperative"), r)
        saved = r["saved_queues"]
        self.assertGreater(saved, 0, r)
        with self.assertRaises((OSError, ValueError)):
            t.cmd("/svff/unpause,vf=1")
        t.close()
        p.p.wait(timeout=30)
        self.assertEqual(p.p.returncode, -signal.SIGKILL)
        p.stop()

        p2 = start_svffd(prefix, config)
        self.addCleanup(p2.stop)
        wait_ready(prefix, p2)
        t = Telemetry(prefix)
        self.addCleanup(t.close)
        v = t.cmd("/svff/vf,1")
        self.assertEqual((v["state"], v["pause_path"], v["saved_queues"], v["vm"]),
                         ("paused", "cooperative", saved, "vmP"), v)
        ops = t.cmd("/svff/ops")
        self.assertIn("ops", ops, ops)
        ops = ops["ops"].values()
        self.assertTrue([o for o in ops if o["op"] == "unpause" and
                         o["state"] == "rolled-back"], ops)
        info, vfs, det, card_view, _ = self.snapshot(prefix)
        check_consistent(self, info, vfs, det)
        r = t.cmd("/svff/unpause,vf=1")
        self.assertEqual((r.get("state"), r.get("was"), r.get("restored_queues")),
                         ("attached", "cooperative", saved), r)
        self.assertEqual(t.cmd("/svff/info")["invariant_errors"], 0)
        tc.wait_flowing(what="the guest's traffic after the unpause by the new svffd")
        rep = tc.stop()
        self.assertEqual((rep["lost"], rep["duplicated"], rep["reordered"]), (0, 0, 0), rep)
        self.assertEqual(p2.stop(), 0, p2.output)
        card.stop()

    def test_sigterm_during_init(self):
        """A stop in the middle of a long init answers its client at once and
        the next start finishes the init."""
        import threading
        config, d = private_config("stopinit", vfs={"count": 0})
        self.addCleanup(cleanup_dir, d)
        prefix = unique_prefix("stopinit")
        p = start_svffd(prefix, config)
        self.addCleanup(p.stop)
        wait_ready(prefix, p)
        got = {}

        def run():
            t = Telemetry(prefix)
            try:
                got["r"] = t.cmd("/svff/init,numvfs=252,qmax=8")
            except (OSError, ValueError) as e:
                got["r"] = e
            finally:
                t.close()
        th = threading.Thread(target=run)
        th.start()
        t = Telemetry(prefix)
        wait_for(lambda: t.cmd("/svff/ops")["running"] != "", 30, "the init running", p)
        t.close()
        self.assertEqual(p.stop(signal.SIGTERM, timeout=20), 0, p.output)
        th.join(timeout=30)
        self.assertEqual(got["r"].get("code"), "shutdown", got)
        p2 = start_svffd(prefix, config)
        self.addCleanup(p2.stop)
        wait_ready(prefix, p2)
        info, vfs, det, card_view, ops = self.snapshot(prefix)
        self.assertEqual(vfs["numvfs"], 252)
        check_consistent(self, info, vfs, det)
        self.assertTrue([o for o in ops["ops"].values() if o["op"] == "init" and
                         o["state"] == "completed-after-restart"], ops)
        self.assertEqual(p2.stop(), 0)

    def test_embedded_card_grants_reasserted(self):
        """The embedded card dies with svffd: after the restart the journal
        rebuilds it (numvfs, FMAP) and re-grants the attached VF's token, so
        the guest's devargs from before the crash still open the VF."""
        import shutil
        from svfftest import private_plugin_dir
        from svffd_common import guest
        config, d = private_config("crashemb", vfs={"count": 4, "queues": 8})
        self.addCleanup(cleanup_dir, d)
        plugdir, plugin = private_plugin_dir()
        self.addCleanup(shutil.rmtree, plugdir, ignore_errors=True)
        prefix = unique_prefix("crashemb")
        p = start_svffd(prefix, config, env={"SVFF_CRASH_AT": "reconf:placed"})
        self.addCleanup(p.stop)
        wait_ready(prefix, p)
        t = Telemetry(prefix)
        devargs = t.cmd("/svff/attach,vf=1,vm=vmA")["devargs"]
        with self.assertRaises((OSError, ValueError)):
            t.cmd("/svff/reconf,vf=2,qmax=16")
        t.close()
        p.p.wait(timeout=30)
        p.stop()
        p2 = start_svffd(prefix, config)
        self.addCleanup(p2.stop)
        wait_ready(prefix, p2)
        info, vfs, det, card_view, ops = self.snapshot(prefix)
        check_consistent(self, info, vfs, det)
        self.assertEqual(vfs["vfs"][1].split()[0], "attached")
        self.assertEqual(det[2]["qmax"], 16)
        self.assertEqual(card_view["numvfs"], 4)
        g = guest(unique_prefix("crashg"), plugin, devargs)
        self.addCleanup(g.stop)
        self.assertNotIn("No probed ethernet devices", g.output())
        self.assertGreater(g.xstats()["mbox_tx"], 0)      # it talks to the new PF
        wait_for(lambda: Telemetry(prefix).cmd("/svff/vf,1")["online"] == 1, 20,
                 "the guest's HELLO")
        g.stop()


if __name__ == "__main__":
    main()
