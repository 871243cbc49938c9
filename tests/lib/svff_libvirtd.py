# SPDX-License-Identifier: BSD-3-Clause
"""A private, privileged libvirtd for tests (no systemd needed).

libvirtd runs in the foreground as a child of the test (stopped by PID),
with its own config file whose unix_sock_dir is a temporary directory, so
it never uses nor disturbs /run/libvirt/libvirt-sock.  Its URI is
qemu+unix:///system?socket=<dir>/libvirt-sock.  virtlogd (QEMU's log
daemon, a fixed socket in /run/libvirt) is started too unless one already
answers, and then it is left alone.

The QEMU driver of a privileged libvirtd keeps machine-wide state
(/run/libvirt/qemu, /etc/libvirt/qemu): one instance at a time, so start()
takes an exclusive lock (waiting for another test run to finish), and
stop() destroys and undefines every domain whose name starts with the
test prefix "svfft-" before stopping the daemons.  Test domains must be
named svfft-*.

Use in a test:

    from svff_libvirtd import PrivateLibvirtd
    ok, why = PrivateLibvirtd.available()
    d = PrivateLibvirtd(); d.start(); ...; d.uri ...; d.stop()

By hand (stays up until 'stop'; no lock):

    python3 tests/lib/svff_libvirtd.py start /tmp/lv   # prints the URI
    python3 tests/lib/svff_libvirtd.py stop /tmp/lv
"""
import errno
import fcntl
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

LOCK = "/run/lock/svff-test-libvirtd.lock"
# pid files a privileged libvirtd's drivers lock (fcntl) while it runs
DRIVER_PIDFILES = ("/run/libvirt/qemu/driver.pid", "/run/libvirt/network/driver.pid")
VIRTLOGD_SOCK = "/run/libvirt/virtlogd-sock"
DOMAIN_PREFIX = "svfft-"
QEMU = "qemu-system-x86_64"


def _answers(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(path)
        return True
    except OSError:
        return False
    finally:
        s.close()


def _pid_alive(pid):
    """Running (a zombie that nobody reaps yet counts as gone)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _stop_pid(pid, popen=None, timeout=15):
    """TERM then KILL one process, by PID; reap it if it is our child."""
    if pid <= 0:
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            break
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if popen is not None:
                if popen.poll() is not None:
                    return
            elif not _pid_alive(pid):
                return
            time.sleep(0.05)
    if popen is not None:
        popen.wait()


def _on_term(signum, frame):
    raise SystemExit("terminated by signal %d" % signum)


def _term_raises():
    """SIGTERM (a test runner's timeout) unwinds through finally/cleanups,
    so the daemons are stopped, instead of killing Python on the spot."""
    if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
        signal.signal(signal.SIGTERM, _on_term)


class PrivateLibvirtd:
    """One private libvirtd (and virtlogd if none runs)."""

    @staticmethod
    def available():
        """(True, "") or (False, why) when this machine cannot run one."""
        if os.geteuid() != 0:
            return False, "a privileged libvirtd needs root"
        for prog in ("libvirtd", "virtlogd", "virsh", QEMU):
            if shutil.which(prog, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin") is None:
                return False, ("%s is not installed (Debian: libvirt-daemon-system, "
                               "libvirt-clients, qemu-system-x86)" % prog)
        return True, ""

    def __init__(self, workdir=None, lock=True):
        self.dir = workdir
        self.own_dir = workdir is None
        self.use_lock = lock
        self.lock_fd = None
        self.libvirtd = None
        self.virtlogd = None
        self.uri = None

    @property
    def sock(self):
        return os.path.join(self.dir, "libvirt-sock")

    def _lock(self, timeout):
        os.makedirs(os.path.dirname(LOCK), exist_ok=True)
        self.lock_fd = os.open(LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        end = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(self.lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except OSError as e:
                if e.errno not in (errno.EAGAIN, errno.EACCES) or time.monotonic() > end:
                    os.close(self.lock_fd)
                    self.lock_fd = None
                    raise RuntimeError("another test's libvirtd holds %s" % LOCK)
                time.sleep(0.5)

    @staticmethod
    def _kvm_perms():
        """/dev/kvm as Debian's udev rule makes it (root:kvm 0660).  Without
        udev (containers) it stays root-only: libvirt then finds at every call
        that the QEMU user lost KVM since its capability probe, and probes QEMU
        again (tens of seconds per call)."""
        import grp
        import stat
        try:
            st = os.stat("/dev/kvm")
            gid = grp.getgrnam("kvm").gr_gid
        except (OSError, KeyError):
            return
        if st.st_gid != gid or (st.st_mode & 0o060) != 0o060:
            os.chown("/dev/kvm", 0, gid)
            os.chmod("/dev/kvm", stat.S_IMODE(st.st_mode) | 0o060)

    @staticmethod
    def foreign_daemon():
        """PID of a privileged libvirtd that runs already (not started by
        this helper's lock holders), or None: its drivers lock their pid
        files, so a second one cannot start."""
        for path in DRIVER_PIDFILES:
            try:
                fd = os.open(path, os.O_RDWR)
            except OSError:
                continue
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.lockf(fd, fcntl.LOCK_UN)
            except OSError:
                with open(path) as f:
                    pid = f.read().strip()
                return int(pid) if pid.isdigit() else -1
            finally:
                os.close(fd)
        return None

    def _wait_foreign(self, timeout):
        end = time.monotonic() + timeout
        while True:
            pid = self.foreign_daemon()
            if pid is None:
                return
            if time.monotonic() > end:
                raise RuntimeError("another privileged libvirtd (pid %s) runs on this machine: "
                                   "only one can" % pid)
            time.sleep(1)

    def _write_config(self):
        conf = os.path.join(self.dir, "libvirtd.conf")
        with open(conf, "w") as f:
            f.write('unix_sock_dir = "%s"\n' % self.dir)
            f.write('unix_sock_rw_perms = "0700"\n')
            f.write('auth_unix_rw = "none"\nauth_unix_ro = "none"\n')
            f.write('log_outputs = "3:file:%s"\n' % os.path.join(self.dir, "libvirtd.log"))
        return conf

    def _spawn(self, argv, name):
        out = open(os.path.join(self.dir, name + ".out"), "w")
        try:
            return subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
        finally:
            out.close()

    def start(self, timeout=60, lock_timeout=150, foreign_timeout=60):
        """Start; RuntimeError with the reason when it cannot.  The waits
        (another test's instance, another privileged libvirtd) stay well
        inside a test's timeout, so a busy machine gives a skip, not a kill."""
        ok, why = self.available()
        if not ok:
            raise RuntimeError(why)
        _term_raises()
        if self.use_lock:
            self._lock(lock_timeout)
        try:
            if self.dir is None:
                self.dir = tempfile.mkdtemp(prefix="svfft-libvirtd-")
            os.makedirs(self.dir, exist_ok=True)
            self._wait_foreign(foreign_timeout)
            conf = self._write_config()
            self._kvm_perms()
            if not _answers(VIRTLOGD_SOCK):
                self.virtlogd = self._spawn(["virtlogd"], "virtlogd")
            self.libvirtd = self._spawn(["libvirtd", "--config", conf, "--pid-file",
                                         os.path.join(self.dir, "libvirtd.pid")], "libvirtd")
            self.uri = "qemu+unix:///system?socket=%s" % self.sock
            self._wait_ready(timeout)
        except BaseException:
            self.stop()
            raise
        with open(os.path.join(self.dir, "pids"), "w") as f:
            f.write("%d %d\n" % (self.libvirtd.pid, self.virtlogd.pid if self.virtlogd else 0))
        return self.uri

    def _wait_ready(self, timeout):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.libvirtd.poll() is not None:
                raise RuntimeError("libvirtd exited (%d): %s" % (self.libvirtd.returncode,
                                                                 self.log_tail()))
            if _answers(self.sock) and self.virsh("uri", check=False).returncode == 0:
                return
            time.sleep(0.2)
        raise RuntimeError("libvirtd did not answer on %s within %d s" % (self.sock, timeout))

    def log_tail(self, n=20):
        try:
            with open(os.path.join(self.dir, "libvirtd.log")) as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""

    def virsh(self, *args, check=True, timeout=60):
        return subprocess.run(["virsh", "-q", "-c", self.uri] + list(args), check=check,
                              timeout=timeout, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)

    def cleanup_domains(self):
        """Destroy and undefine every svfft-* domain (tests' leftovers)."""
        if self.uri is None or not _answers(self.sock):
            return
        r = self.virsh("list", "--all", "--name", check=False)
        for name in r.stdout.split():
            if name.startswith(DOMAIN_PREFIX):
                self.virsh("destroy", name, check=False)
                self.virsh("undefine", name, check=False)

    def stop(self):
        try:
            if self.libvirtd is not None and self.libvirtd.poll() is None:
                self.cleanup_domains()
        finally:
            if self.libvirtd is not None:
                _stop_pid(self.libvirtd.pid, self.libvirtd)
                self.libvirtd = None
            if self.virtlogd is not None:
                _stop_pid(self.virtlogd.pid, self.virtlogd)
                self.virtlogd = None
            if self.lock_fd is not None:
                os.close(self.lock_fd)
                self.lock_fd = None
            if self.own_dir and self.dir is not None:
                shutil.rmtree(self.dir, ignore_errors=True)
                self.dir = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()


def _cli(argv):
    if len(argv) != 3 or argv[1] not in ("start", "stop"):
        sys.stderr.write("usage: svff_libvirtd.py start|stop DIR\n")
        return 2
    d = argv[2]
    if argv[1] == "start":
        lv = PrivateLibvirtd(workdir=d, lock=False)
        try:
            print(lv.start())
        except RuntimeError as e:
            sys.stderr.write("svff_libvirtd: %s\n" % e)
            return 1
        # the daemons outlive this process; 'stop' finds them in DIR/pids
        lv.libvirtd = lv.virtlogd = None
        return 0
    lv = PrivateLibvirtd(workdir=d, lock=False)
    lv.uri = "qemu+unix:///system?socket=%s" % lv.sock
    with open(os.path.join(d, "pids")) as f:
        pids = [int(x) for x in f.read().split()]
    lv.cleanup_domains()
    for pid in pids:
        _stop_pid(pid)
    return 0


if __name__ == "__main__":
    sys.exit(_cli(sys.argv))
