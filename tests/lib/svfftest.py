# SPDX-License-Identifier: BSD-3-Clause
"""Helpers for svff integration tests: start processes that are always
stopped by PID, talk to DPDK telemetry sockets, locate build outputs."""
import json
import os
import signal
import socket
import subprocess
import time

BUILD = os.environ.get("SVFF_BUILD_ROOT", "build")
SOURCE = os.environ.get("SVFF_SOURCE_ROOT", ".")
DPDK_BIN = os.environ.get("SVFF_DPDK_BIN", "/usr/bin")
RUNTIME = "/var/run/dpdk"


def unique_prefix(name):
    return "svfft-%s-%d" % (name, os.getpid())


def telemetry_path(prefix):
    return os.path.join(RUNTIME, prefix, "dpdk_telemetry.v2")


class Proc:
    """A child process stopped (TERM, then KILL) when the test ends."""

    def __init__(self, argv, **kw):
        self.argv = argv
        self.p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  text=True, start_new_session=True, **kw)
        self.output = None

    def stop(self, sig=signal.SIGTERM, timeout=15):
        if self.p.poll() is None:
            try:
                os.killpg(self.p.pid, sig)
            except ProcessLookupError:
                pass
        try:
            out, _ = self.p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.p.pid, signal.SIGKILL)
            out, _ = self.p.communicate()
        self.output = out
        if self.p.stdout:
            self.p.stdout.close()
        return self.p.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def wait_for(pred, timeout=30, what="condition", proc=None):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return
        if proc is not None and proc.p.poll() is not None:
            out = proc.p.stdout.read() if proc.p.stdout else ""
            raise AssertionError("process exited (%d) while waiting for %s:\n%s"
                                 % (proc.p.returncode, what, out))
        time.sleep(0.05)
    raise AssertionError("timed out waiting for %s" % what)


class Telemetry:
    """Client of a DPDK telemetry v2 socket (AF_UNIX SEQPACKET, JSON)."""

    def __init__(self, prefix):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.s.settimeout(10)
        self.s.connect(telemetry_path(prefix))
        self.info = json.loads(self.s.recv(16384).decode())

    def cmd(self, text):
        self.s.send(text.encode())
        reply = json.loads(self.s.recv(65536).decode())
        key = text.split(",", 1)[0]
        return reply[key]

    def close(self):
        self.s.close()


class _TapResult:
    """Prints one TAP line per test case (meson's 'tap' protocol); details
    of failures go to stderr."""

    def __init__(self):
        import unittest
        self.base = unittest.TestResult()
        self.n = 0
        self.failed = 0

    def run(self, suite):
        import sys
        import traceback
        import unittest

        class R(unittest.TestResult):
            def __init__(r):
                super().__init__()

            def addSuccess(r, test):
                super().addSuccess(test)
                self._line(True, test)

            def addFailure(r, test, err):
                super().addFailure(test, err)
                self._line(False, test, r._exc_info_to_string(err, test))

            def addError(r, test, err):
                super().addError(test, err)
                self._line(False, test, r._exc_info_to_string(err, test))

            def addSkip(r, test, reason):
                super().addSkip(test, reason)
                self._line(True, test, skip=reason)

        r = R()
        suite.run(r)
        print("1..%d" % self.n)
        sys.stdout.flush()
        del traceback
        return self.failed == 0

    def _line(self, ok, test, detail=None, skip=None):
        import sys
        self.n += 1
        name = test.id().replace("__main__.", "")
        if skip is not None:
            print("ok %d - %s # SKIP %s" % (self.n, name, skip))
        elif ok:
            print("ok %d - %s" % (self.n, name))
        else:
            self.failed += 1
            print("not ok %d - %s" % (self.n, name))
            sys.stderr.write("FAIL %s\n%s\n" % (name, detail or ""))
        sys.stdout.flush()


def main():
    """unittest.main() replacement that speaks TAP (one line per case).
    With arguments, runs only the named tests (Class or Class.test)."""
    import sys
    import unittest
    loader = unittest.TestLoader()
    mod = sys.modules["__main__"]
    if len(sys.argv) > 1:
        suite = loader.loadTestsFromNames(sys.argv[1:], mod)
    else:
        suite = loader.loadTestsFromModule(mod)
    sys.exit(0 if _TapResult().run(suite) else 1)
