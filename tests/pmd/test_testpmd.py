#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""dpdk-testpmd with the QDMA PMD (-d plugin) over the emulated card's
loopback personality: io, rxonly, txonly and macswap forwarding with 1 and 4
queues, on the PF and on a VF served by a PF in another testpmd process.
Counters must be consistent: in loopback every packet sent comes back, so
received <= sent <= received + what is still in flight; no errors."""
import os
import shutil
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from svfftest import (BUILD, Proc, TestPmd, main, private_plugin_dir,  # noqa: E402
                      slot_dir, unique_prefix, wait_for)

SIMD = os.path.join(BUILD, "app", "qdma-simd", "qdma-simd")
BURST = 32


def start_card(sock, extra=()):
    p = Proc([SIMD, "--socket", sock, "--personality", "loopback", "--cpu", "0"] +
             list(extra))
    try:
        wait_for(lambda: os.path.exists(sock), 30, "card socket", p)
    except BaseException:
        p.stop()
        raise
    return p


def class_resources(cls, card_args=()):
    """A private socket directory, a private copy of the plugin and a card,
    each released by a class cleanup (which runs even if setUpClass fails)."""
    cls.dir = slot_dir()
    cls.addClassCleanup(shutil.rmtree, cls.dir, ignore_errors=True)
    cls.plugdir, cls.plugin = private_plugin_dir()
    cls.addClassCleanup(shutil.rmtree, cls.plugdir, ignore_errors=True)
    cls.sock = os.path.join(cls.dir, "card.sock")
    cls.card = start_card(cls.sock, card_args)
    cls.addClassCleanup(cls.card.stop)


class LoopbackMatrix:
    """Mixin: runs the forwarding matrix on self.pmd (one port, nq queues)."""

    def drain(self, pmd):
        pmd.cmd("set fwd rxonly")
        pmd.cmd("start")
        time.sleep(0.3)
        pmd.cmd("stop")
        pmd.cmd("clear port stats all")

    def check_no_errors(self, pmd, st):
        self.assertEqual(st["RX-errors"], 0)
        self.assertEqual(st["TX-errors"], 0)
        xs = pmd.xstats()
        for k, v in xs.items():
            if k.endswith("_errors") and (k.startswith("rx_q") or k.startswith("tx_q")):
                self.assertEqual(v, 0, "xstat %s" % k)

    def run_matrix(self, pmd, nq):
        for mode in ("io", "macswap"):
            self.drain(pmd)
            pmd.cmd("set fwd %s" % mode)
            pmd.cmd("start tx_first")
            time.sleep(1.0)
            pmd.cmd("stop")
            st = pmd.port_stats()
            rx, tx = st["RX-packets"], st["TX-packets"]
            self.assertGreater(rx, 1000, "%s: too few packets looped back: %s" % (mode, st))
            # every packet sent comes back; at most the tx_first bursts are in flight
            self.assertGreaterEqual(tx, rx, "%s: %s" % (mode, st))
            self.assertLessEqual(tx - rx, BURST * nq, "%s: %s" % (mode, st))
            self.assertEqual(st["RX-bytes"] * 1.0 / rx, 64.0, "%s: %s" % (mode, st))
            self.check_no_errors(pmd, st)

        # rxonly: exactly the tx_first bursts come back
        self.drain(pmd)
        pmd.cmd("set fwd rxonly")
        pmd.cmd("start tx_first")
        time.sleep(0.5)
        pmd.cmd("stop")
        st = pmd.port_stats()
        self.assertEqual(st["TX-packets"], BURST * nq, st)
        self.assertEqual(st["RX-packets"], BURST * nq, st)
        self.check_no_errors(pmd, st)

        # txonly: the card loops back until the receive rings are full, then
        # back-pressure stops the transmit side; nothing is lost
        self.drain(pmd)
        pmd.cmd("set fwd txonly")
        pmd.cmd("start")
        time.sleep(0.5)
        pmd.cmd("stop")
        st = pmd.port_stats()
        self.assertGreater(st["TX-packets"], 0, st)
        self.assertEqual(st["RX-packets"], 0, st)
        self.check_no_errors(pmd, st)
        sent = st["TX-packets"]
        pmd.cmd("clear port stats all")
        pmd.cmd("set fwd rxonly")
        pmd.cmd("start")
        got = 0
        for _ in range(100):     # until everything came back (10 s at most)
            time.sleep(0.1)
            got = pmd.port_stats()["RX-packets"]
            if got >= sent:
                break
        pmd.cmd("stop")
        st = pmd.port_stats()
        self.assertEqual(st["RX-packets"], sent, "txonly packets not all looped back")


class PfLoopback(unittest.TestCase, LoopbackMatrix):
    @classmethod
    def setUpClass(cls):
        class_resources(cls)

    def run_pf(self, nq):
        pmd = TestPmd(unique_prefix("pf%d" % nq), self.plugin,
                      ["net_qdma0,card=%s,fn=pf" % self.sock],
                      app_args=["--rxq=%d" % nq, "--txq=%d" % nq])
        try:
            self.run_matrix(pmd, nq)
        finally:
            pmd.stop()

    def test_pf_1_queue(self):
        self.run_pf(1)

    def test_pf_4_queues(self):
        self.run_pf(4)


class VfLoopback(unittest.TestCase, LoopbackMatrix):
    """The VF's PF is the same PMD in another testpmd process: it serves the
    VF's mailbox on its interrupt thread, and granted VF 0 to a token."""

    TOKEN = "0x5a17c0de"

    @classmethod
    def setUpClass(cls):
        class_resources(cls)
        cls.pf = TestPmd(unique_prefix("vfpf"), cls.plugin,
                         ["net_qdma0,card=%s,fn=pf,num_vfs=2,grants=%s" % (cls.sock, cls.TOKEN)])
        cls.addClassCleanup(cls.pf.stop)

    def run_vf(self, nq):
        pmd = TestPmd(unique_prefix("vf%d" % nq), self.plugin,
                      ["net_qdma0,card=%s,fn=vf0,token=%s" % (self.sock, self.TOKEN)],
                      app_args=["--rxq=%d" % nq, "--txq=%d" % nq])
        try:
            xs = pmd.xstats()
            self.assertGreater(xs["mbox_tx"], 0)
            self.run_matrix(pmd, nq)
        finally:
            pmd.stop()

    def test_vf_1_queue(self):
        self.run_vf(1)

    def test_vf_4_queues(self):
        self.run_vf(4)


class ProbeAndEvents(unittest.TestCase):
    """Probe errors are clear; PF departure reaches the VF as a removal event."""

    @classmethod
    def setUpClass(cls):
        class_resources(cls)   # not open: VFs need their grant token

    def failed_probe(self, vdev, extra_eal=()):
        """testpmd goes on without the port: the probe must have failed
        (no port) and said why."""
        p = TestPmd(unique_prefix("bad"), self.plugin, [vdev], extra_eal=extra_eal)
        try:
            out = p.output()
            self.assertIn("No probed ethernet devices", out)
        finally:
            p.stop()
        return out

    def test_unknown_devarg(self):
        out = self.failed_probe("net_qdma0,card=%s,fn=pf,colour=red" % self.sock)
        self.assertIn("cannot parse devargs", out)
        self.assertIn("colour=red", out)

    def test_bad_devarg_value(self):
        out = self.failed_probe("net_qdma0,card=%s,fn=vf-1" % self.sock)
        self.assertIn("bad value 'vf-1' for devarg 'fn'", out)

    def test_no_hugepages(self):
        out = self.failed_probe("net_qdma0,card=%s,fn=pf" % self.sock, extra_eal=["--no-huge"])
        self.assertIn("run with hugepages", out)

    def test_vf_without_grant(self):
        pf = TestPmd(unique_prefix("pf"), self.plugin,
                     ["net_qdma0,card=%s,fn=pf,num_vfs=1" % self.sock])
        try:
            out = self.failed_probe("net_qdma0,card=%s,fn=vf0,token=0x1234" % self.sock)
            # the card answers every refused open the same way (nothing about grants)
            self.assertIn("open refused", out)
        finally:
            pf.stop()

    def test_pf_bye_is_a_removal_event(self):
        # an open card lets the VF in without a token
        sock = os.path.join(self.dir, "open.sock")
        card = start_card(sock, ["--open"])
        try:
            pf = TestPmd(unique_prefix("pf"), self.plugin,
                         ["net_qdma0,card=%s,fn=pf,num_vfs=2" % sock])
            vf = TestPmd(unique_prefix("vf"), self.plugin,
                         ["net_qdma0,card=%s,fn=vf1" % sock])
            try:
                pf.stop()     # closing the PF sends PF_BYE to its VFs
                wait_for(lambda: "device removal event" in vf.output(), 20,
                         "the VF's removal event")
                self.assertIn("PF is going away", vf.output())
            finally:
                vf.stop()
                pf.stop()
        finally:
            card.stop()


if __name__ == "__main__":
    main()
