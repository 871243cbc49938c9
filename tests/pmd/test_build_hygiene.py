#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Build hygiene of the PMD, as DPDK's own checks do it:
- the plugin (librte_net_qdma.so) exports rte_pmd_qdma_* only (nm -D);
- every function of rte_pmd_qdma.h is __rte_experimental, documented with
  @param for each parameter and @return, and exported;
- lib/svff compiles against the driver's API directory only: no lib/qdma_hw,
  no driver internals on its include path (compile_commands.json);
- only the probe files (qdma_pci.c, qdma_vdev.c) know which bus a port is on:
  everything else goes through the attachment's ops (struct qdma_bus_ops);
- the device ops, the queues and the MM queues depend one way (qdma_ethdev.c ->
  qdma_queue.c, qdma_mm.c; qdma_mm.c -> qdma_queue.c): no call loop between
  them (nm of the objects)."""
import json
import os
import re
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from svfftest import BUILD, SOURCE, main  # noqa: E402

PLUGIN = os.path.join(BUILD, "drivers", "librte_net_qdma.so")
HEADER = os.path.join(SOURCE, "drivers", "net", "qdma", "include", "rte_pmd_qdma.h")
# the version nodes of drivers/net/qdma/version.map (absolute symbols, as every DPDK driver has)
VERSION_NODES = {"DPDK_23", "EXPERIMENTAL"}


def header_functions():
    """(name, doc comment, parameter names, preceded by __rte_experimental) per function."""
    text = open(HEADER).read()
    out = []
    for m in re.finditer(r"(/\*\*(?:(?!\*/).)*\*/)\s*(__rte_experimental\s+)?"
                         r"int\s+(rte_pmd_qdma_\w+)\(([^)]*)\);", text, re.S):
        doc, exp, name, params = m.groups()
        pnames = [re.split(r"[\s*]+", p.strip())[-1] for p in params.split(",")]
        out.append((name, doc, pnames, exp is not None))
    # every prototype in the file was matched (none without a doc comment)
    protos = re.findall(r"^int\s+(rte_pmd_qdma_\w+)\(", text, re.M)
    return out, protos


class Exports(unittest.TestCase):
    def test_only_api_symbols(self):
        nm = subprocess.run(["nm", "-D", "--defined-only", PLUGIN], check=True,
                            capture_output=True, text=True).stdout
        bad = []
        names = set()
        for line in nm.splitlines():
            parts = line.split()
            if len(parts) < 3:
                continue
            kind, sym = parts[1], parts[2].split("@")[0]
            if kind == "A" and sym in VERSION_NODES:
                continue
            if not sym.startswith("rte_pmd_qdma_"):
                bad.append(line)
            names.add(sym)
        self.assertEqual(bad, [], "the plugin exports more than its API")
        funcs, _ = header_functions()
        self.assertEqual(names, {f[0] for f in funcs},
                         "exports and rte_pmd_qdma.h disagree")

    def test_api_documented_and_experimental(self):
        funcs, protos = header_functions()
        self.assertGreater(len(funcs), 0)
        self.assertEqual(sorted(f[0] for f in funcs), sorted(protos),
                         "a prototype without a doc comment")
        for name, doc, params, exp in funcs:
            with self.subTest(name):
                self.assertTrue(exp, "%s is not __rte_experimental" % name)
                self.assertIn("@return", doc, name)
                for p in params:
                    self.assertRegex(doc, r"@param\s+%s\b" % re.escape(p),
                                     "%s: @param %s missing" % (name, p))


class IncludePaths(unittest.TestCase):
    def test_svff_sees_the_api_only(self):
        with open(os.path.join(BUILD, "compile_commands.json")) as f:
            cmds = json.load(f)
        svff = [c for c in cmds if re.search(r"(^|/)lib/svff/[^/]+\.c$", c["file"])]
        self.assertGreater(len(svff), 0)
        for c in svff:
            incs = re.findall(r"-I\s*(\S+)", c["command"])
            for inc in incs:
                norm = os.path.normpath(os.path.join(c["directory"], inc))
                rel = os.path.relpath(norm, os.path.abspath(SOURCE))
                with self.subTest(file=c["file"], inc=rel):
                    self.assertFalse(rel.startswith("lib/qdma_hw"), rel)
                    self.assertFalse(rel.startswith("lib/qdma_sim"), rel)
                    self.assertFalse(rel.startswith("lib/vslot"), rel)
                    if rel.startswith("drivers/net/qdma"):
                        self.assertEqual(rel, "drivers/net/qdma/include")


class BusOps(unittest.TestCase):
    PROBE_FILES = {"qdma_pci.c", "qdma_vdev.c"}

    def test_no_bus_checks_outside_the_probe_files(self):
        d = os.path.join(SOURCE, "drivers", "net", "qdma")
        found = []
        for name in sorted(os.listdir(d)):
            if not name.endswith((".c", ".h")) or name in self.PROBE_FILES:
                continue
            for i, line in enumerate(open(os.path.join(d, name)), 1):
                if re.search(r"QDMA_BUS_|->bus\s*[!=]=\s*&|vslot_client_|rte_pci_", line):
                    found.append("%s:%d: %s" % (name, i, line.strip()))
        self.assertEqual(found, [], "bus-specific code outside the probe files")


class Layers(unittest.TestCase):
    OBJDIR = os.path.join(BUILD, "drivers", "librte_net_qdma.so.p")
    # lower layers first: a file may call the ones after it, never the ones before
    ORDER = ["qdma_ethdev", "qdma_mm", "qdma_queue", "qdma_common"]

    def symbols(self, name):
        obj = os.path.join(self.OBJDIR, "net_qdma_%s.c.o" % name)
        out = subprocess.run(["nm", obj], check=True, capture_output=True,
                             text=True).stdout
        defined, undefined = set(), set()
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[1] in "TDRB":
                defined.add(parts[2])
            elif len(parts) == 2 and parts[0] == "U":
                undefined.add(parts[1])
        return defined, undefined

    def test_one_way(self):
        syms = {n: self.symbols(n) for n in self.ORDER}
        for i, lower in enumerate(self.ORDER):
            for upper in self.ORDER[:i]:
                with self.subTest(lower=lower, upper=upper):
                    calls = sorted(syms[lower][1] & syms[upper][0])
                    self.assertEqual(calls, [], "%s.c calls into %s.c" % (lower, upper))
        # and the upper ones do use the lower ones (the order is not vacuous)
        self.assertTrue(syms["qdma_ethdev"][1] & syms["qdma_queue"][0])
        self.assertTrue(syms["qdma_ethdev"][1] & syms["qdma_mm"][0])
        self.assertTrue(syms["qdma_mm"][1] & syms["qdma_queue"][0])


if __name__ == "__main__":
    main()
