# SPDX-License-Identifier: BSD-3-Clause
"""Data plane: testpmd io forwarding, burst 32, one forwarding core, for
  - svff VF: a guest testpmd on a VF of the emulated card (loopback user
    logic); its token comes from svffd's /svff/attach when svffd has it,
    otherwise from a PF testpmd started with the grants devarg (the report
    says which);
  - svff PF: testpmd on the PF of an emulated card;
  - net_null: the floor of an ethdev loop (no data moves);
  - vhost-user: net_virtio_user (the guest side, the forwarder) <-> net_vhost
    (the host side, which loops every packet back as the card does), two
    testpmd processes, both --single-file-segments.
Every forwarder runs on CPU 1, the card engine / vhost loopback on CPU 0.
For each size the subjects alternate within each round, and the ratios
svff/net_null and svff/vhost-user are taken round by round."""
import os
import re
import shutil
import tempfile
import time

import benchlib as bl
from svfftest import Proc, private_plugin_dir, slot_dir, unique_prefix, wait_for

SIMD = os.path.join(bl.BUILD, "app", "qdma-simd", "qdma-simd")
FWD_CPU, AUX_CPU = 1, 0
RING = 512
BURSTS = 4          # bursts of 32 in flight (tx_first)
MBUF_SIZE = 4224    # 4096 B of data after the headroom: every size fits one mbuf
NB_MBUFS = 16384
VF_TOKEN = "0x5bbe4c11"
SUBJECTS = ("svff VF", "svff PF", "net_null", "vhost-user")

QDMA_LOG = ["--log-level", "pmd.net.qdma.init:info"]
FWD_ARGS = ["--nb-cores=1", "--burst=32", "--record-core-cycles", "--rxd=%d" % RING,
            "--txd=%d" % RING, "--forward-mode=io", "--mbuf-size=%d" % MBUF_SIZE,
            "--total-num-mbufs=%d" % NB_MBUFS]

CYC_RE = re.compile(r"CPU cycles/packet=([0-9.]+) \((?:total|busy) cycles=(\d+) / total "
                    r"[^=]*packets=(\d+)\) at (\d+) MHz")
RX_RE = re.compile(r"Forward statistics for port \d+.*?RX-packets:\s+(\d+)\s+RX-dropped:\s+(\d+)"
                   r".*?TX-packets:\s+(\d+)\s+TX-dropped:\s+(\d+)", re.S)


class Subject:
    """One forwarder (and what it needs) for one packet size."""
    name = None
    drain_needed = True

    def __init__(self, ctx, size):
        self.ctx = ctx
        self.size = size
        self.procs = []      # stopped in reverse order
        self.fwd = None      # the measured testpmd
        self.extra = {}

    def add(self, p):
        self.procs.append(p)
        return p

    def testpmd(self, tag, vdevs, lcores="%d,%d" % (AUX_CPU, FWD_CPU), eal=(), args=()):
        return self.add(bl.start_testpmd(unique_prefix("bench-%s" % tag), self.ctx.plugin, vdevs,
                                         lcores=lcores, extra_eal=list(eal),
                                         app_args=FWD_ARGS + list(args), mem_mb=self.ctx.mem_mb))

    def stop(self):
        for p in reversed(self.procs):
            try:
                p.stop()
            except Exception:   # noqa: BLE001 - every process is stopped
                p.kill() if hasattr(p, "kill") else None
        self.procs = []

    def cores(self):
        c = bl.testpmd_cores(self.fwd)
        return {"forwarding lcore": c.get("fwd", "?"), "testpmd main": c.get("main", "?")}

    def start_traffic(self):
        self.fwd.cmd("set txpkts %d" % self.size)
        self.fwd.cmd("start tx_first %d" % BURSTS)

    def stop_traffic(self):
        return self.fwd.cmd("stop", timeout=60)

    def drain(self):
        if not self.drain_needed:
            return
        self.fwd.cmd("set fwd rxonly")
        self.fwd.cmd("start")
        time.sleep(0.15)
        self.fwd.cmd("stop")
        self.fwd.cmd("set fwd io")


class SvffPf(Subject):
    name = "svff PF"

    def start(self):
        pf = self.ctx.card_pf
        self.fwd = pf
        self.extra["card"] = "qdma-simd --cpu %d (loopback)" % AUX_CPU

    def stop(self):
        self.procs = []      # the PF testpmd belongs to the context

    def cores(self):
        c = super().cores()
        c["card (qdma-simd --cpu %d)" % AUX_CPU] = bl.process_cores(self.ctx.card.p.pid)
        return c


class SvffVf(Subject):
    name = "svff VF"

    def start(self):
        devargs, source = self.ctx.vf_devargs()
        self.extra["token_from"] = source
        self.fwd = self.testpmd("vf", [devargs], eal=QDMA_LOG)

    def cores(self):
        c = super().cores()
        c.update(self.ctx.vf_card_cores())
        return c


class NetNull(Subject):
    name = "net_null"
    drain_needed = False

    def start(self):
        self.fwd = self.testpmd("null", ["net_null0,size=%d" % self.size])


class VhostUser(Subject):
    name = "vhost-user"

    def start(self):
        d = slot_dir()
        self.dir = d
        sock = os.path.join(d, "vhost.sock")
        # host side: net_vhost, loops every packet back (io fwd) on CPU 0;
        # its main lcore (CPU 1) idles at the prompt
        self.host = self.testpmd("vhost", ["net_vhost0,iface=%s,queues=1" % sock],
                                 lcores="%d,%d" % (FWD_CPU, AUX_CPU),
                                 eal=["--single-file-segments", "--main-lcore", str(FWD_CPU)])
        wait_for(lambda: os.path.exists(sock), 30, "vhost-user socket")
        # guest side: net_virtio_user, the measured forwarder on CPU 1
        self.fwd = self.testpmd("virtio",
                                ["net_virtio_user0,path=%s,queues=1,queue_size=1024" % sock],
                                eal=["--single-file-segments"])
        self.host.cmd("start")

    def start_traffic(self):
        self.host.cmd("start")
        super().start_traffic()

    def stop_traffic(self):
        out = super().stop_traffic()
        hout = self.host.cmd("stop", timeout=60)
        m = CYC_RE.search(hout)
        if m:
            self.extra.setdefault("host_cpp", []).append(float(m.group(1)))
        return out

    def drain(self):
        for p in (self.fwd, self.host):
            p.cmd("set fwd rxonly")
            p.cmd("start")
        time.sleep(0.15)
        for p in (self.fwd, self.host):
            p.cmd("stop")
            p.cmd("set fwd io")

    def cores(self):
        c = super().cores()
        h = bl.testpmd_cores(self.host)
        c["vhost loopback lcore"] = h.get("fwd", "?")
        c["vhost testpmd main"] = h.get("main", "?")
        return c

    def stop(self):
        super().stop()
        shutil.rmtree(getattr(self, "dir", ""), ignore_errors=True)


class SvffPfOwnCard(Subject):
    """The PF on a card of its own, with another data path: 'svff PF scalar'
    (the same plugin, EAL --force-max-simd-bitwidth=64) or 'svff PF baseline'
    (another build of the plugin, --baseline-plugin): before/after figures
    from the same run."""
    scalar = False

    def start(self):
        d = slot_dir()
        self.dir = d
        sock = os.path.join(d, "card.sock")
        self.card = self.add(Proc([SIMD, "--socket", sock, "--personality", "loopback",
                                   "--cpu", str(AUX_CPU)]))
        wait_for(lambda: os.path.exists(sock), 30, "card socket", self.card)
        eal = QDMA_LOG + (["--force-max-simd-bitwidth=64"] if self.scalar else [])
        plugin = self.ctx.baseline_plugin if not self.scalar else self.ctx.plugin
        self.fwd = self.add(bl.start_testpmd(unique_prefix("bench-%s" % self.name.split()[-1]),
                                             plugin, ["net_qdma0,card=%s,fn=pf" % sock],
                                             lcores="%d,%d" % (AUX_CPU, FWD_CPU), extra_eal=eal,
                                             app_args=FWD_ARGS, mem_mb=self.ctx.mem_mb))

    def cores(self):
        c = super().cores()
        c["card (qdma-simd --cpu %d)" % AUX_CPU] = bl.process_cores(self.card.p.pid)
        return c

    def stop(self):
        super().stop()
        shutil.rmtree(getattr(self, "dir", ""), ignore_errors=True)


class SvffPfScalar(SvffPfOwnCard):
    name = "svff PF scalar"
    scalar = True


class SvffPfBaseline(SvffPfOwnCard):
    name = "svff PF baseline"


CLASSES = {"svff VF": SvffVf, "svff PF": SvffPf, "net_null": NetNull, "vhost-user": VhostUser,
           "svff PF scalar": SvffPfScalar, "svff PF baseline": SvffPfBaseline}


def burst_modes(pmd):
    """The data path the PMD chose, from its own log line at dev_start
    ("port N: RX <path>, TX <path>"; EAL --log-level pmd.net.qdma.init:info)."""
    m = re.findall(r"qdma: port \d+: RX ([^,]+), TX (.+)", pmd.output())
    return "RX %s, TX %s" % (m[-1][0].strip(), m[-1][1].strip()) if m else \
        "not logged by this build (before the vector path: scalar)"


class Context:
    """The emulated card with its PF testpmd (the 'svff PF' subject, and the
    VF's PF when svffd cannot attach), and svffd when it can."""

    def __init__(self, opts):
        self.opts = opts
        self.mem_mb = opts.mem_mb
        self.plugdir, self.plugin = private_plugin_dir()
        self.dir = slot_dir()
        self.sock = os.path.join(self.dir, "card.sock")
        self.card = None
        self.card_pf = None
        self.svffd = None
        self._vf = None
        self.notes = []
        self.baseline_plugin = None
        if opts.baseline_plugin:
            self.basedir = tempfile.mkdtemp(prefix="svff-pmd-base-", dir="/run")
            os.chmod(self.basedir, 0o700)
            self.baseline_plugin = os.path.join(self.basedir, "librte_net_qdma.so")
            shutil.copy2(opts.baseline_plugin, self.baseline_plugin)

    def start(self):
        self.card = Proc([SIMD, "--socket", self.sock, "--personality", "loopback",
                          "--cpu", str(AUX_CPU)])
        wait_for(lambda: os.path.exists(self.sock), 30, "card socket", self.card)
        self.card_pf = bl.start_testpmd(unique_prefix("bench-pf"), self.plugin,
                                        ["net_qdma0,card=%s,fn=pf,num_vfs=1,grants=%s"
                                         % (self.sock, VF_TOKEN)],
                                        lcores="%d,%d" % (AUX_CPU, FWD_CPU), extra_eal=QDMA_LOG,
                                        app_args=FWD_ARGS, mem_mb=self.mem_mb)

    def vf_devargs(self):
        """(devargs, where the token came from)."""
        if self._vf is None:
            self._vf = self._attach_via_svffd() or (
                "net_qdma0,card=%s,fn=vf0,token=%s" % (self.sock, VF_TOKEN),
                "a PF testpmd's grants devarg (%s)" % self.svffd_reason)
        return self._vf

    svffd_reason = None

    def _attach_via_svffd(self):
        try:
            s = bl.Svffd(unique_prefix("bench-svffd"), cpu=AUX_CPU, vfs=1, vf_queues=1,
                         mem_mb=self.mem_mb)
        except OSError as e:
            self.svffd_reason = "svffd did not start: %s" % e
            return None
        self.svffd = s
        try:
            s.wait_ready()
            cmds = s.commands()
            if "/svff/attach" not in cmds:
                self.svffd_reason = bl.missing("/svff/attach")
                return None
            r = s.cmd("/svff/attach,vf=0,vm=bench")
            err = bl.reply_error(r)
            devargs = bl.find_devargs(r)
            if err or not devargs:
                self.svffd_reason = "svffd's /svff/attach answered %s" % (err or r)
                return None
            return devargs, "svffd /svff/attach"
        except AssertionError as e:
            self.svffd_reason = "svffd did not come up: %s" % str(e)[:200]
            return None
        finally:
            if self.svffd_reason and self.svffd is not None:
                self.svffd.stop()
                self.svffd = None

    def vf_card_cores(self):
        if self.svffd is not None:
            return {"svffd (manager, embedded card engine)": bl.process_cores(self.svffd.pid)}
        return {"card (qdma-simd --cpu %d)" % AUX_CPU: bl.process_cores(self.card.p.pid),
                "PF testpmd (mailbox service)": bl.process_cores(self.card_pf.p.pid)}

    def stop(self):
        for p in (self.svffd, self.card_pf, self.card):
            if p is not None:
                try:
                    p.stop()
                except Exception:   # noqa: BLE001
                    pass
        shutil.rmtree(self.dir, ignore_errors=True)
        shutil.rmtree(self.plugdir, ignore_errors=True)
        if self.baseline_plugin:
            shutil.rmtree(self.basedir, ignore_errors=True)


def subjects(opts):
    extra = []
    if opts.compare:
        extra.append("svff PF scalar")
    if opts.baseline_plugin:
        extra.append("svff PF baseline")
    return SUBJECTS + tuple(extra)


def measure(subj, secs):
    """One round of one subject: Mpps, Gb/s, cycles/packet."""
    subj.start_traffic()
    t0 = time.monotonic()
    time.sleep(secs)
    out = subj.stop_traffic()
    dt = time.monotonic() - t0
    m = CYC_RE.search(out)
    s = RX_RE.search(out)
    subj.drain()
    if not m or not s:
        rx = re.search(r"RX-packets:\s+(\d+)", out)
        raise RuntimeError("%s: no cycles/packet in testpmd's output (RX-packets %s in %.1f s)"
                           % (subj.name, rx.group(1) if rx else "?", dt))
    rx = int(s.group(1))
    mpps = rx / dt / 1e6
    return {"cpp": float(m.group(1)), "mpps": mpps, "gbps": mpps * subj.size * 8 / 1e3,
            "rx": rx, "tx_dropped": int(s.group(4)), "secs": round(dt, 3), "mhz": int(m.group(4))}


def run(opts, log):
    """Returns the data-plane section of results.json."""
    ctx = Context(opts)
    rows = []
    try:
        try:
            ctx.start()
        except (AssertionError, OSError) as e:
            reason = "the emulated card or its PF testpmd did not start: %s" % str(e)[:300]
            return {"rows": [{"subject": s, "size": z, "reason": reason}
                             for z in opts.sizes for s in subjects(opts)]}
        for size in opts.sizes:
            rows += run_size(ctx, opts, size, log)
    finally:
        ctx.stop()
    return {"rows": rows, "ring": RING, "burst": 32, "in_flight_bursts": BURSTS,
            "secs_per_round": opts.secs, "rounds": opts.rounds, "mbuf_size": MBUF_SIZE,
            "fwd_cpu": FWD_CPU, "aux_cpu": AUX_CPU, "notes": ctx.notes}


def run_size(ctx, opts, size, log):
    subj, res, reasons = {}, {}, {}
    names = subjects(opts)
    for name in names:
        s = CLASSES[name](ctx, size)
        try:
            s.start()
            subj[name] = s
            res[name] = []
        except (AssertionError, OSError, RuntimeError) as e:
            s.stop()
            reasons[name] = "did not start: %s" % str(e).splitlines()[0][:300]
    try:
        order = list(subj)
        for rnd in range(opts.rounds):
            # rotate the order every round: no subject always runs first
            k = rnd % len(order) if order else 0
            for name in order[k:] + order[:k]:
                if name in reasons:
                    continue
                try:
                    res[name].append(measure(subj[name], opts.secs))
                except RuntimeError as e:
                    # no packet came back in this round: say so, go on
                    subj[name].extra.setdefault("failed_rounds", []).append(
                        "round %d: %s" % (rnd, str(e).splitlines()[0][:200]))
                except AssertionError as e:
                    reasons[name] = "failed in round %d: %s" % (rnd, str(e)[:300])
            log("data plane %4d B round %d/%d: %s" % (
                size, rnd + 1, opts.rounds,
                ", ".join("%s %.1f c/p" % (n, res[n][-1]["cpp"])
                          for n in order if n in res and len(res[n]) > rnd)))
        cores = {n: subj[n].cores() for n in subj}
        for n in subj:
            if n.startswith("svff"):
                subj[n].extra["data_path"] = burst_modes(subj[n].fwd)
    finally:
        for s in subj.values():
            s.stop()
    return make_rows(names, size, res, reasons, subj, cores)


def ratio_rounds(a, b):
    n = min(len(a), len(b))
    return [a[i]["cpp"] / b[i]["cpp"] for i in range(n) if b[i]["cpp"] > 0]


def make_rows(names, size, res, reasons, subj, cores):
    rows = []
    for name in names:
        row = {"subject": name, "size": size}
        if name in reasons or not res.get(name):
            row["reason"] = reasons.get(name, "no round completed")
            if name in subj:
                row.update(subj[name].extra)
            rows.append(row)
            continue
        rs = res[name]
        row.update({"rounds": rs, "cores": cores.get(name, {}),
                    "mpps": bl.summary([r["mpps"] for r in rs]),
                    "gbps": bl.summary([r["gbps"] for r in rs]),
                    "cpp": bl.summary([r["cpp"] for r in rs])})
        row.update({k: v for k, v in subj[name].extra.items() if k != "host_cpp"})
        if "host_cpp" in subj[name].extra:
            row["vhost_host_cpp"] = bl.summary(subj[name].extra["host_cpp"])
        if name.startswith("svff"):
            for other, key in (("net_null", "ratio_net_null"), ("vhost-user", "ratio_vhost")):
                if res.get(other) and other not in reasons:
                    row[key] = bl.summary(ratio_rounds(rs, res[other]))
                else:
                    row[key + "_reason"] = "%s did not run: %s" % (
                        other, reasons.get(other, "no rounds"))
        rows.append(row)
    return rows
