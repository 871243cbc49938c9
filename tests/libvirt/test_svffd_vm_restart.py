#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""svffd's start-up with VFs its journal has in VMs, when the VMs are not
there to take them back (the case where they are is the vm suite's: a
real guest keeps forwarding across a kill -9 of svffd).  The journal is
written by hand, as a killed svffd leaves it:
  - the domain is gone (a UUID the private libvirtd does not know): the VF is
    released (ready, /svff/ops: reattach failed, then detach) and its BAR
    file in /dev/shm removed;
  - libvirtd does not answer: nothing can be checked, so the VF is left
    'failed' with the reason (detach still works), its file kept.
Both without a guest: a few seconds."""
import json
import os
import sys
import unittest
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
from svfftest import Telemetry, main, unique_prefix  # noqa: E402
from svff_libvirtd import PrivateLibvirtd  # noqa: E402
from svffd_common import cleanup_dir, private_config, start_svffd, wait_ready  # noqa: E402

OK, WHY = PrivateLibvirtd.available()


def journal(state_dir, vm, shmem):
    """state.json of a killed svffd: 4 VFs x 2 queues, vf0 attached to @vm."""
    os.makedirs(state_dir, mode=0o700, exist_ok=True)
    vfs = []
    for n in range(4):
        e = {"vf": n, "state": "ready", "vm": "", "token": "0", "qbase": 8 + 2 * n,
             "qmax": 2, "reason": ""}
        if n == 0:
            e.update(state="attached", vm=vm, vm_link={
                "uuid": str(uuid.uuid4()), "dom_id": 7, "shmem": shmem, "slot": 16,
                "ram_dev": "1", "ram_ino": "abc"})
        vfs.append(e)
    with open(os.path.join(state_dir, "state.json"), "w") as f:
        json.dump({"numvfs": 4, "next_op_id": 5, "vfs": vfs, "ops": [], "seq": 9}, f)


@unittest.skipUnless(OK, WHY)
class VmRestart(unittest.TestCase):
    def start(self, name, uri):
        prefix = unique_prefix(name)
        config, d = private_config(name, vfs={"count": 4, "queues": 2}, libvirt_uri=uri)
        self.addCleanup(cleanup_dir, d)
        tag = os.path.basename(d)
        shmem = "svff-svfft%s%d-vf0" % (name, os.getpid())   # the journal names the file
        bar = "/dev/shm/" + shmem
        self.assertFalse(os.path.exists(bar), "%s exists: another svffd's?" % bar)
        with open(bar, "wb") as f:          # what the killed svffd's card left
            f.truncate(1 << 20)
        self.addCleanup(lambda: os.path.exists(bar) and os.unlink(bar))
        journal(os.path.join(d, "state"), "svfft-gone-%s" % tag, shmem)
        p = start_svffd(prefix, config)
        self.addCleanup(p.stop)
        wait_ready(prefix, p, timeout=90)
        t = Telemetry(prefix)
        self.addCleanup(t.close)
        return t, bar

    def test_domain_gone_releases(self):
        lv = PrivateLibvirtd()
        try:
            lv.start()
        except RuntimeError as e:
            self.skipTest("private libvirtd did not start: %s" % e)
        self.addCleanup(lv.stop)
        t, bar = self.start("vmrgone", lv.uri)
        st = t.cmd("/svff/vf,vf=0")
        self.assertEqual((st["state"], st["vm"]), ("ready", ""), st)
        self.assertFalse(os.path.exists(bar))
        r = t.cmd("/svff/ops")
        self.assertIn("ops", r, r)
        ops = list(r["ops"].values())
        back = [o for o in ops if o["op"] == "reattach"]
        self.assertEqual([o["state"] for o in back], ["failed"], ops)
        self.assertIn("no longer exists", back[0]["result"])
        self.assertEqual(t.cmd("/svff/info")["hypervisor"]["vfs_in_vms"], 0)

    def test_libvirtd_unreachable_fails_vf(self):
        t, bar = self.start("vmrunreach",
                            "qemu+unix:///system?socket=/nonexistent/svfft-libvirt-sock")
        st = t.cmd("/svff/vf,vf=0")
        self.assertEqual(st["state"], "failed", st)
        self.assertIn("not given back to its VM", st["reason"])
        self.assertTrue(os.path.exists(bar))      # the VM may still map it
        r = t.cmd("/svff/detach,vf=0")
        self.assertEqual(r.get("state"), "ready", r)


if __name__ == "__main__":
    main()
