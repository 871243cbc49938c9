#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Run a test binary against a private libvirtd started for it.

    run-with-libvirtd.py BINARY [ARGS...]

Starts libvirtd (and virtlogd if none runs) through tests/lib/svff_libvirtd.py,
runs BINARY with SVFF_LIBVIRT_URI set to the daemon's URI, passes its output
(TAP) through, then destroys and undefines the svfft-* domains it left and
stops the daemons by PID.  Where libvirtd or QEMU is missing, BINARY still runs,
with SVFF_LIBVIRT_SKIP giving the reason, so its libvirtd cases skip with it."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from svff_libvirtd import PrivateLibvirtd  # noqa: E402


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    env = dict(os.environ)
    env.pop("SVFF_LIBVIRT_URI", None)
    ok, why = PrivateLibvirtd.available()
    lv = None
    if ok:
        lv = PrivateLibvirtd()
        try:
            env["SVFF_LIBVIRT_URI"] = lv.start()
        except RuntimeError as e:
            ok, why, lv = False, "private libvirtd did not start: %s" % e, None
    if not ok:
        env["SVFF_LIBVIRT_SKIP"] = why
        sys.stdout.write("# %s\n" % why)
        sys.stdout.flush()
    child = None
    try:
        child = subprocess.Popen(argv[1:], env=env)
        return child.wait(timeout=600)
    finally:
        if child is not None and child.poll() is None:
            child.kill()
            child.wait()
        if lv is not None:
            if os.environ.get("SVFF_LIBVIRT_VERBOSE"):
                sys.stderr.write(lv.log_tail(50))
            lv.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
