# SPDX-License-Identifier: BSD-3-Clause
"""The lifecycle inside a real VM, on one TCG guest in one run: attach latency
(/svff/attach call -> the guest's PMD is up), attach to traffic, the pause
gap inside the guest (/svff/pause call -> its counters move again after
/svff/unpause), detach (call -> the guest saw the device go) and the
detach -> re-attach gap (last packet before -> first after).

The figures come from usertools/svff-vm-demo --rounds N --json (it boots the
guest under libvirtd, starts its own svffd, and cleans up); this module only
decides whether the rows can run here and turns the figures into rows.
Whether svffd can give VFs to VMs at all is read from the benchmark's svffd
(/svff/info "hypervisor"); libvirtd and QEMU are looked for as the vm suite
does (tests/lib/svff_libvirtd.py)."""
import json
import os
import signal
import subprocess
import tempfile

import benchlib as bl

DEMO = os.path.join(bl.svfftest.SOURCE, "usertools", "svff-vm-demo")

# (row op, detail, the demo's figure)
ROWS = (
    ("VM attach", "call -> guest PMD up", "attach latency"),
    ("VM attach to traffic", "call -> guest counters move", "attach to traffic"),
    ("VM pause gap", "pause call -> traffic again after unpause", "pause gap"),
    ("VM detach", "call -> guest saw the removal", "detach"),
    ("VM re-attach gap", "last packet before detach -> first after re-attach",
     "re-attach gap"),
)


def support(info, rounds):
    """None if the VM rows can run here, else the reason."""
    if rounds <= 0:
        return "skipped (--vm-rounds 0: a TCG guest boots in tens of seconds)"
    hv = info.get("hypervisor") if isinstance(info, dict) else None
    if not isinstance(hv, dict):
        return "this svffd reports no VM support (an older build? /svff/info has no " \
               "'hypervisor')"
    if not hv.get("vm_passthrough"):
        return "svffd cannot give VFs to VMs: %s" % (hv.get("vm_passthrough_note") or "?")
    if os.geteuid() != 0:
        return "needs root"
    try:
        from svff_libvirtd import PrivateLibvirtd
    except ImportError as e:
        return "tests/lib/svff_libvirtd.py: %s" % e
    ok, why = PrivateLibvirtd.available()
    return None if ok else why


def rows(opts, log, info):
    """The VM rows: measured by svff-vm-demo, or each with the reason."""
    n = opts.vm_rounds
    why = support(info, n)
    if why is None:
        fig, why = _run_demo(opts, log, n)
    out = []
    for op, detail, key in ROWS:
        r = {"op": op, "detail": detail + ", TCG guest"}
        vals = None if why else [x * 1e3 for x in fig["figures_s"].get(key, [])]
        if why:
            r["reason"] = why
        elif not vals:
            r["reason"] = "svff-vm-demo measured no '%s' (see its output)" % key
        else:
            r["latency"] = bl.latency_summary(vals)
            r["runs_ms"] = [round(x, 1) for x in vals]
            r["cores"] = {"guest": "TCG vCPUs (boot %.1f s)" % fig["guest_boot_s"]}
        out.append(r)
        log("lifecycle %-20s %s" % (op, r.get("reason") or "p50 %.0f ms (%d runs)" % (
            r["latency"]["p50_ms"], r["latency"]["n"])))
    return out


def _run_demo(opts, log, n):
    """Run svff-vm-demo --rounds n; (figures, None) or (None, reason)."""
    fd, path = tempfile.mkstemp(prefix="svff-bench-vm-", suffix=".json")
    os.close(fd)
    # a guest image to build (first run), a boot, n rounds of about 15 s, clean-up
    timeout = opts.vm_timeout
    p = None
    try:
        log("VM rows: svff-vm-demo --rounds %d (boots a TCG guest) ..." % n)
        p = subprocess.Popen([DEMO, "--build", bl.BUILD, "--rounds", str(n), "--json", path],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             start_new_session=True)
        try:
            out, _ = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            # SIGINT: the demo cleans up (guest, svffd, libvirtd) in its finally
            p.send_signal(signal.SIGINT)
            try:
                p.communicate(timeout=120)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.communicate()
            return None, "svff-vm-demo took more than %d s (--vm-timeout)" % timeout
        if p.returncode != 0:
            tail = [ln for ln in out.splitlines() if "error" in ln.lower()]
            return None, "svff-vm-demo failed: %s" % ((tail or out.splitlines()[-1:]
                                                       or ["no output"])[-1][:200])
        with open(path) as f:
            return json.load(f), None
    except (OSError, ValueError) as e:
        return None, "svff-vm-demo: %s" % e
    finally:
        os.unlink(path)
