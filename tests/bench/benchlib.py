# SPDX-License-Identifier: BSD-3-Clause
"""Shared pieces of the benchmark harness (tests/bench/bench.py): statistics,
the machine, which CPUs a process's threads may run on, and svffd's
telemetry API as it is at run time (commands are discovered, never assumed).

Every figure is the median of several rounds with its min and max; a row
that cannot be measured carries a 'reason' instead of figures."""
import json
import os
import platform
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import svfftest  # noqa: E402
from svfftest import BUILD, Proc, Telemetry, slot_dir, telemetry_path, wait_for  # noqa: E402,F401


# ---------------------------------------------------------------- statistics

def percentile(values, p):
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    v = sorted(values)
    if not v:
        return None
    k = max(0, min(len(v) - 1, int(round(p / 100.0 * len(v) + 0.5)) - 1))
    return v[k]


def median(values):
    v = sorted(values)
    n = len(v)
    if n == 0:
        return None
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2.0


def summary(values):
    """{median, min, max, n} of a list of numbers (None when empty)."""
    vals = [x for x in values if x is not None]
    if not vals:
        return None
    return {"median": median(vals), "min": min(vals), "max": max(vals), "n": len(vals)}


def latency_summary(values_ms):
    vals = [x for x in values_ms if x is not None]
    if not vals:
        return None
    return {"p50_ms": percentile(vals, 50), "p99_ms": percentile(vals, 99),
            "min_ms": min(vals), "max_ms": max(vals), "n": len(vals)}


# ---------------------------------------------------------------- the machine

def machine_info():
    info = {"host": platform.node(), "kernel": platform.release(), "cpus": os.cpu_count()}
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
        for key, name in (("Model name", "model"), ("CPU(s)", "cpus_lscpu"),
                          ("Core(s) per socket", "cores_per_socket"),
                          ("Thread(s) per core", "threads_per_core"),
                          ("Socket(s)", "sockets"), ("Hypervisor vendor", "hypervisor"),
                          ("CPU MHz", "mhz"), ("L2 cache", "l2"), ("L3 cache", "l3")):
            m = re.search(r"^%s:\s+(.+)$" % re.escape(key), out, re.M)
            if m:
                info[name] = m.group(1).strip()
        flags = re.search(r"^Flags:\s+(.+)$", out, re.M)
        if flags:
            f = flags.group(1).split()
            info["simd"] = [x for x in ("sse4_2", "avx2", "avx512f") if x in f]
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        with open("/proc/meminfo") as f:
            m = re.search(r"MemTotal:\s+(\d+)", f.read())
            info["mem_gib"] = round(int(m.group(1)) / 1048576.0, 1)
    except OSError:
        pass
    try:
        info["load_avg"] = list(os.getloadavg())
    except OSError:
        pass
    return info


def git_commit():
    try:
        r = subprocess.run(["git", "-C", svfftest.SOURCE, "describe", "--always", "--dirty"],
                           capture_output=True, text=True, timeout=10)
        return r.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


# ---------------------------------------------------------------- cores

def _cpus_allowed(path):
    try:
        with open(path) as f:
            m = re.search(r"^Cpus_allowed_list:\s+(\S+)", f.read(), re.M)
            return m.group(1) if m else "?"
    except OSError:
        return "?"


def _comm(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return "?"


def thread_cpus(pid):
    """{thread name: allowed CPU list} of every thread of a live process (a
    name shared by several threads lists each distinct CPU set once)."""
    out = {}
    try:
        tids = sorted(int(t) for t in os.listdir("/proc/%d/task" % pid))
    except OSError:
        return out
    for tid in tids:
        base = "/proc/%d/task/%d" % (pid, tid)
        name = _comm(base + "/comm")
        if tid == pid:
            name += " (main)"
        cpus = _cpus_allowed(base + "/status")
        prev = out.get(name)
        if prev is None:
            out[name] = cpus
        elif cpus not in prev.split("|"):
            out[name] = prev + "|" + cpus
    return out


def testpmd_cores(pmd):
    """Main and forwarding lcores of a running testpmd, read from /proc."""
    t = thread_cpus(pmd.p.pid)
    res = {}
    for name, cpus in t.items():
        if name.endswith("(main)"):
            res["main"] = cpus
        elif name.startswith(("rte-worker", "lcore-worker")):
            res.setdefault("fwd", cpus)
    return res


def process_cores(pid):
    """'CPUs: threads' of a process, grouped by CPU set (e.g. svffd with
    its embedded card's engine thread)."""
    groups = {}
    for name, cpus in thread_cpus(pid).items():
        for c in cpus.split("|"):
            groups.setdefault(c, []).append(name)
    return "; ".join("CPU %s: %s" % (c, ", ".join(n[:4]) + (" +%d" % (len(n) - 4)
                                                             if len(n) > 4 else ""))
                     for c, n in sorted(groups.items()))


def process_rss_kib(pid):
    """(VmRSS, HugetlbPages) of a process in KiB."""
    rss = huge = None
    try:
        with open("/proc/%d/status" % pid) as f:
            s = f.read()
        m = re.search(r"^VmRSS:\s+(\d+)", s, re.M)
        rss = int(m.group(1)) if m else None
        m = re.search(r"^HugetlbPages:\s+(\d+)", s, re.M)
        huge = int(m.group(1)) if m else None
    except OSError:
        pass
    return rss, huge


# ---------------------------------------------------------------- testpmd

def start_testpmd(*args, tries=3, **kw):
    """svfftest.TestPmd, started again (up to @tries times) when its port
    did not probe: on a loaded machine the card's engine may answer the PF's
    initialisation too late (the PMD then gives up on the port and testpmd
    starts without it).  The last failure's reason is raised."""
    why = None
    for _ in range(tries):
        p = svfftest.TestPmd(*args, **kw)
        out = p.output()
        if "No probed ethernet devices" not in out and "probe failed" not in out:
            return p
        p.stop()
        time.sleep(2)
        why = "; ".join(ln.strip() for ln in out.splitlines()
                        if "qdma:" in ln or "probe" in ln)[:400]
    raise AssertionError("testpmd's port did not probe in %d tries: %s" % (tries, why))


# ---------------------------------------------------------------- svffd

SVFFD = os.path.join(BUILD, "app", "svffd", "svffd")


class Svffd:
    """svffd on a private config (its own embedded card socket and state
    directory), pinned to one CPU, stopped by PID.  Which /svff/ commands it
    has is read from its telemetry socket ('/'), never assumed."""

    def __init__(self, prefix, cpu=0, vfs=4, vf_queues=8, mem_mb=256, extra_cfg=None):
        self.prefix = prefix
        self.dir = slot_dir()
        cfg_path = os.path.join(svfftest.SOURCE, "config", "default.json")
        with open(cfg_path) as f:
            cfg = json.load(f)
        cfg["card"]["socket"] = os.path.join(self.dir, "card.sock")
        cfg["vfs"]["count"] = vfs
        cfg["vfs"]["queues"] = vf_queues
        cfg["state_dir"] = os.path.join(self.dir, "state")
        cfg["eal"] = []
        for k, v in (extra_cfg or {}).items():
            cfg[k] = v
        self.card_sock = cfg["card"]["socket"]
        self.config = os.path.join(self.dir, "svffd.json")
        with open(self.config, "w") as f:
            json.dump(cfg, f)
        eal = ["-l", str(cpu), "--file-prefix", prefix, "-m", str(mem_mb)]
        self.argv = [SVFFD] + svffd_argv(["--config", self.config], eal)
        self.t0 = time.monotonic()
        self.proc = Proc(self.argv)
        self.tel = None
        self.ready_s = None

    def wait_ready(self, timeout=120):
        wait_for(lambda: os.path.exists(telemetry_path(self.prefix)), timeout,
                 "svffd telemetry socket", self.proc)

        def up():
            try:
                t = Telemetry(self.prefix)
            except OSError:
                return False
            try:
                return "/svff/info" in t.cmd("/")
            finally:
                t.close()
        wait_for(up, timeout, "svffd /svff/ commands", self.proc)
        self.ready_s = time.monotonic() - self.t0
        self.tel = Telemetry(self.prefix)
        return self.ready_s

    @property
    def pid(self):
        return self.proc.p.pid

    def commands(self):
        return list(self.tel.cmd("/"))

    def cmd(self, text):
        return self.tel.cmd(text)

    def stop(self):
        if self.tel is not None:
            try:
                self.tel.close()
            except OSError:
                pass
            self.tel = None
        rc = self.proc.stop()
        import shutil
        shutil.rmtree(self.dir, ignore_errors=True)
        return rc


_SVFFD_ORDER = None


def svffd_argv(own, eal):
    """svffd's own options and EAL options in the order this svffd takes:
    'svffd [EAL] -- [own]' (the DPDK convention) or the older
    'svffd [own] -- [EAL]', read from its --help."""
    global _SVFFD_ORDER
    if _SVFFD_ORDER is None:
        try:
            out = subprocess.run([SVFFD, "--help"], capture_output=True, text=True,
                                 timeout=20).stdout
        except (OSError, subprocess.SubprocessError):
            out = ""
        # old: "Usage: svffd [options] [-- EAL options]"; new: "svffd [EAL options] -- ..."
        _SVFFD_ORDER = "own-first" if "[-- EAL" in out else "eal-first"
    if _SVFFD_ORDER == "own-first":
        return list(own) + ["--"] + list(eal)
    return list(eal) + ["--"] + list(own)


def missing(cmd):
    return "not implemented yet: %s is missing from svffd" % cmd


def reply_error(reply):
    """The error sentence of a /svff/ reply, or None."""
    if isinstance(reply, dict) and "error" in reply:
        e = reply["error"]
        code = reply.get("code")
        return "%s%s" % (e, " (%s)" % code if code else "")
    if reply is None:
        return "no reply"
    return None


def find_devargs(reply):
    """The guest's --vdev string in an /svff/attach reply, wherever it is."""
    if isinstance(reply, str):
        return reply if reply.startswith("net_qdma") and "fn=vf" in reply else None
    if isinstance(reply, dict):
        for k in ("devargs", "vdev", "guest_devargs"):
            if isinstance(reply.get(k), str) and "fn=vf" in reply[k]:
                return reply[k] if reply[k].startswith("net_qdma") else "net_qdma0," + reply[k]
        for v in reply.values():
            d = find_devargs(v)
            if d:
                return d
    if isinstance(reply, list):
        for v in reply:
            d = find_devargs(v)
            if d:
                return d
    return None
