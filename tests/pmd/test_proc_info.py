#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""DPDK secondary processes on QDMA ports: dpdk-proc-info --stats / --xstats
against a running PF testpmd and a running VF testpmd (each the primary of its
own --file-prefix) shows the port and the same counters the primary shows,
after traffic through the emulated card's loopback. The same against a running
svffd (its PF port: the mailbox counters of serving a VF) and against the guest
testpmd on the VF svffd handed out (its traffic counters)."""
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
from svfftest import (BUILD, Proc, Telemetry, TestPmd, dpdk_bin, main,  # noqa: E402
                      private_plugin_dir, slot_dir, unique_prefix, wait_for)
from svffd_common import svffd_for_class  # noqa: E402

SIMD = os.path.join(BUILD, "app", "qdma-simd", "qdma-simd")
TOKEN = "0x77aa55"
# A secondary maps the primary's memory at the primary's addresses, so they must be free in the
# secondary too. In the sanitizer build the sanitizer's own mappings may take them (DPDK then
# says "please use '--base-virtaddr'"): both primaries place their memory above ASan's shadow.
BASE_VA = ["--base-virtaddr=0x200000000000"]


def proc_info(prefix, plugin, *args):
    """Run dpdk-proc-info as a secondary of @prefix; (exit code, output). The
    process is killed by PID if it does not finish."""
    argv = [dpdk_bin("dpdk-proc-info"), "--file-prefix", prefix, "--no-pci",
            "-d", plugin, "--log-level=pmd.net.qdma.*:info", "--"] + list(args)
    env = dict(os.environ)
    pre = os.environ.get("SVFF_PLUGIN_PRELOAD")
    if pre:
        env["LD_PRELOAD"] = pre
        env["ASAN_OPTIONS"] = "detect_leaks=0:abort_on_error=1"
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         env=env, start_new_session=True)
    try:
        out, _ = p.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, _ = p.communicate()
        raise AssertionError("dpdk-proc-info did not finish:\n" + out)
    return p.returncode, out


def parse_stats(out):
    """Port -> {RX-packets, TX-packets, RX-bytes, TX-bytes} from --stats."""
    ports = {}
    for m in re.finditer(r"NIC statistics for port (\d+)\s*#+\s*\n(.*?)#{10,}", out, re.S):
        body = m.group(2)
        st = {}
        for k in ("RX-packets", "TX-packets", "RX-bytes", "TX-bytes", "RX-errors",
                  "TX-errors"):
            v = re.search(r"^\s*.*?\b%s:\s+(\d+)" % k, body, re.M)
            st[k] = int(v.group(1)) if v else None
        ports[int(m.group(1))] = st
    return ports


def parse_xstats(out):
    """Port -> {name: value} from --xstats."""
    ports = {}
    parts = re.split(r"#+ NIC extended statistics for port (\d+)\s*#+", out)
    for i in range(1, len(parts), 2):
        ports[int(parts[i])] = {m.group(1): int(m.group(2)) for m in
                                re.finditer(r"^(\S+): (\d+)\s*$", parts[i + 1], re.M)}
    return ports


def traffic(tc, pmd):
    """Loopback traffic on @pmd (io forwarding); returns its port stats."""
    pmd.cmd("set fwd io")
    pmd.cmd("start tx_first")
    time.sleep(1.0)
    pmd.cmd("stop")
    st = pmd.port_stats()
    tc.assertGreater(st["RX-packets"], 0, st)
    return st


def check_stats(tc, pmd, prefix, plugin, role):
    """proc-info --stats / --xstats of @pmd's port 0 equal what @pmd shows, after
    traffic; returns the xstats."""
    want = traffic(tc, pmd)
    rc, out = proc_info(prefix, plugin, "--stats")
    tc.assertEqual(rc, 0, out)
    ports = parse_stats(out)
    tc.assertIn(0, ports, "no port in the secondary:\n" + out)
    got = ports[0]
    for k in ("RX-packets", "TX-packets", "RX-bytes", "TX-bytes"):
        tc.assertGreater(got[k], 0, "%s %s: %s" % (role, k, got))
        tc.assertEqual(got[k], want[k], "%s %s: secondary %s, primary %s"
                       % (role, k, got, want))
    tc.assertEqual(got["RX-errors"], 0)
    rc, out = proc_info(prefix, plugin, "--xstats")
    tc.assertEqual(rc, 0, out)
    xs = parse_xstats(out).get(0)
    tc.assertIsNotNone(xs, "no xstats for port 0:\n" + out)
    tc.assertEqual(xs.get("rx_q0_packets"), want["RX-packets"], xs)
    tc.assertEqual(xs.get("tx_q0_packets"), want["TX-packets"], xs)
    tc.assertGreater(xs.get("rx_q0_doorbells", 0), 0, xs)
    return xs


class ProcInfo(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = slot_dir()
        cls.addClassCleanup(shutil.rmtree, cls.dir, ignore_errors=True)
        cls.plugdir, cls.plugin = private_plugin_dir()
        cls.addClassCleanup(shutil.rmtree, cls.plugdir, ignore_errors=True)
        cls.sock = os.path.join(cls.dir, "card.sock")
        cls.card = Proc([SIMD, "--socket", cls.sock, "--personality", "loopback",
                         "--cpu", "0"])
        cls.addClassCleanup(cls.card.stop)
        wait_for(lambda: os.path.exists(cls.sock), 30, "card socket", cls.card)
        cls.pf_prefix = unique_prefix("pi-pf")
        cls.pf = TestPmd(cls.pf_prefix, cls.plugin,
                         ["net_qdma0,card=%s,fn=pf,num_vfs=1,grants=%s" % (cls.sock, TOKEN)],
                         extra_eal=BASE_VA, mem_mb=128)
        cls.addClassCleanup(cls.pf.stop)
        cls.vf_prefix = unique_prefix("pi-vf")
        cls.vf = TestPmd(cls.vf_prefix, cls.plugin,
                         ["net_qdma0,card=%s,fn=vf0,token=%s" % (cls.sock, TOKEN)],
                         extra_eal=BASE_VA, mem_mb=128)
        cls.addClassCleanup(cls.vf.stop)   # class cleanups run last-in first-out

    def traffic(self, pmd):
        return traffic(self, pmd)

    def check(self, pmd, prefix, role):
        return check_stats(self, pmd, prefix, self.plugin, role)

    def test_pf_primary(self):
        xs = self.check(self.pf, self.pf_prefix, "PF")
        self.assertGreater(xs.get("mbox_rx", 0), 0, "the PF served its VF: %s" % xs)

    def test_vf_primary(self):
        xs = self.check(self.vf, self.vf_prefix, "VF")
        self.assertGreater(xs.get("mbox_tx", 0), 0, "the VF talked to its PF: %s" % xs)

    def test_primary_still_works(self):
        """The secondary came and went: the primary's port still forwards."""
        rc, out = proc_info(self.pf_prefix, self.plugin, "--stats")
        self.assertEqual(rc, 0, out)
        self.traffic(self.pf)


class SvffdProcInfo(unittest.TestCase):
    """svffd (the PF) and the guest on the VF it handed out, each a primary."""

    @classmethod
    def setUpClass(cls):
        svffd_for_class(cls, "pi-svffd", eal=BASE_VA)
        t = Telemetry(cls.prefix)
        try:
            r = t.cmd("/svff/init,numvfs=1,qmax=2")
            a = t.cmd("/svff/attach,vf=0,vm=piguest")
        finally:
            t.close()
        if "devargs" not in a:
            raise AssertionError("attach: %s (init: %s)" % (a, r))
        cls.guest_prefix = unique_prefix("pi-guest")
        cls.guest = TestPmd(cls.guest_prefix, cls.plugin, [a["devargs"]], extra_eal=BASE_VA,
                            mem_mb=128)
        cls.addClassCleanup(cls.guest.stop)

    def test_svffd_pf(self):
        """svffd's PF port in dpdk-proc-info: the port, its stats (svffd moves no
        packets on the PF: zero, no errors) and the mailbox counters of serving
        the guest's VF, non-zero after the guest's set-up and traffic."""
        traffic(self, self.guest)
        rc, out = proc_info(self.prefix, self.plugin, "--stats")
        self.assertEqual(rc, 0, out)
        ports = parse_stats(out)
        self.assertIn(0, ports, "no port in the secondary of svffd:\n" + out)
        self.assertEqual(ports[0]["RX-errors"], 0, ports[0])
        self.assertEqual(ports[0]["TX-errors"], 0, ports[0])
        rc, out = proc_info(self.prefix, self.plugin, "--xstats")
        self.assertEqual(rc, 0, out)
        xs = parse_xstats(out).get(0)
        self.assertIsNotNone(xs, "no xstats for svffd's port 0:\n" + out)
        # HELLO, CSR, QREQ, FMAP, QNOTIFY and QCTXT of the guest, each answered
        self.assertGreaterEqual(xs.get("mbox_rx", 0), 6, xs)
        self.assertGreaterEqual(xs.get("mbox_tx", 0), 6, xs)
        self.assertEqual(xs.get("mbox_rejected"), 0, xs)
        self.assertEqual(xs.get("mbox_timeouts"), 0, xs)

    def test_svffd_guest(self):
        """The guest testpmd on svffd's VF: its traffic counters in proc-info."""
        xs = check_stats(self, self.guest, self.guest_prefix, self.plugin, "guest VF")
        self.assertGreater(xs.get("mbox_tx", 0), 0, "the VF talked to svffd: %s" % xs)

    def test_svffd_still_serves(self):
        """The secondary came and went: svffd still answers and its guest forwards."""
        rc, out = proc_info(self.prefix, self.plugin, "--stats")
        self.assertEqual(rc, 0, out)
        t = Telemetry(self.prefix)
        try:
            vf = t.cmd("/svff/vf,0")
        finally:
            t.close()
        self.assertEqual(vf.get("state"), "attached", vf)
        traffic(self, self.guest)


if __name__ == "__main__":
    main()
