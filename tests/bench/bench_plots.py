#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""PNG plots of a results.json (matplotlib, Debian's python3-matplotlib):
  bench_plots.py RESULTS.json OUTDIR
prints one JSON object: {"files": [...]} or {"reason": "..."}."""
import json
import os
import sys


def _err(s):
    m = s["median"]
    return m, m - s["min"], s["max"] - m


def dataplane(res, plt, out):
    rows = [r for r in res.get("dataplane", {}).get("rows", []) if "reason" not in r]
    if not rows:
        return []
    sizes = sorted(set(r["size"] for r in rows))
    subjects = list(dict.fromkeys(r["subject"] for r in rows))
    files = []
    for key, ylabel, fname in (("mpps", "throughput (Mpps)", "dataplane-mpps.png"),
                               ("cpp", "forwarding core cycles / packet", "dataplane-cpp.png")):
        fig, ax = plt.subplots(figsize=(8, 4.5))
        w = 0.8 / max(1, len(subjects))
        for i, s in enumerate(subjects):
            xs, ys, lo, hi = [], [], [], []
            for k, z in enumerate(sizes):
                r = next((r for r in rows if r["subject"] == s and r["size"] == z), None)
                if r is None:
                    continue
                m, a, b = _err(r[key])
                xs.append(k + (i - (len(subjects) - 1) / 2) * w)
                ys.append(m)
                lo.append(a)
                hi.append(b)
            ax.bar(xs, ys, w, yerr=[lo, hi], capsize=3, label=s)
        ax.set_xticks(range(len(sizes)))
        ax.set_xticklabels(["%d B" % z for z in sizes])
        ax.set_xlabel("packet size")
        ax.set_ylabel(ylabel)
        ax.set_title("testpmd io-fwd, 1 forwarding core, burst 32 (median, min-max)")
        ax.legend()
        ax.grid(axis="y", alpha=0.3)
        fig.tight_layout()
        fig.savefig(os.path.join(out, fname), dpi=110)
        plt.close(fig)
        files.append(fname)
    # ratios
    fig, ax = plt.subplots(figsize=(8, 4.5))
    plotted = False
    for s in [x for x in dict.fromkeys(r["subject"] for r in rows) if x.startswith("svff")]:
        for key, label in (("ratio_net_null", "/ net_null"), ("ratio_vhost", "/ vhost-user")):
            pts = [(r["size"], r[key]) for r in rows if r["subject"] == s and r.get(key)]
            if not pts:
                continue
            xs = [sizes.index(z) for z, _ in pts]
            ys = [v["median"] for _, v in pts]
            err = [[v["median"] - v["min"] for _, v in pts],
                   [v["max"] - v["median"] for _, v in pts]]
            ax.errorbar(xs, ys, yerr=err, marker="o", capsize=3, label="%s %s" % (s, label))
            plotted = True
    if plotted:
        ax.axhline(1.7, color="red", linestyle="--", linewidth=1, label="target 1.7 (vs net_null)")
        ax.axhline(1.0, color="grey", linewidth=0.8)
        ax.set_xticks(range(len(sizes)))
        ax.set_xticklabels(["%d B" % z for z in sizes])
        ax.set_xlabel("packet size")
        ax.set_ylabel("cycles/packet ratio (round by round)")
        ax.set_title("svff cost relative to net_null and vhost-user (median, min-max)")
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
        fig.tight_layout()
        fig.savefig(os.path.join(out, "dataplane-ratios.png"), dpi=110)
        files.append("dataplane-ratios.png")
    plt.close(fig)
    return files


def scale(res, plt, out):
    rows = [r for r in res.get("scale", {}).get("rows", []) if "reason" not in r]
    if not rows:
        return []
    n = [r["numvfs"] for r in rows]
    fig, ax1 = plt.subplots(figsize=(8, 4.5))
    ax1.errorbar(n, [r["start_to_ready_ms"]["median"] for r in rows],
                 yerr=[[r["start_to_ready_ms"]["median"] - r["start_to_ready_ms"]["min"]
                        for r in rows],
                       [r["start_to_ready_ms"]["max"] - r["start_to_ready_ms"]["median"]
                        for r in rows]],
                 marker="o", capsize=3, color="tab:blue", label="start to ready (ms)")
    inits = [(r["numvfs"], r["init_cmd_ms"]["median"]) for r in rows
             if isinstance(r.get("init_cmd_ms"), dict)]
    if inits:
        ax1.plot([a for a, _ in inits], [b for _, b in inits], marker="s", color="tab:green",
                 label="/svff/init (ms)")
    ax1.set_xlabel("number of VFs")
    ax1.set_ylabel("time (ms)")
    ax2 = ax1.twinx()
    rss = [(r["numvfs"], r["rss_mib"]["median"]) for r in rows if r.get("rss_mib")]
    ax2.plot([a for a, _ in rss], [b for _, b in rss], marker="^", color="tab:orange",
             label="svffd RSS (MiB)")
    ax2.set_ylabel("RSS (MiB, hugepages apart)")
    h1, l1 = ax1.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax1.legend(h1 + h2, l1 + l2, loc="upper left")
    ax1.set_title("svffd scale: init time and memory against VFs")
    ax1.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "scale.png"), dpi=110)
    plt.close(fig)
    return ["scale.png"]


def lifecycle(res, plt, out):
    rows = [r for r in res.get("lifecycle", {}).get("rows", []) if "latency" in r]
    if not rows:
        return []
    fig, ax = plt.subplots(figsize=(8, 4.5))
    labels = ["%s\n%s" % (r["op"], r["detail"]) for r in rows]
    ax.boxplot([r["runs_ms"] for r in rows], labels=labels, showfliers=True)
    ax.set_ylabel("latency (ms)")
    ax.set_yscale("log")
    ax.set_title("svffd operation latency (each run)")
    plt.setp(ax.get_xticklabels(), fontsize=7)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "lifecycle.png"), dpi=110)
    plt.close(fig)
    return ["lifecycle.png"]


def main(argv):
    if len(argv) != 3:
        sys.exit("usage: bench_plots.py RESULTS.json OUTDIR")
    with open(argv[1]) as f:
        res = json.load(f)
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as e:
        print(json.dumps({"reason": "matplotlib is not importable here (%s): install Debian's "
                                    "python3-matplotlib" % e}))
        return 0
    files = []
    for fn in (dataplane, lifecycle, scale):
        files += fn(res, plt, argv[2])
    print(json.dumps({"files": files}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
