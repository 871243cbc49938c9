#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""svffd on the emulated card with libvirt_uri pointing at a private libvirtd
(QEMU/TCG domains), driven through svffctl: a VM name that is a libvirt domain
must be running (a shut-off one is refused and nothing changes); a name
libvirt does not know is a label; a domain that is destroyed, or undefined,
gives its VF back (the adapter's lifecycle events reach svffd's manager)."""
import json
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
from svfftest import BUILD, main, unique_prefix, wait_for  # noqa: E402
from svff_libvirtd import PrivateLibvirtd  # noqa: E402
from svffd_common import cleanup_dir, private_config, start_svffd, wait_ready  # noqa: E402

SVFFCTL = os.path.join(BUILD, "app", "svffctl", "svffctl")
DOMAIN_XML = ("<domain type='qemu'><name>%s</name><memory unit='MiB'>32</memory>"
              "<vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os>"
              "<devices><memballoon model='none'/></devices></domain>")

OK, WHY = PrivateLibvirtd.available()


@unittest.skipUnless(OK, WHY)
class SvffdLibvirt(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.lv = PrivateLibvirtd()
        try:
            cls.lv.start()
        except RuntimeError as e:
            raise unittest.SkipTest("private libvirtd did not start: %s" % e)
        cls.addClassCleanup(cls.lv.stop)
        cls.prefix = unique_prefix("lvd")
        cls.config, cls.dir = private_config("lvd", vfs={"count": 4},
                                             libvirt_uri=cls.lv.uri)
        cls.addClassCleanup(cleanup_dir, cls.dir)
        cls.svffd = start_svffd(cls.prefix, cls.config)
        cls.addClassCleanup(cls.svffd.stop)
        wait_ready(cls.prefix, cls.svffd)

    def ctl(self, *args):
        r = subprocess.run([SVFFCTL, "-f", self.prefix] + list(args), capture_output=True,
                           text=True, timeout=180)
        return r.returncode, r.stdout, r.stderr

    def vfs(self):
        rc, out, err = self.ctl("--json", "vfs")
        self.assertEqual(rc, 0, err)
        return json.loads(out)["/svff/vfs"]["vfs"]

    def domain(self, what):
        name = "svfft-lvd-%d-%s" % (os.getpid(), what)
        path = os.path.join(self.dir, name + ".xml")
        with open(path, "w") as f:
            f.write(DOMAIN_XML % name)
        self.lv.virsh("define", path)
        self.addCleanup(self.lv.virsh, "undefine", name, check=False)
        self.addCleanup(self.lv.virsh, "destroy", name, check=False)
        return name

    def test_domain_must_run(self):
        name = self.domain("off")
        before = self.vfs()
        rc, out, err = self.ctl("attach", "0", name)
        self.assertEqual(rc, 1, out + err)
        self.assertIn("not running", err)
        self.assertEqual(self.vfs(), before)
        # a name libvirt does not know is a label
        rc, out, err = self.ctl("attach", "1", "svfft-just-a-label")
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.ctl("detach", "1")[0], 0)

    def test_stopped_or_undefined_domain_releases_its_vf(self):
        name = self.domain("run")
        self.lv.virsh("start", name)
        rc, out, err = self.ctl("attach", "2", name)
        self.assertEqual(rc, 0, err)
        self.assertTrue(self.vfs()[2].startswith("attached"), self.vfs())
        self.lv.virsh("destroy", name)
        wait_for(lambda: self.vfs()[2].startswith("ready"), 60, "VF 2 released")
        # undefined (while it runs: it becomes transient): released too
        self.lv.virsh("start", name)
        rc, out, err = self.ctl("attach", "3", name)
        self.assertEqual(rc, 0, err)
        self.assertTrue(self.vfs()[3].startswith("attached"), self.vfs())
        self.lv.virsh("undefine", name)
        wait_for(lambda: self.vfs()[3].startswith("ready"), 60, "VF 3 released")
        rc, out, err = self.ctl("--json", "vf", "3")
        self.assertEqual(json.loads(out)["/svff/vf"]["vm"], "")


if __name__ == "__main__":
    main()
