# SPDX-License-Identifier: BSD-3-Clause
"""Instructions per packet of the PMD's burst functions, counted by
callgrind (the same for the same binary whatever else the machine does,
unlike cycles on a shared machine): build/tests/bench/pmd-fwd-cost runs the
io-forwarding loop over the QDMA PF (vector path, then scalar path with EAL
--force-max-simd-bitwidth=64) and over net_null.

The same loop also runs natively (card engine on CPU 0, the loop on CPU 1),
round by round: busy cycles/packet as testpmd's --record-core-cycles counts
them, as the median over bursts.  A preemption makes a few bursts very long
and moves testpmd's figure (a mean) a lot on a shared machine, the median
hardly at all."""
import os
import re
import shutil
import subprocess
import tempfile

import benchlib as bl

COST = os.path.join(bl.BUILD, "tests", "bench", "pmd-fwd-cost")
# "Ir (pct)  file:function [object]": callgrind_annotate may list a function
# under several file names (inlined headers); its inclusive total is the largest
FUNCS = re.compile(r"^\s*([0-9,]+) \([ 0-9.]+%\)\s+\S*:(qdma_recv_pkts\w*|qdma_xmit_pkts\w*|"
                   r"eth_null_rx|eth_null_tx)(?: \[.*)?$", re.M)
RUNS = (("svff PF vector", "qdma", []),
        ("svff PF scalar", "qdma", ["--force-max-simd-bitwidth=64"]),
        ("net_null", "null", []))


NATIVE_RE = re.compile(r"busy cycles/packet mean ([0-9.]+), median burst (\d+) \(p10 (\d+), "
                       r"p90 (\d+)\)")
# the mean without preemptions: unlike the median it keeps the bursts that
# also reclaim or refill (every few bursts), i.e. what testpmd's mean counts
CLIPPED_RE = re.compile(r"mean of the bursts up to 4x the median ([0-9.]+) \(([0-9.]+) % left out\)")


def native(opts, log):
    """{subject: [round figures]} of the native runs, or {subject: reason}."""
    res, why = {name: [] for name, _, _ in RUNS}, {}
    for rnd in range(opts.rounds):
        for name, kind, eal in RUNS:
            if name in why:
                continue
            try:
                r = subprocess.run([COST, kind, str(opts.cost_native_packets), "64", "-l", "1"] +
                                   eal, capture_output=True, text=True,
                                   timeout=opts.cost_timeout)
            except subprocess.TimeoutExpired:
                why[name] = "the native run did not finish in %d s" % opts.cost_timeout
                continue
            m = NATIVE_RE.search(r.stdout)
            if r.returncode != 0 or not m:
                why[name] = "pmd-fwd-cost failed: %s" % (r.stdout + r.stderr)[-300:]
                continue
            c = CLIPPED_RE.search(r.stdout)
            res[name].append({"mean": float(m.group(1)), "median_burst": int(m.group(2)),
                              "p10": int(m.group(3)), "p90": int(m.group(4)),
                              "clipped_mean": float(c.group(1)) if c else None,
                              "clipped_left_out_pct": float(c.group(2)) if c else None})
        log("busy cycles/packet, median burst / mean up to 4x the median, round %d: %s" % (
            rnd + 1, ", ".join("%s %d / %s" % (n, v[-1]["median_burst"],
                                                "%.1f" % v[-1]["clipped_mean"]
                                                if v[-1]["clipped_mean"] else "-")
                               for n, v in res.items() if len(v) > rnd)))
    return res, why


def add_native(rows, opts, log):
    res, why = native(opts, log)
    null = res.get("net_null", [])
    for name, _, _ in RUNS:
        row = next((r for r in rows if r["subject"] == name), None)
        if row is None:
            row = {"subject": name}
            rows.append(row)
        if name in why or not res[name]:
            row["native_reason"] = why.get(name, "no round")
            continue
        row["native_rounds"] = res[name]
        row["busy_cpp_median_burst"] = bl.summary([x["median_burst"] for x in res[name]])
        clipped = [x["clipped_mean"] for x in res[name] if x["clipped_mean"]]
        if clipped:
            row["busy_cpp_clipped_mean"] = bl.summary(clipped)
        if name != "net_null" and null:
            n = min(len(null), len(res[name]))
            row["native_ratio_net_null"] = bl.summary(
                [res[name][i]["median_burst"] / null[i]["median_burst"] for i in range(n)
                 if null[i]["median_burst"] > 0])
            ratios = [res[name][i]["clipped_mean"] / null[i]["clipped_mean"] for i in range(n)
                      if res[name][i]["clipped_mean"] and null[i]["clipped_mean"]]
            if ratios:
                row["native_clipped_ratio_net_null"] = bl.summary(ratios)


def run(opts, log):
    out = callgrind(opts, log)
    if os.path.exists(COST):
        add_native(out["rows"], opts, log)
    return out


def callgrind(opts, log):
    if shutil.which("valgrind") is None or shutil.which("callgrind_annotate") is None:
        return {"rows": [{"subject": s, "reason": "valgrind (callgrind) is not installed"}
                         for s, _, _ in RUNS]}
    if not os.path.exists(COST):
        return {"rows": [{"subject": s, "reason": "%s was not built" % COST} for s, _, _ in RUNS]}
    rows = []
    d = tempfile.mkdtemp(prefix="svff-cost-")
    try:
        for name, kind, eal in RUNS:
            out = os.path.join(d, "cg.out")
            env = dict(os.environ, PMD_FWD_COST_YIELD="1")
            try:
                r = subprocess.run(["valgrind", "--tool=callgrind", "--fair-sched=yes",
                                    "--callgrind-out-file=" + out, COST, kind,
                                    str(opts.cost_packets), "64", "-l", "1"] + eal,
                                   capture_output=True, text=True, timeout=opts.cost_timeout,
                                   env=env)
            except subprocess.TimeoutExpired:
                rows.append({"subject": name, "reason": "callgrind did not finish in %d s"
                             % opts.cost_timeout})
                continue
            m = re.search(r"(\d+) packets of \d+ B in (\d+) rx polls \((\d+) empty\)", r.stdout)
            if r.returncode != 0 or not m:
                rows.append({"subject": name, "reason": "pmd-fwd-cost failed: %s"
                             % (r.stdout + r.stderr)[-300:]})
                continue
            ann = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100",
                                  out], capture_output=True, text=True, timeout=120).stdout
            # the annotated profile stays beside the report (raw evidence)
            with open(os.path.join(opts.out, "callgrind-%s.txt"
                                   % name.replace(" ", "-")), "w") as f:
                f.write(ann)
            per = {}
            for n, fn in FUNCS.findall(ann):
                per[fn] = max(per.get(fn, 0), int(n.replace(",", "")))
            pkts = int(m.group(1))
            rx = sum(v for k, v in per.items() if "recv" in k or k.endswith("_rx"))
            tx = sum(v for k, v in per.items() if "xmit" in k or k.endswith("_tx"))
            rows.append({"subject": name, "packets": pkts, "rx_polls": int(m.group(2)),
                         "empty_polls": int(m.group(3)), "functions": sorted(per),
                         "rx_instr_per_pkt": rx / pkts, "tx_instr_per_pkt": tx / pkts,
                         "instr_per_pkt": (rx + tx) / pkts})
            log("instructions/packet %-15s %.1f (rx %.1f, tx %.1f)" % (
                name, (rx + tx) / pkts, rx / pkts, tx / pkts))
    finally:
        shutil.rmtree(d, ignore_errors=True)
    null = next((r for r in rows if r["subject"] == "net_null" and "instr_per_pkt" in r), None)
    for r in rows:
        if null and "instr_per_pkt" in r and r is not null:
            r["ratio_net_null"] = r["instr_per_pkt"] / null["instr_per_pkt"]
    return {"rows": rows, "packets": opts.cost_packets,
            "note": "rx/tx burst functions inclusive (mbuf alloc/free they do included); "
                    "empty polls included (counted)"}
