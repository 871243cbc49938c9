#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Smoke test of the benchmark harness (CI): tests/bench/bench.py in its
shortest form writes report.md, results.json (and the plots when
matplotlib is there), prints the summary, and every row it promises is
either measured or carries a reason.  No figure is judged.  The VM rows
(a TCG guest under libvirtd: minutes on a loaded machine) are skipped here
with --vm-rounds 0 and must say so; the vm suite covers that path."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from svfftest import main  # noqa: E402

BENCH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench.py")
SIZES = (64, 256, 1500, 4096)
SUBJECTS = ("svff VF", "svff PF", "net_null", "vhost-user")
OPS = ("init", "attach", "detach", "pause", "unpause", "quota reconf", "count reconf")
VM_OPS = ("VM attach", "VM attach to traffic", "VM pause gap", "VM detach", "VM re-attach gap")


def have_matplotlib():
    for py in dict.fromkeys([sys.executable, "/usr/bin/python3"]):
        if os.path.exists(py) and subprocess.run([py, "-c", "import matplotlib"],
                                                 capture_output=True).returncode == 0:
            return True
    return False


class Smoke(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.out = tempfile.mkdtemp(prefix="svff-bench-")
        cls.addClassCleanup(shutil.rmtree, cls.out, ignore_errors=True)
        cls.run_ = subprocess.run(
            [sys.executable, BENCH, "--out", cls.out, "--secs", "0.2", "--rounds", "1",
             "--sizes", ",".join(map(str, SIZES)), "--lc-runs", "3", "--lc-budget", "10",
             "--scale-vfs", "4,252", "--scale-rounds", "1", "--mem-mb", "160",
             "--vm-rounds", "0"],
            capture_output=True, text=True, timeout=360)
        sys.stderr.write(cls.run_.stderr[-6000:])
        path = os.path.join(cls.out, "results.json")
        cls.res = json.load(open(path)) if os.path.exists(path) else None

    def test_exit_and_summary(self):
        self.assertEqual(self.run_.returncode, 0, self.run_.stderr[-3000:])
        self.assertIn("subject", self.run_.stdout)
        self.assertIn("report: ", self.run_.stdout)

    def test_files(self):
        self.assertIsNotNone(self.res, "results.json was not written")
        with open(os.path.join(self.out, "report.md")) as f:
            rep = f.read()
        for h in ("## Data plane", "## Lifecycle", "## Control under load", "## Scale",
                  "## Reproduce", "Machine: "):
            self.assertIn(h, rep)
        self.assertNotIn("None", rep)
        pngs = [f for f in os.listdir(self.out) if f.endswith(".png")]
        if have_matplotlib():
            self.assertEqual(sorted(pngs), sorted(self.res["plots"].get("files", [])))
            self.assertTrue(pngs, "matplotlib is there but no plot was drawn: %s"
                            % self.res["plots"])
        else:
            self.assertIn("reason", self.res["plots"])
            self.assertIn("Plots: not drawn", rep)

    def filled_or_reason(self, row, keys):
        if "reason" in row:
            self.assertIsInstance(row["reason"], str)
            self.assertTrue(row["reason"].strip(), row)
            return False
        for k in keys:
            self.assertIn(k, row)
            self.assertIsNotNone(row[k], (k, row))
        return True

    def test_dataplane_rows(self):
        rows = self.res["dataplane"]["rows"]
        for z in SIZES:
            for s in SUBJECTS:
                mine = [r for r in rows if r["size"] == z and r["subject"] == s]
                self.assertEqual(len(mine), 1, (z, s))
                r = mine[0]
                if self.filled_or_reason(r, ("mpps", "gbps", "cpp", "cores")):
                    self.assertGreater(r["mpps"]["median"], 0, r)
                    self.assertGreater(r["cpp"]["median"], 0, r)
                    self.assertLessEqual(r["cpp"]["min"], r["cpp"]["max"])
                    self.assertNotEqual(r["cores"].get("forwarding lcore", "?"), "?", r)
                if s.startswith("svff") and "reason" not in r:
                    for k in ("ratio_net_null", "ratio_vhost"):
                        self.assertTrue(k in r or k + "_reason" in r, (k, r))
                if s == "svff VF" and "reason" not in r:
                    self.assertIn("token_from", r)

    def test_lifecycle_rows(self):
        rows = self.res["lifecycle"]["rows"]
        ops = [r["op"] for r in rows]
        for op in OPS:
            self.assertIn(op, ops)
        self.assertEqual(ops.count("init"), 3)
        for op in VM_OPS:
            mine = [r for r in rows if r["op"] == op]
            self.assertEqual(len(mine), 1, op)
            self.assertIn("--vm-rounds 0", mine[0].get("reason", ""), mine[0])
        for r in rows:
            if self.filled_or_reason(r, ("latency", "cores")):
                self.assertGreater(r["latency"]["n"], 0)
                self.assertLessEqual(r["latency"]["p50_ms"], r["latency"]["p99_ms"])
        gap = [r for r in rows if r["op"] == "pause gap vs detach->attach gap"]
        self.assertEqual(len(gap), 1, ops)
        if self.filled_or_reason(gap[0], ("pause_gap", "reattach_gap", "ratio_p50")):
            self.assertIn("detach->attach gap", ops)

    def test_control_rows(self):
        rows = self.res["control"]["rows"]
        self.assertTrue(rows)
        for r in rows:
            self.filled_or_reason(r, ("latency", "throughput_change_pct", "cores"))

    def test_scale_rows(self):
        rows = self.res["scale"]["rows"]
        self.assertEqual([r["numvfs"] for r in rows], [4, 252])
        for r in rows:
            if self.filled_or_reason(r, ("start_to_ready_ms", "rss_mib", "cores")):
                self.assertTrue("init_cmd_ms" in r or "init_cmd_reason" in r, r)


if __name__ == "__main__":
    main()
