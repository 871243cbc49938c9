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

    def __init__(self, prefix, timeout=60):
        # generous: a batch (pause/reconf of many VFs) answers when its VFs have, and on a
        # loaded host their drivers' threads may wait seconds for a CPU
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.s.settimeout(timeout)
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

            def addSubTest(r, test, subtest, err):
                # unittest reports no outcome for the parent of a failed
                # subTest: without a line here the failure would vanish
                super().addSubTest(test, subtest, err)
                if err is not None:
                    self._line(False, subtest,
                               r._exc_info_to_string(err, subtest))

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


# ---------------------------------------------------------------- DPDK apps

def dpdk_bin(name):
    return os.path.join(DPDK_BIN, name)


def private_plugin_dir():
    """EAL refuses a -d plugin below a world-writable directory (/tmp):
    copy the PMD into a fresh root-only directory under /run."""
    import shutil
    import tempfile
    d = tempfile.mkdtemp(prefix="svff-pmd-", dir="/run")
    os.chmod(d, 0o700)
    src = os.path.join(BUILD, "drivers", "librte_net_qdma.so")
    dst = os.path.join(d, "librte_net_qdma.so")
    shutil.copy2(src, dst)
    return d, dst


def slot_dir():
    """A private directory for card sockets."""
    import tempfile
    d = tempfile.mkdtemp(prefix="svff-card-", dir="/run")
    os.chmod(d, 0o700)
    return d


class TestPmd:
    """dpdk-testpmd in interactive mode, driven through stdin."""

    PROMPT = "testpmd> "

    def __init__(self, prefix, plugin, vdevs, lcores="0,1", extra_eal=(), app_args=(),
                 mem_mb=256):
        import threading
        # stdbuf: testpmd writes the prompt directly but its output through
        # stdio, which a pipe would buffer behind the prompt
        argv = ["stdbuf", "-o0", "-e0", dpdk_bin("dpdk-testpmd"), "-l", lcores,
                "--file-prefix", prefix,
                "--no-pci", "-m", str(mem_mb), "-d", plugin]
        for v in vdevs:
            argv += ["--vdev", v]
        argv += list(extra_eal)
        argv += ["--", "-i", "--total-num-mbufs=32768", "--port-topology=loop"] + list(app_args)
        self.argv = argv
        env = dict(os.environ)
        pre = os.environ.get("SVFF_PLUGIN_PRELOAD")
        if pre:
            # sanitized plugin in an unsanitized testpmd: runtimes first;
            # DPDK itself is not leak-clean at exit
            env["LD_PRELOAD"] = pre
            env["ASAN_OPTIONS"] = "detect_leaks=0:abort_on_error=1"
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True, env=env,
                                  start_new_session=True, bufsize=1)
        self.buf = ""
        self.lock = threading.Lock()
        self.t = threading.Thread(target=self._reader, daemon=True)
        self.t.start()
        try:
            self.wait_prompt(0, timeout=60)
        except BaseException:
            self.kill()     # never leave a testpmd behind
            raise

    def _reader(self):
        for line in iter(lambda: self.p.stdout.read(1), ""):
            with self.lock:
                self.buf += line

    def output(self):
        with self.lock:
            return self.buf

    def wait_prompt(self, count_before, timeout=30):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            out = self.output()
            if out.count(self.PROMPT) > count_before:
                return out
            if self.p.poll() is not None:
                time.sleep(0.2)
                raise AssertionError("testpmd exited (%s):\n%s" % (self.p.returncode,
                                                                    self.output()[-4000:]))
            time.sleep(0.02)
        raise AssertionError("testpmd: no prompt within %ds:\n%s" % (timeout,
                                                                     self.output()[-4000:]))

    def cmd(self, text, timeout=30):
        before = self.output()
        n = before.count(self.PROMPT)
        self.p.stdin.write(text + "\n")
        self.p.stdin.flush()
        out = self.wait_prompt(n, timeout)
        return out[len(before):]

    def port_stats(self, port=0):
        import re
        out = self.cmd("show port stats %d" % port)
        st = {}
        for k in ("RX-packets", "RX-missed", "RX-bytes", "RX-errors", "RX-nombuf",
                  "TX-packets", "TX-errors", "TX-bytes"):
            m = re.search(r"%s:\s+(\d+)" % k, out)
            st[k] = int(m.group(1)) if m else None
        return st

    def xstats(self, port=0):
        import re
        out = self.cmd("show port xstats %d" % port)
        return {m.group(1): int(m.group(2))
                for m in re.finditer(r"^\s*(\S+):\s+(\d+)\s*$", out, re.M)}

    def stop(self, timeout=20):
        if self.p.poll() is None:
            try:
                self.p.stdin.write("quit\n")
                self.p.stdin.flush()
            except (BrokenPipeError, ValueError):
                pass
            try:
                self.p.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.p.pid, signal.SIGKILL)
                self.p.wait()
        try:
            self.p.stdin.close()
        except (BrokenPipeError, ValueError, OSError):
            pass
        self.t.join(timeout=5)
        if self.p.stdout:
            self.p.stdout.close()
        return self.p.returncode

    def kill(self):
        if self.p.poll() is None:
            os.killpg(self.p.pid, signal.SIGKILL)
        self.p.wait()
        for f in (self.p.stdin, self.p.stdout):
            try:
                f.close()
            except (BrokenPipeError, ValueError, OSError):
                pass
