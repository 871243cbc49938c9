# SPDX-License-Identifier: BSD-3-Clause
"""Test guests: TCG domains booting svff's guest image (usertools/svff-guest-image)
under a private libvirtd (svff_libvirtd.py), with the serial console in a file.

    img = guest_image()                    # (dir, None) or (None, why)
    g = Guest(lv, "svfft-vm-a", img, workdir, ram_mib=384)
    g.start(); g.wait_console("SVFF-GUEST: init", 300)
    g.stats()                               # testpmd's port statistics, last block
    g.destroy()

The guest's /init waits for the VF's ivshmem device (1af4:1110), runs
dpdk-testpmd on it (io forwarding, one burst sent first, statistics every
second) and prints markers: "SVFF-GUEST: device <bdf>", "... device gone <bdf>",
"... testpmd exit <status>".
"""
import os
import re
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))

DOMAIN_XML = """<domain type='qemu'>
  <name>{name}</name>
  <memory unit='MiB'>{ram}</memory>
  <vcpu>2</vcpu>
  <memoryBacking><source type='memfd'/><access mode='shared'/></memoryBacking>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>{img}/vmlinuz</kernel>
    <initrd>{img}/initrd.cpio.gz</initrd>
    <cmdline>console=ttyS0 panic=-1 hugepagesz=2M hugepages={hp} quiet {extra}</cmdline>
  </os>
  <features><acpi/></features>
  <cpu mode='maximum' check='none'/>
  <on_poweroff>destroy</on_poweroff><on_reboot>destroy</on_reboot><on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <serial type='file'><source path='{console}'/><target port='0'/></serial>
    <memballoon model='none'/>
  </devices>
</domain>
"""


def guest_image(build=None):
    """Build (or find cached) the guest image: (dir, None) or (None, reason)."""
    build = build or os.environ.get("SVFF_BUILD_ROOT", os.path.join(SOURCE, "build"))
    tool = os.path.join(SOURCE, "usertools", "svff-guest-image")
    try:
        r = subprocess.run([tool, "--build", build], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=900)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, "no guest image: %s" % e
    if r.returncode != 0:
        return None, "no guest image: %s" % r.stderr.strip().splitlines()[-1:]
    return r.stdout.strip(), None


STATS_RE = re.compile(r"RX-packets:\s*(\d+)\s+RX-missed:\s*(\d+)\s+RX-bytes:\s*(\d+).*?"
                      r"RX-errors:\s*(\d+).*?TX-packets:\s*(\d+)\s+TX-errors:\s*(\d+)", re.S)


class Guest:
    def __init__(self, lv, name, img, workdir, ram_mib=384, hugepages=64, extra=""):
        self.lv = lv
        self.name = name
        self.img = img
        self.console = os.path.join(workdir, name + ".console.log")
        self.xml = DOMAIN_XML.format(name=name, ram=ram_mib, img=img, hp=hugepages,
                                     console=self.console, extra=extra)
        self.xml_path = os.path.join(workdir, name + ".xml")
        with open(self.xml_path, "w") as f:
            f.write(self.xml)

    def start(self):
        self.lv.virsh("create", self.xml_path)

    def destroy(self):
        self.lv.virsh("destroy", self.name, check=False)

    def running(self):
        r = self.lv.virsh("domstate", self.name, check=False)
        return r.returncode == 0 and "running" in r.stdout

    def qemu_pid(self):
        with open("/run/libvirt/qemu/%s.pid" % self.name) as f:
            return int(f.read().strip())

    def text(self):
        try:
            with open(self.console, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def wait_console(self, marker, timeout, start=0):
        """Wait until @marker appears after offset @start; returns its end offset."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            t = self.text()
            i = t.find(marker, start)
            if i >= 0:
                return i + len(marker)
            if not self.running():
                raise AssertionError("%s stopped while waiting for %r; console:\n%s"
                                     % (self.name, marker, t[-3000:]))
            time.sleep(0.5)
        raise AssertionError("%s: no %r within %d s; console tail:\n%s"
                             % (self.name, marker, timeout, self.text()[-3000:]))

    def stats(self, start=0):
        """The last testpmd port statistics block after @start, as a dict (or None)."""
        blocks = STATS_RE.findall(self.text()[start:])
        if not blocks:
            return None
        k = ("rx", "rx_missed", "rx_bytes", "rx_errors", "tx", "tx_errors")
        return dict(zip(k, (int(x) for x in blocks[-1])))

    def wait_forwarding(self, start, timeout, min_rx=1000):
        """Wait until testpmd's RX counter passes @min_rx and grows; returns the stats."""
        end = time.monotonic() + timeout
        first = None
        while time.monotonic() < end:
            st = self.stats(start)
            if st is not None and st["rx"] >= min_rx:
                if first is None:
                    first = st
                elif st["rx"] > first["rx"]:
                    return st
            if not self.running():
                break
            time.sleep(0.5)
        raise AssertionError("%s: testpmd does not forward (stats %s); console tail:\n%s"
                             % (self.name, self.stats(start), self.text()[-3000:]))
