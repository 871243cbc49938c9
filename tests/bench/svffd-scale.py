#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""svffd scale benchmark: for 4, 64 and 252 VFs (8 queues each) on the
emulated card, the time of /svff/init (svffd's own measure and the
client's wall clock, median of ROUNDS) and svffd's resident memory after it.
Prints one line per size."""
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from svfftest import Telemetry, unique_prefix  # noqa: E402
from svffd_common import cleanup_dir, private_config, start_svffd, wait_ready  # noqa: E402

ROUNDS = int(os.environ.get("SVFF_BENCH_ROUNDS", "5"))


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def main():
    prefix = unique_prefix("bench-scale")
    config, d = private_config("bench", vfs={"count": 0})
    p = start_svffd(prefix, config)
    try:
        wait_ready(prefix, p)
        t = Telemetry(prefix)
        base = rss_kib(p.p.pid)
        print("svffd-scale: svffd pid %d, RSS at start %d KiB, %d rounds per size"
              % (p.p.pid, base, ROUNDS))
        for n in (4, 64, 252):
            own, wall = [], []
            for _ in range(ROUNDS):
                t0 = time.monotonic()
                r = t.cmd("/svff/init,numvfs=%d,qmax=8" % n)
                wall.append((time.monotonic() - t0) * 1e3)
                if "error" in r:
                    raise SystemExit("init %d: %s" % (n, r))
                own.append(r["duration_us"] / 1e3)
            print("svffd-scale: %3d VFs: init %.1f ms (svffd) / %.1f ms (client), "
                  "median of %d; RSS %d KiB" % (n, statistics.median(own),
                                                statistics.median(wall), ROUNDS,
                                                rss_kib(p.p.pid)))
        t.close()
    finally:
        p.stop()
        cleanup_dir(d)


if __name__ == "__main__":
    main()
