#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The SVFF lifecycle through svffctl against svffd on the emulated card:
init 4 -> attach vf0..vf2 (a guest testpmd on vf0 with exactly the devargs
svffctl printed, forwarding traffic) -> vfs / vf N / ops / info tables and
their --json twins consistent -> detach vf1 -> quota of vf3; refusals exit 1
and change nothing; bad usage and an unreachable prefix exit 2."""
import json
import os
import re
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from svfftest import BUILD, main, unique_prefix  # noqa: E402
from svffd_common import svffd_for_class, check_consistent, forward, guest  # noqa: E402

SVFFCTL = os.path.join(BUILD, "app", "svffctl", "svffctl")


class Svffctl(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        svffd_for_class(cls, "ctl")

    def ctl(self, *args, prefix=None):
        """svffctl -f PREFIX ARGS: (exit status, stdout, stderr)."""
        r = subprocess.run([SVFFCTL, "-f", prefix or self.prefix] + list(args),
                           capture_output=True, text=True, timeout=180)
        return r.returncode, r.stdout, r.stderr

    def ok(self, *args):
        rc, out, err = self.ctl(*args)
        self.assertEqual(rc, 0, "svffctl %s: %s%s" % (" ".join(args), out, err))
        self.assertEqual(err, "")
        return out

    def js(self, *args):
        """svffctl --json ARGS: the value of the reply (exit 0 required)."""
        out = self.ok("--json", *args)
        obj = json.loads(out)
        self.assertEqual(len(obj), 1)
        return next(iter(obj.values()))

    def refused(self, *args):
        rc, out, err = self.ctl(*args)
        self.assertEqual(rc, 1, "svffctl %s: %s%s" % (" ".join(args), out, err))
        self.assertEqual(out, "")
        self.assertTrue(err.startswith("svffctl: refused: "), err)
        return err

    def consistent(self):
        info, vfs = self.js("info"), self.js("vfs")
        det = [self.js("vf", str(n)) for n in range(vfs["numvfs"])]
        check_consistent(self, info, vfs, det)
        return info, vfs, det

    def table(self):
        """svffctl vfs as rows: {vf: (state, queues, qbase, vm)}."""
        out = self.ok("vfs").splitlines()
        self.assertRegex(out[0], r"^\d+ of \d+ VFs enabled$")
        self.assertEqual(out[1].split(), ["VF", "STATE", "QUEUES", "QBASE", "VM"])
        rows = {}
        for line in out[2:]:
            vf, st, q, qb, vm = line.split()
            rows[int(vf)] = (st, int(q), int(qb), "" if vm == "-" else vm)
        return rows

    def test_lifecycle(self):
        self.assertEqual(self.table(), {})
        out = self.ok("init", "4", "8")
        self.assertRegex(out, r"^4 VFs x 8 queues enabled \(op \d+, ")
        info, vfs, det = self.consistent()
        self.assertEqual(info["vf_states"]["ready"], 4)
        self.assertEqual(self.table(), {n: ("ready", 8, det[n]["qbase"], "") for n in range(4)})

        # attach: the table form prints the guest's devargs, --json has them too
        out = self.ok("attach", "0", "guest0")
        m = re.search(r"^VF 0: attached to VM guest0, queues 8@(\d+) \(op \d+, .*\)\n"
                      r"guest devargs: (\S+)\n$", out)
        self.assertIsNotNone(m, out)
        devargs0 = m.group(2)
        self.assertRegex(devargs0, r"^net_qdma0,card=.*,fn=vf0,token=0x[0-9a-f]{16}$")
        for n in (1, 2):
            r = self.js("attach", str(n), "guest%d" % n)
            self.assertEqual((r["vf"], r["state"], r["vm"]), (n, "attached", "guest%d" % n))
            self.assertIn("fn=vf%d," % n, r["devargs"])
        info, vfs, det = self.consistent()
        self.assertEqual(info["vf_states"], {"ready": 1, "attached": 3, "paused": 0,
                                             "failed": 0})
        rows = self.table()
        for n in range(4):
            self.assertEqual(rows[n], (det[n]["state"], det[n]["qmax"], det[n]["qbase"],
                                       det[n]["vm"]))

        # the devargs svffctl printed open the VF in a guest, and traffic flows
        g = guest(unique_prefix("ctlg0"), self.plugin, devargs0)
        self.addCleanup(g.stop)
        st = forward(g)
        self.assertGreater(st["RX-packets"], 100, st)
        self.assertEqual(st["RX-errors"], 0)

        # vf N as key/value lines, the same as --json
        kv = {}
        for line in self.ok("vf", "1").splitlines():
            k, _, v = line.partition(" ")
            kv[k] = v.strip()
        d = self.js("vf", "1")
        self.assertEqual(kv["state"], d["state"])
        self.assertEqual(kv["vm"], "guest1")
        self.assertEqual(kv["reason"], "")
        self.assertEqual(int(kv["qbase"]), d["qbase"])
        self.assertEqual(int(kv["mbox.rx"]), d["mbox"]["rx"])

        # refusals: exit 1, a sentence and a code, nothing changed
        before = self.js("vfs")
        err = self.refused("attach", "9", "x")
        self.assertIn("[no-such-vf]", err)
        self.refused("attach", "0", "other")            # already attached
        self.refused("init", "2")                       # refused while attached
        self.refused("reconf", "0", "300")              # above the most queues
        rc, out, err = self.ctl("raw", "/svff/nosuch")
        self.assertEqual((rc, out), (1, ""))
        self.assertIn("no command /svff/nosuch", err)
        rc, out, err = self.ctl("--json", "attach", "9", "x")
        self.assertEqual(rc, 1)
        self.assertIn("error", json.loads(out)["/svff/attach"])
        self.assertEqual(self.js("vfs"), before)

        # bad usage (2) never reaches svffd
        for bad in (["vf", "x"], ["attach", "1", "a,b"], ["nosuch"], []):
            rc, out, err = self.ctl(*bad)
            self.assertEqual(rc, 2, "%s: %s%s" % (bad, out, err))
        self.assertEqual(self.js("vfs"), before)

        # detach vf1, quota of the unattached vf3
        out = self.ok("detach", "1")
        self.assertRegex(out, r"^VF 1: ready, queues 8@\d+ \(op \d+, ")
        out = self.ok("reconf", "3", "16")
        self.assertRegex(out, r"^VF 3: ready, queues 16@\d+ ")
        info, vfs, det = self.consistent()
        self.assertEqual(det[1]["state"], "ready")
        self.assertEqual(det[3]["qmax"], 16)

        # ops: newest first, every op of this test
        lines = self.ok("ops").splitlines()
        self.assertEqual(lines[0], "running: -")
        self.assertEqual(lines[1].split()[:3], ["ID", "OP", "TARGET"])
        ids = [int(line.split()[0]) for line in lines[2:]]
        self.assertEqual(ids, sorted(ids, reverse=True))
        body = "\n".join(lines[2:])
        for want in ("attach  vf0 vm=guest0", "attach  vf2 vm=guest2", "detach  vf1",
                     "reconf", "init"):
            self.assertIn(want, body)
        ops = self.js("ops")
        self.assertEqual(len(ids), len(ops["ops"]))

        # info, help and raw pass-through
        kv = self.ok("info")
        self.assertRegex(kv, r"(?m)^vf_states\.attached +2$")
        self.assertRegex(kv, r"(?m)^numvfs +4$")
        self.assertIn("/svff/attach", self.ok("help"))
        self.assertEqual(json.loads(self.ok("raw", "/svff/version"))["svff"],
                         self.js("version")["svff"])
        g.stop()

    def test_unreachable(self):
        rc, out, err = self.ctl("info", prefix=unique_prefix("nobody"))
        self.assertEqual(rc, 2)
        self.assertEqual(out, "")
        self.assertIn("cannot reach svffd", err)
        rc, out, err = self.ctl("--json", "vfs", prefix=unique_prefix("nobody"))
        self.assertEqual(rc, 2)


if __name__ == "__main__":
    main()
