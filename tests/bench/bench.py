#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""svff's benchmark: one command, one report (not a test; it prints figures).

    usertools/svff-quickstart bench [--full]         (as root, after 'build')
    tests/bench/bench.py [options]                    (the same, by hand)

writes OUT/report.md, OUT/results.json and OUT/*.png (default OUT:
build/bench) and prints the summary table.  Sections: the data plane
(svff VF and PF, net_null, vhost-user; testpmd io-fwd), svffd's lifecycle
latencies, control under load, scale.  A row that cannot run here says
why.  Quick mode (default) takes a few minutes; --full runs longer rounds."""
import argparse
import datetime
import glob
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))


def _env_defaults():
    os.environ.setdefault("SVFF_SOURCE_ROOT", TOP)
    os.environ.setdefault("SVFF_BUILD_ROOT", os.path.join(TOP, "build"))
    if "SVFF_DPDK_BIN" not in os.environ:
        pre = os.environ.get("SVFF_DPDK_PREFIX") or next(
            iter(sorted(glob.glob("/opt/svff/dpdk-*"))), "/usr")
        os.environ["SVFF_DPDK_BIN"] = os.path.join(pre, "bin")


_env_defaults()
sys.path.insert(0, HERE)
import bench_control  # noqa: E402
import bench_cost  # noqa: E402
import bench_dataplane  # noqa: E402
import bench_report  # noqa: E402
import benchlib  # noqa: E402

SECTIONS = ("dataplane", "cost", "lifecycle", "control", "scale")
DEFAULT_QUICK = ("dataplane", "lifecycle", "control", "scale")   # cost: --full or --only


def parse(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--full", action="store_true", help="longer rounds, more runs")
    p.add_argument("--out", help="output directory (default: BUILD/bench)")
    p.add_argument("--only", help="comma-separated sections of %s" % ",".join(SECTIONS))
    p.add_argument("--secs", type=float, help="seconds per data-plane round")
    p.add_argument("--rounds", type=int, help="data-plane rounds")
    p.add_argument("--sizes", help="packet sizes, e.g. 64,256,1500,4096")
    p.add_argument("--lc-runs", type=int, help="runs per lifecycle op (>= 20 for p99)")
    p.add_argument("--lc-budget", type=float, help="seconds at most per lifecycle op")
    p.add_argument("--rate", type=int, default=1000, help="telemetry requests/s under load")
    p.add_argument("--vm-rounds", type=int,
                   help="attach/pause/detach/re-attach rounds on one TCG guest for the VM rows "
                        "of the lifecycle section (default 1, --full 3; 0 skips them)")
    p.add_argument("--vm-timeout", type=int, default=900,
                   help="seconds the VM rows may take, guest boot included")
    p.add_argument("--scale-vfs", help="VF counts of the scale section")
    p.add_argument("--scale-rounds", type=int)
    p.add_argument("--mem-mb", type=int, default=200, help="hugepage MiB per DPDK process")
    p.add_argument("--no-plots", action="store_true")
    p.add_argument("--nice", type=int, default=0,
                   help="niceness change for the whole run (e.g. -10 on a machine shared "
                        "with other work: the card's engine must answer the PF in time)")
    p.add_argument("--cost-packets", type=int, default=20000,
                   help="packets per callgrind run of the 'cost' section")
    p.add_argument("--cost-timeout", type=int, default=900)
    p.add_argument("--cost-native-packets", type=int, default=2000000,
                   help="packets per native round of the 'cost' section")
    p.add_argument("--compare", action="store_true",
                   help="also the PF on the scalar data path (--force-max-simd-bitwidth=64)")
    p.add_argument("--baseline-plugin", metavar="SO",
                   help="also the PF with this build of librte_net_qdma.so (before/after)")
    o = p.parse_args(argv)
    full = o.full
    o.mode = "full" if full else "quick"
    o.secs = o.secs if o.secs is not None else (5.0 if full else 1.0)
    o.rounds = o.rounds or (5 if full else 3)
    o.sizes = [int(x) for x in (o.sizes or "64,256,1500,4096").split(",")]
    o.lc_runs = o.lc_runs or (50 if full else 20)
    o.lc_budget = o.lc_budget or (120.0 if full else 20.0)
    o.vm_rounds = o.vm_rounds if o.vm_rounds is not None else (3 if full else 1)
    o.scale_vfs = [int(x) for x in (o.scale_vfs or
                                    ("4,16,64,128,252" if full else "4,64,252")).split(",")]
    o.scale_rounds = o.scale_rounds or (3 if full else 1)
    o.only = [s.strip() for s in o.only.split(",")] if o.only else \
        list(SECTIONS if full else DEFAULT_QUICK)
    bad = [s for s in o.only if s not in SECTIONS]
    if bad:
        p.error("unknown section(s) %s (sections: %s)" % (",".join(bad), ",".join(SECTIONS)))
    o.out = o.out or os.path.join(benchlib.BUILD, "bench")
    return o


def log(msg):
    sys.stderr.write("[bench %s] %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stderr.flush()


def plots(results_path, out):
    """Draw with this Python, or with Debian's (python3-matplotlib) if this
    one has no matplotlib (a pyenv python3 first in PATH, say)."""
    script = os.path.join(HERE, "bench_plots.py")
    last = {"reason": "no Python to draw with"}
    for py in dict.fromkeys([sys.executable, "/usr/bin/python3"]):
        if not os.path.exists(py):
            continue
        try:
            r = subprocess.run([py, script, results_path, out], capture_output=True, text=True,
                               timeout=300)
            last = json.loads(r.stdout.strip().splitlines()[-1]) if r.stdout.strip() else \
                {"reason": "bench_plots.py failed: %s" % r.stderr[-500:]}
        except (OSError, subprocess.SubprocessError, ValueError) as e:
            last = {"reason": "bench_plots.py failed: %s" % e}
        if "files" in last:
            return last
    return last


def run_section(name, fn, opts):
    t0 = time.monotonic()
    log("%s ..." % name)
    try:
        sec = fn(opts, log)
    except Exception as e:  # noqa: BLE001 - a section that breaks still leaves a report
        import traceback
        traceback.print_exc()
        sec = {"rows": [], "error": "%s: %s" % (type(e).__name__, e)}
    sec["elapsed_s"] = round(time.monotonic() - t0, 1)
    log("%s done in %.0f s" % (name, sec["elapsed_s"]))
    return sec


def main(argv):
    opts = parse(argv)
    if os.geteuid() != 0:
        sys.exit("bench: run as root (hugepages, DPDK)")
    if opts.nice:
        os.nice(opts.nice)     # inherited by every process the run starts
    os.makedirs(opts.out, exist_ok=True)
    for f in glob.glob(os.path.join(opts.out, "*.png")):
        os.unlink(f)
    res = {"meta": {"date": datetime.datetime.now(datetime.timezone.utc).strftime(
                        "%Y-%m-%d %H:%M UTC"),
                    "mode": opts.mode, "secs": opts.secs, "nice": opts.nice, "rounds": opts.rounds,
                    "sizes": opts.sizes, "commit": benchlib.git_commit(),
                    "machine": benchlib.machine_info(),
                    "dpdk_bin": os.environ["SVFF_DPDK_BIN"], "build": benchlib.BUILD}}
    fns = {"dataplane": bench_dataplane.run, "cost": bench_cost.run,
           "lifecycle": bench_control.lifecycle,
           "control": bench_control.control_under_load, "scale": bench_control.scale}
    for name in SECTIONS:
        if name in opts.only:
            res[name] = run_section(name, fns[name], opts)
    rpath = os.path.join(opts.out, "results.json")
    with open(rpath, "w") as f:
        json.dump(res, f, indent=1)
    pl = {"reason": "--no-plots"} if opts.no_plots else plots(rpath, opts.out)
    res["plots"] = pl
    with open(rpath, "w") as f:
        json.dump(res, f, indent=1)
    with open(os.path.join(opts.out, "report.md"), "w") as f:
        f.write(bench_report.report_md(res, pl))
    print(bench_report.summary_text(res))
    print("\nreport: %s\nresults: %s\nplots: %s" % (
        os.path.join(opts.out, "report.md"), rpath,
        ", ".join(pl.get("files", [])) or pl.get("reason")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
