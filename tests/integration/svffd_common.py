# SPDX-License-Identifier: BSD-3-Clause
"""Helpers shared by the svffd integration tests (and reusable by the
svffctl ones): a private config, svffd started and stopped by PID, the
/svff/ API through the stock dpdk-telemetry.py or a direct socket, guest
testpmd processes on the VFs svffd hands out, consistency checks."""
import json
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from svfftest import (BUILD, DPDK_BIN, SOURCE, Proc, Telemetry, TestPmd,  # noqa: E402
                      private_plugin_dir, slot_dir, telemetry_path, unique_prefix, wait_for)

SVFFD = os.path.join(BUILD, "app", "svffd", "svffd")
CONFIG = os.path.join(SOURCE, "config", "default.json")
TELEMETRY_PY = os.path.join(DPDK_BIN, "dpdk-telemetry.py")


def private_config(name, card=None, vfs=None, **top):
    """The shipped config with the card socket and the state directory in a
    private directory (several svffd may run side by side) and no libvirt.
    Returns (config path, directory)."""
    d = slot_dir()
    with open(CONFIG) as f:
        cfg = json.load(f)
    cfg["card"]["socket"] = os.path.join(d, "card.sock")
    cfg["state_dir"] = os.path.join(d, "state")
    cfg["libvirt_uri"] = ""         # no libvirt unless the caller gives one
    cfg["card"].update(card or {})
    cfg["vfs"].update(vfs or {})
    cfg.update(top)
    path = os.path.join(d, "svffd-%s.json" % name)
    with open(path, "w") as f:
        json.dump(cfg, f)
    return path, d


def start_svffd(prefix, config, env=None, lcores="0", mem_mb=128, eal=()):
    """svffd [EAL] -- --config FILE; stopped by the caller (Proc.stop). @eal:
    more EAL options."""
    e = dict(os.environ)
    e.update(env or {})
    return Proc([SVFFD, "-l", lcores, "--file-prefix", prefix, "-m", str(mem_mb)] + list(eal)
                + ["--", "--config", config], env=e)


def wait_ready(prefix, proc, timeout=60):
    """svffd is ready when /svff/info answers."""
    wait_for(lambda: os.path.exists(telemetry_path(prefix)), timeout, "telemetry socket", proc)

    def up():
        try:
            t = Telemetry(prefix)
        except OSError:
            return False
        try:
            return "/svff/info" in t.cmd("/")
        finally:
            t.close()
    wait_for(up, timeout, "/svff/ commands", proc)


# Mailbox timeouts for tests of the cooperative pause path: a loaded CI host can keep a
# guest's interrupt thread off the CPU for seconds, which must not turn the path under test
# into a forced pause (the timeouts themselves are tested with their own settings).
GENEROUS_MAILBOX = {"send_timeout_ms": 15000, "pause_timeout_ms": 30000}


def svffd_up(cls, name, tel="tel", eal=(), vfs=None, **top):
    """setUpClass helper: a private config (@vfs: its "vfs" block, none enabled
    by default; @top: more top-level keys), a ready svffd (@eal: more EAL
    options) and, unless @tel is None, a telemetry client as cls.<tel>; all
    released by class cleanups (by PID). Sets cls.prefix, cls.config, cls.dir,
    cls.svffd."""
    cls.prefix = unique_prefix(name)
    cls.config, cls.dir = private_config(name, vfs=vfs or {"count": 0}, **top)
    cls.addClassCleanup(cleanup_dir, cls.dir)
    cls.svffd = start_svffd(cls.prefix, cls.config, eal=eal)
    cls.addClassCleanup(cls.svffd.stop)
    wait_ready(cls.prefix, cls.svffd)
    if tel is not None:
        setattr(cls, tel, Telemetry(cls.prefix))
        cls.addClassCleanup(getattr(cls, tel).close)


def svffd_for_class(cls, name, eal=(), **top):
    """svffd_up() without a telemetry client, plus a private PMD plugin
    directory for the guests (cls.plugdir, cls.plugin)."""
    cls.plugdir, cls.plugin = private_plugin_dir()
    cls.addClassCleanup(shutil.rmtree, cls.plugdir, ignore_errors=True)
    svffd_up(cls, name, tel=None, eal=eal, **top)


def telemetry_py(prefix, *cmds):
    """Run commands through the stock dpdk-telemetry.py; returns the replies."""
    out = subprocess.run([sys.executable, TELEMETRY_PY, "-f", prefix],
                         input="".join(c + "\n" for c in cmds), capture_output=True,
                         text=True, timeout=180)
    if out.returncode != 0:
        raise AssertionError("dpdk-telemetry.py failed: %s" % out.stderr)
    replies = []
    for line in out.stdout.splitlines():
        line = line.strip()
        if not line.startswith("{") or '"version"' in line[:12]:
            continue
        obj = json.loads(line)
        key = next(iter(obj))
        if key.startswith("/svff/"):
            replies.append(obj[key])
    if len(replies) != len(cmds):
        raise AssertionError("dpdk-telemetry.py: %d replies for %d commands:\n%s"
                             % (len(replies), len(cmds), out.stdout[-2000:]))
    return replies


def cleanup_dir(d):
    shutil.rmtree(d, ignore_errors=True)


def guest(prefix, plugin, devargs, lcores="0,1"):
    """A guest: testpmd on one VF, with exactly the devargs svffd gave."""
    return TestPmd(prefix, plugin, [devargs], lcores=lcores, mem_mb=128)


def forward(pmd, secs=0.5):
    """Loopback traffic on a guest: io forwarding; returns the port stats."""
    import time
    pmd.cmd("clear port stats all")
    pmd.cmd("set fwd io")
    pmd.cmd("start tx_first")
    time.sleep(secs)
    pmd.cmd("stop")
    return pmd.port_stats()


VF_LINE = re.compile(r"^(absent|ready|attached|paused|failed) (\d+)@(-?\d+)(?: (\S+))?$")


def check_consistent(tc, info, vfs, vf_details):
    """info, vfs and every vf,N tell the same story; ranges never overlap."""
    tc.assertEqual(info["numvfs"], vfs["numvfs"])
    tc.assertEqual(len(vfs["vfs"]), vfs["numvfs"])
    tc.assertEqual(info["invariant_errors"], 0)
    states = {"ready": 0, "attached": 0, "paused": 0, "failed": 0}
    used = []
    for n, line in enumerate(vfs["vfs"]):
        m = VF_LINE.match(line)
        tc.assertIsNotNone(m, line)
        st, qmax, qbase, vm = m.group(1), int(m.group(2)), int(m.group(3)), m.group(4) or ""
        states[st] += 1
        d = vf_details[n]
        tc.assertEqual((d["state"], d["qmax"], d["qbase"], d["vm"]), (st, qmax, qbase, vm))
        # the card's FMAP is empty or inside the VF's range, from its base
        if d["fmap_qmax"]:
            tc.assertEqual(d["fmap_qbase"], qbase)
            tc.assertLessEqual(d["fmap_qmax"], qmax)
        if qmax:
            used.append((qbase, qbase + qmax))
    tc.assertEqual(info["vf_states"], states)
    used.sort()
    for a, b in zip(used, used[1:]):
        tc.assertLessEqual(a[1], b[0], "ranges overlap: %s" % used)
    tc.assertEqual(info["queues_free"],
                   info["queues_total"] - info["pf_queues"] - sum(b - a for a, b in used))
