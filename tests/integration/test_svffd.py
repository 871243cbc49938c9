#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""svffd skeleton end to end: starts on the shipped config, answers
/svff/info and /svff/version (also through dpdk-telemetry.py), refuses bad
parameters, stops cleanly on SIGTERM/SIGINT, and refuses bad config files
without starting anything."""
import json
import os
import signal
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from svfftest import (BUILD, DPDK_BIN, RUNTIME, SOURCE, Proc, Telemetry,  # noqa: E402
                      main, slot_dir, telemetry_path, unique_prefix, wait_for)

SVFFD = os.path.join(BUILD, "app", "svffd", "svffd")
CONFIG = os.path.join(SOURCE, "config", "default.json")


def private_config(name):
    """The shipped config with the embedded card's socket in a private
    directory, so that several svffd instances can run side by side."""
    d = slot_dir()
    with open(CONFIG) as f:
        cfg = json.load(f)
    cfg["card"]["socket"] = os.path.join(d, "card.sock")
    cfg["state_dir"] = os.path.join(d, "state")
    cfg["libvirt_uri"] = ""
    path = os.path.join(d, "svffd-%s.json" % name)
    with open(path, "w") as f:
        json.dump(cfg, f)
    return path


def start(prefix, config=None):
    config = config or private_config(prefix)
    return Proc([SVFFD, "-l", "0", "--file-prefix", prefix, "-m", "256", "--",
                 "--config", config])


def wait_ready(prefix, proc):
    """svffd is ready when its /svff/ commands answer."""
    wait_for(lambda: os.path.exists(telemetry_path(prefix)), 60, "telemetry socket", proc)

    def up():
        t = Telemetry(prefix)
        try:
            return "/svff/info" in t.cmd("/")
        finally:
            t.close()
    wait_for(up, 60, "/svff/ commands", proc)


class Running(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.prefix = unique_prefix("run")
        cls.config = private_config("run")
        cls.proc = start(cls.prefix, cls.config)
        cls.addClassCleanup(cls.proc.stop)
        wait_ready(cls.prefix, cls.proc)
        cls.tel = Telemetry(cls.prefix)
        cls.addClassCleanup(cls.tel.close)

    def test_info(self):
        r = self.tel.cmd("/svff/info")
        self.assertEqual(r["name"], "svffd")
        self.assertEqual(r["state"], "running")
        self.assertEqual(r["card_type"], "emulated")
        self.assertEqual(r["vfs"], 4)
        self.assertEqual(r["vf_queues"], 8)
        self.assertEqual(r["config"], self.config)
        self.assertGreaterEqual(r["uptime_s"], 0)
        # the embedded card is in its slot and svffd drives its PF
        self.assertEqual(r["card_ip"], "QDMA3.1 soft 2019.2")
        self.assertEqual(r["card_num_queues"], 2048)
        self.assertEqual(r["pf_function"], 0)
        self.assertEqual(r["numvfs"], 4)
        # the hypervisor side: the embedded card takes VMs when libvirt is built in
        hv = r["hypervisor"]
        self.assertEqual(hv["adapter"], "emulated")
        self.assertEqual(hv["vm_passthrough"], hv["libvirt"])
        self.assertEqual(hv["vfs_in_vms"], 0)
        if not hv["libvirt"]:
            self.assertIn("without libvirt", hv["vm_passthrough_note"])

    def test_version(self):
        r = self.tel.cmd("/svff/version")
        with open(os.path.join(SOURCE, "VERSION")) as f:
            self.assertEqual(r["svff"], f.read().strip())
        self.assertTrue(r["dpdk"].startswith("DPDK 22.11"))

    def test_params_refused(self):
        r = self.tel.cmd("/svff/info,extra")
        self.assertIn("error", r)
        self.assertIn("no parameters", r["error"])
        # and the daemon still answers normally afterwards
        self.assertEqual(self.tel.cmd("/svff/info")["state"], "running")

    def test_commands_listed(self):
        r = self.tel.cmd("/")
        self.assertIn("/svff/info", r)
        self.assertIn("/svff/version", r)

    def test_dpdk_telemetry_py(self):
        tool = os.path.join(DPDK_BIN, "dpdk-telemetry.py")
        out = subprocess.run([sys.executable, tool, "-f", self.prefix],
                             input="/svff/info\n", capture_output=True, text=True,
                             timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        line = [ln for ln in out.stdout.splitlines() if "/svff/info" in ln][0]
        self.assertEqual(json.loads(line)["/svff/info"]["name"], "svffd")


class Lifecycle(unittest.TestCase):
    def test_sigterm_and_sigint_stop_cleanly(self):
        for sig in (signal.SIGTERM, signal.SIGINT):
            prefix = unique_prefix("sig%d" % sig)
            p = start(prefix)
            self.addCleanup(p.stop)
            wait_ready(prefix, p)
            rc = p.stop(sig)
            self.assertEqual(rc, 0, p.output)
            self.assertIn("stopped", p.output)

    def test_help(self):
        out = subprocess.run([SVFFD, "--help"], capture_output=True, text=True, timeout=10)
        self.assertEqual(out.returncode, 0)
        self.assertIn("--config", out.stdout)


class EalDefaults(unittest.TestCase):
    """The config's "eal" list supplies the EAL options the command line
    does not give; the main lcore is the manager lcore."""

    def manager_lcore(self, cmdline_eal):
        path = private_config("eal")
        with open(path) as f:
            cfg = json.load(f)
        cfg["eal"] = ["-l", "1", "-m", "128"]
        with open(path, "w") as f:
            json.dump(cfg, f)
        prefix = unique_prefix("eal")
        p = Proc([SVFFD] + cmdline_eal + ["--file-prefix", prefix, "--", "--config", path])
        self.addCleanup(p.stop)
        wait_ready(prefix, p)
        t = Telemetry(prefix)
        try:
            return t.cmd("/svff/info")["manager_lcore"]
        finally:
            t.close()
            self.assertEqual(p.stop(), 0)

    def test_config_eal_is_the_default(self):
        self.assertEqual(self.manager_lcore([]), 1)

    def test_command_line_wins(self):
        self.assertEqual(self.manager_lcore(["-l", "0"]), 0)

    def test_svffd_options_after_the_double_dash(self):
        prefix = unique_prefix("order")
        out = subprocess.run([SVFFD, "--file-prefix", prefix, "--config", CONFIG],
                             capture_output=True, text=True, timeout=30)
        self.assertNotEqual(out.returncode, 0)   # EAL refuses --config: it is ours
        self.assertIn("EAL", out.stdout + out.stderr)


class BadConfig(unittest.TestCase):
    CASES = [
        ('{\n  "vfs": {\n    "count": 4,,\n  }\n}', ":3:"),           # syntax: line 3
        ('{"card": {"queues": 8, "colour": "red"}}', "unknown key 'card.colour'"),
        ('{"vfs": {"count": "four"}}', "'vfs.count': expected an integer, got a string"),
    ]

    def test_bad_configs_start_nothing(self):
        for text, needle in self.CASES:
            with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
                f.write(text)
                path = f.name
            prefix = unique_prefix("bad")
            try:
                out = subprocess.run([SVFFD, "-l", "0", "--file-prefix", prefix, "--",
                                      "--config", path],
                                     capture_output=True, text=True, timeout=30)
            finally:
                os.unlink(path)
            self.assertNotEqual(out.returncode, 0)
            self.assertIn(path, out.stderr)
            self.assertIn(needle, out.stderr)
            # nothing started: EAL never created its runtime directory
            self.assertFalse(os.path.exists(os.path.join(RUNTIME, prefix)))


if __name__ == "__main__":
    main()
