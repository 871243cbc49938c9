#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Bad input: malformed, out-of-range, duplicate-key, unknown-key,
wrong-state and oversized /svff/ commands.  Each gets a JSON error
{"error": sentence, "code": id}, and /svff/vfs plus the card's FMAP, the
PMD's windows and the grants (/svff/debug/card) are byte-for-byte the same
after each."""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from svfftest import main  # noqa: E402
from svffd_common import svffd_up  # noqa: E402

LONG = "a" * 65

# (command, expected code)
CASES = [
    ("/svff/init", "missing-key"),
    ("/svff/init,numvfs=253", "out-of-range"),
    ("/svff/init,numvfs=-1", "bad-number"),
    ("/svff/init,numvfs=04", "bad-number"),
    ("/svff/init,numvfs=4,numvfs=4", "duplicate-key"),
    ("/svff/init,numvfs=4,qmax=257", "out-of-range"),
    ("/svff/init,numvfs=4,colour=red", "unknown-key"),
    ("/svff/init,numvfs=", "bad-number"),
    ("/svff/init,numvfs", "bad-syntax"),
    ("/svff/init,=4", "bad-syntax"),
    ("/svff/init,numvfs=4,", "bad-syntax"),
    ("/svff/init,,numvfs=4", "bad-syntax"),
    ("/svff/init,numvfs=4", "vf-in-use"),
    ("/svff/init,numvfs=252,qmax=16", "no-room"),
    ("/svff/init,numvfs=99999999999", "bad-number"),
    ("/svff/init,numvfs=4x", "bad-number"),
    ("/svff/init,numvfs=0x4", "bad-number"),
    ("/svff/init,numvfs= 4", "bad-number"),
    ("/svff/init,NUMVFS=4", "unknown-key"),
    ("/svff/attach", "missing-key"),
    ("/svff/attach,vf=1", "missing-key"),
    ("/svff/attach,vm=x", "missing-key"),
    ("/svff/attach,vf=9,vm=x", "no-such-vf"),
    ("/svff/attach,vf=0,vm=x", "wrong-state"),
    ("/svff/attach,vf=1,vm=bad/name", "bad-name"),
    ("/svff/attach,vf=1,vm=" + LONG, "bad-name"),
    ("/svff/attach,vf=1,vm=a,vm=b", "duplicate-key"),
    ("/svff/attach,vf=1,vf=2,vm=a", "duplicate-key"),
    ("/svff/attach,vf=1,vm=a b", "bad-name"),
    ("/svff/attach,vf=252,vm=a", "out-of-range"),
    ("/svff/attach,vf=1,vm=\u00fcn\u00ef", "bad-name"),
    ("/svff/attach,vf=1,vm=", "bad-name"),
    ("/svff/detach,vf=1", "not-attached"),
    ("/svff/detach,vf=100", "no-such-vf"),
    ("/svff/detach", "missing-key"),
    ("/svff/detach,vf=1,vm=x", "unknown-key"),
    ("/svff/detach,vf=01", "bad-number"),
    ("/svff/reconf,vf=0,vfs=0-1,qmax=4", "bad-params"),
    ("/svff/reconf,vfs=1-0,qmax=4", "bad-range"),
    ("/svff/reconf,vf=1", "missing-key"),
    ("/svff/reconf,vf=1,qmax=257", "out-of-range"),
    ("/svff/reconf,vf=7,qmax=1", "no-such-vf"),
    ("/svff/reconf,vf=1,qmax=1.5", "bad-number"),
    ("/svff/vf,4", "no-such-vf"),
    ("/svff/vf,abc", "bad-syntax"),
    ("/svff/vf,1,2", "bad-syntax"),
    ("/svff/vf,vf=1,vf=1", "duplicate-key"),
    ("/svff/info,x", "no-params"),
    ("/svff/vfs,all=1", "no-params"),
    ("/svff/ops,1", "no-params"),
    ("/svff/debug/card,x", "no-params"),
    ("/svff/version,x", "no-params"),
    ("/svff/help,x", "no-params"),
    ("/svff/init,numvfs=4," + "x" * 600, "too-long"),
    ("/svff/attach,vf=1,vm=" + "y" * 900, "too-long"),
]


class BadInput(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        svffd_up(cls, "bad", vfs={"count": 4, "queues": 8})
        r = cls.tel.cmd("/svff/attach,vf=0,vm=victim")
        assert "devargs" in r, r

    def state(self):
        return json.dumps([self.tel.cmd("/svff/vfs"), self.tel.cmd("/svff/debug/card")],
                          sort_keys=True)

    def test_enough_kinds(self):
        self.assertGreaterEqual(len(CASES), 40)
        self.assertGreaterEqual(len({c for _, c in CASES}), 12)

    def test_each_refused_and_nothing_changes(self):
        before = self.state()
        self.assertIn("vf0:", before)            # the victim's grant is there
        # (no subTest: the TAP runner reports only whole tests)
        for cmd, code in CASES:
            r = self.tel.cmd(cmd)
            what = "%s -> %s" % (cmd[:80], r)
            self.assertEqual(set(r), {"error", "code"}, what)
            self.assertEqual(r["code"], code, what)
            self.assertGreater(len(r["error"]), 10, what)
            self.assertEqual(self.state(), before, "state changed after %s" % cmd[:80])
        # and svffd still works; the idle manager slept and was woken by the requests
        info = self.tel.cmd("/svff/info")
        self.assertEqual(info["invariant_errors"], 0)
        self.assertGreater(info["manager_wakeups"], 0)
        self.assertGreater(info["manager_polls_idle"], info["manager_polls_busy"])
        r = self.tel.cmd("/svff/ops")
        self.assertTrue(all(o["op"] in ("init", "attach") for o in r["ops"].values()), r)


if __name__ == "__main__":
    main()
