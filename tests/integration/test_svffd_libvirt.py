#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""svffd with a real (private) libvirtd: on the emulated card a VM name that
is a libvirt domain must be running to get a VF, and a domain that stops
releases its VFs (the lifecycle event makes svffd detach them)."""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from svfftest import main, Telemetry, unique_prefix, wait_for  # noqa: E402
from svff_libvirtd import PrivateLibvirtd  # noqa: E402
from svffd_common import (check_consistent, cleanup_dir, private_config,  # noqa: E402
                          start_svffd, svffd_up, wait_ready)

XML = ("<domain type='qemu'><name>%s</name><memory unit='MiB'>32</memory><vcpu>1</vcpu>"
       "<os><type arch='x86_64' machine='pc'>hvm</type></os>"
       "<devices><memballoon model='none'/></devices></domain>")


class WithLibvirt(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        ok, why = PrivateLibvirtd.available()
        if not ok:
            raise unittest.SkipTest(why)
        cls.lv = PrivateLibvirtd()
        cls.lv.start()
        cls.addClassCleanup(cls.lv.stop)
        cls.running = "svfft-svffd-run-%d" % os.getpid()
        cls.stopped = "svfft-svffd-off-%d" % os.getpid()
        for name in (cls.running, cls.stopped):
            with tempfile.NamedTemporaryFile("w", suffix=".xml", delete=False) as f:
                f.write(XML % name)
            cls.lv.virsh("define", f.name)
            os.unlink(f.name)
        cls.lv.virsh("start", cls.running)
        svffd_up(cls, "lv", vfs={"count": 2}, libvirt_uri=cls.lv.uri)

    def test_domain_state_and_stop_event(self):
        r = self.tel.cmd("/svff/attach,vf=1,vm=%s" % self.stopped)
        self.assertEqual(r.get("code"), "hv-refused", r)
        self.assertIn("not running", r["error"])
        self.assertEqual(self.tel.cmd("/svff/vf,1")["state"], "ready")

        r = self.tel.cmd("/svff/attach,vf=0,vm=%s" % self.running)
        self.assertNotIn("error", r)
        self.lv.virsh("destroy", self.running)
        wait_for(lambda: self.tel.cmd("/svff/vf,0")["state"] == "ready", 30,
                 "VF 0 released when its domain stopped", self.svffd)
        ops = self.tel.cmd("/svff/ops")["ops"].values()
        self.assertTrue([o for o in ops if o["op"] == "detach" and
                         o["target"] == "vf0 vm=%s" % self.running and o["state"] == "done"])
        vfs = self.tel.cmd("/svff/vfs")
        check_consistent(self, self.tel.cmd("/svff/info"), vfs,
                         [self.tel.cmd("/svff/vf,%d" % n) for n in range(vfs["numvfs"])])

    def test_stopped_while_svffd_was_down(self):
        """kill -9 svffd, stop the domain, restart: the missed event is made
        up for at start-up."""
        import signal
        name = "svfft-svffd-down-%d" % os.getpid()
        with tempfile.NamedTemporaryFile("w", suffix=".xml", delete=False) as f:
            f.write(XML % name)
        self.lv.virsh("define", f.name)
        os.unlink(f.name)
        self.lv.virsh("start", name)
        prefix = unique_prefix("lvdown")
        config, d = private_config("lvdown", vfs={"count": 2}, libvirt_uri=self.lv.uri)
        self.addCleanup(cleanup_dir, d)
        p = start_svffd(prefix, config)
        self.addCleanup(p.stop)
        wait_ready(prefix, p)
        t = Telemetry(prefix)
        self.assertNotIn("error", t.cmd("/svff/attach,vf=1,vm=%s" % name))
        t.close()
        p.stop(signal.SIGKILL)
        self.lv.virsh("destroy", name)
        p2 = start_svffd(prefix, config)
        self.addCleanup(p2.stop)
        wait_ready(prefix, p2)
        t = Telemetry(prefix)
        try:
            d = t.cmd("/svff/vf,1")
            self.assertEqual((d["state"], d["vm"]), ("ready", ""), d)
            ops = t.cmd("/svff/ops")["ops"].values()
            self.assertTrue([o for o in ops if o["op"] == "detach" and name in o["target"]])
        finally:
            t.close()
        self.assertEqual(p2.stop(), 0)


if __name__ == "__main__":
    main()
