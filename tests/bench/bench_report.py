# SPDX-License-Identifier: BSD-3-Clause
"""report.md and the summary table from results.json's dictionary."""


def _f(x, fmt="%.2f"):
    return "-" if x is None else fmt % x


def _mmm(s, fmt="%.2f"):
    """'median (min-max)' of a summary."""
    if not s:
        return "-"
    return "%s (%s-%s)" % (_f(s["median"], fmt), _f(s["min"], fmt), _f(s["max"], fmt))


def _cores(c):
    if not c:
        return "-"
    return "; ".join("%s %s" % (k, v) for k, v in c.items())


def _lat(lat):
    if not lat:
        return "-", "-"
    return "%.3f" % lat["p50_ms"], "%.3f" % lat["p99_ms"]


def dataplane_table(dp, cores=True):
    head = ["size", "subject", "Mpps", "Gb/s", "cycles/packet", "svff/net_null",
            "svff/vhost-user"] + (["cores"] if cores else [])
    lines = [head]
    for r in dp.get("rows", []):
        if "reason" in r:
            lines.append([str(r["size"]), r["subject"], "—", "—", "—", "—", "—"] +
                         (["not run: " + r["reason"]] if cores else []))
            continue
        rn = _mmm(r.get("ratio_net_null")) if "ratio_net_null" in r else (
            "—" if not r["subject"].startswith("svff") else "n/a")
        rv = _mmm(r.get("ratio_vhost")) if "ratio_vhost" in r else (
            "—" if not r["subject"].startswith("svff") else "n/a")
        subj = r["subject"]
        if r.get("token_from"):
            subj += " (token: %s)" % r["token_from"]
        if r.get("data_path") and cores:
            subj += " [%s]" % r["data_path"]
        if r.get("failed_rounds") and cores:
            subj += " (%d round(s) without packets)" % len(r["failed_rounds"])
        lines.append([str(r["size"]), subj, _mmm(r["mpps"]), _mmm(r["gbps"], "%.1f"),
                      _mmm(r["cpp"], "%.1f"), rn, rv] + ([_cores(r.get("cores"))] if cores
                                                         else []))
    return lines


def lifecycle_table(lc):
    lines = [["op", "detail", "p50 ms", "p99 ms", "runs", "cores / reason"]]
    for r in lc.get("rows", []):
        if "reason" in r:
            lines.append([r["op"], r.get("detail", ""), "—", "—", "0", r["reason"]])
            continue
        p50, p99 = _lat(r.get("latency"))
        lines.append([r["op"], r.get("detail", ""), p50, p99, str(r["latency"]["n"]),
                      _cores(r.get("cores")) + ("; " + r["note"] if r.get("note") else "")])
    return lines


def control_table(cl):
    lines = [["load", "data plane", "Mpps without", "Mpps with", "change %",
              "req p50 ms", "req p99 ms", "req/s achieved", "cores / reason"]]
    for r in cl.get("rows", []):
        if "reason" in r:
            lines.append([r["what"], r.get("data_plane", "—")] + ["—"] * 6 + [
                          r["reason"]])
            continue
        p50, p99 = _lat(r.get("latency"))
        lines.append([r["what"], r["data_plane"], _mmm(r["mpps_without"]), _mmm(r["mpps_with"]),
                      _mmm(r["throughput_change_pct"], "%+.1f"), p50, p99,
                      _mmm(r["achieved_rate"], "%.0f"), _cores(r.get("cores"))])
    return lines


def scale_table(sc):
    lines = [["VFs", "start to ready ms", "RSS MiB", "hugepages MiB", "/svff/init ms",
              "cores / reason"]]
    for r in sc.get("rows", []):
        if "reason" in r:
            lines.append([str(r["numvfs"]), "—", "—", "—", "—", r["reason"]])
            continue
        init = _mmm(r["init_cmd_ms"], "%.1f") if isinstance(r.get("init_cmd_ms"), dict) else \
            "— (%s)" % r.get("init_cmd_reason", "?")
        lines.append([str(r["numvfs"]), _mmm(r["start_to_ready_ms"], "%.0f"),
                      _mmm(r["rss_mib"], "%.1f"), _mmm(r["hugetlb_mib"], "%.0f"), init,
                      _cores(r.get("cores")) + ("; " + r["note"] if r.get("note") else "")])
    return lines


def cost_table(c):
    lines = [["subject", "instructions/packet", "rx", "tx", "/ net_null", "rx polls (empty)",
              "busy cycles/packet, median burst (native)", "/ net_null (native)",
              "busy cycles/packet, mean of bursts ≤ 4× median (native)", "/ net_null"]]
    for r in c.get("rows", []):
        if "busy_cpp_median_burst" in r:
            nat = [_mmm(r["busy_cpp_median_burst"], "%.0f"),
                   _mmm(r["native_ratio_net_null"]) if r.get("native_ratio_net_null") else "—",
                   _mmm(r["busy_cpp_clipped_mean"], "%.1f")
                   if r.get("busy_cpp_clipped_mean") else "—",
                   _mmm(r["native_clipped_ratio_net_null"])
                   if r.get("native_clipped_ratio_net_null") else "—"]
        else:
            nat = ["—", "not run: " + r.get("native_reason", "-"), "—", "—"]
        if "reason" in r:
            lines.append([r["subject"], "—", "—", "—", "—", r["reason"]] + nat)
            continue
        if "instr_per_pkt" not in r:
            lines.append([r["subject"], "—", "—", "—", "—", "—"] + nat)
            continue
        lines.append([r["subject"], "%.1f" % r["instr_per_pkt"], "%.1f" % r["rx_instr_per_pkt"],
                      "%.1f" % r["tx_instr_per_pkt"],
                      "%.2f" % r["ratio_net_null"] if "ratio_net_null" in r else "—",
                      "%d (%d)" % (r["rx_polls"], r["empty_polls"])] + nat)
    return lines


def md(lines):
    out = ["| " + " | ".join(lines[0]) + " |", "|" + "---|" * len(lines[0])]
    for ln in lines[1:]:
        out.append("| " + " | ".join(c.replace("|", "/") for c in ln) + " |")
    return "\n".join(out)


def text_table(lines):
    w = [max(len(ln[i]) for ln in lines) for i in range(len(lines[0]))]
    return "\n".join("  ".join(c.ljust(w[i]) for i, c in enumerate(ln)).rstrip()
                     for ln in lines)


def summary_text(res):
    dp = res.get("dataplane", {})
    parts = ["svff benchmark (%s mode, %s rounds of %s s): %s" % (
        res["meta"]["mode"], res["meta"]["rounds"], res["meta"]["secs"],
        res["meta"]["machine"].get("model", "?"))]
    if "dataplane" in res:
        parts.append(text_table(dataplane_table(dp, cores=False)))
    if "cost" in res:
        parts.append(text_table(cost_table(res["cost"])))
    if "lifecycle" in res:
        parts.append(text_table([ln[:5] + [ln[5][:90]] for ln in
                                 lifecycle_table(res["lifecycle"])]))
    if "control" in res:
        parts.append(text_table([ln[:8] + [ln[8][:60]] for ln in
                                 control_table(res["control"])]))
    if "scale" in res:
        parts.append(text_table([ln[:5] for ln in scale_table(res["scale"])]))
    tgt = target_line(dp)
    if tgt:
        parts.append(tgt)
    return "\n\n".join(parts)


def target_line(dp):
    vals = [(r["size"], r["subject"], r["ratio_net_null"]["median"]) for r in dp.get("rows", [])
            if r.get("ratio_net_null") and r["subject"].startswith("svff")]
    if not vals:
        return None
    v64 = [v for v in vals if v[0] == 64]
    s = ", ".join("%s %d B %.2f" % (n, z, x) for z, n, x in (v64 or vals))
    return "QDMA PMD io-fwd cost / net_null (median of the run; target <= 1.7): " + s


def report_md(res, plots):
    m = res["meta"]
    mach = m["machine"]
    dp = res.get("dataplane", {})
    out = ["# svff benchmark report", "",
           "Generated by `usertools/svff-quickstart bench%s` on %s (commit %s)." % (
               " --full" if m["mode"] == "full" else "", m["date"], m.get("commit") or "?"),
           "",
           "Machine: %s, %s CPUs (%s cores/socket, %s threads/core), %s GiB, %s; "
           "SIMD: %s; load average at start %s." % (
               mach.get("model", "?"), mach.get("cpus"), mach.get("cores_per_socket", "?"),
               mach.get("threads_per_core", "?"), mach.get("mem_gib", "?"),
               ("hypervisor " + mach["hypervisor"]) if mach.get("hypervisor") else "bare metal",
               ", ".join(mach.get("simd", [])) or "-",
               " ".join("%.2f" % x for x in mach.get("load_avg", []))),
           "",
           "Each figure: median (min-max) of %s rounds of %s s; ratios are taken round by "
           "round within this run (the machine is shared and noisy), then summarised.%s" % (
               m["rounds"], m["secs"],
               " The run had niceness %+d." % m["nice"] if m.get("nice") else ""),
           "", "## Data plane", "",
           "testpmd io forwarding, burst 32, one forwarding core, %s-descriptor rings, %s "
           "bursts in flight (tx_first), --record-core-cycles (cycles/packet = busy cycles of "
           "the forwarding core / packets received). Gb/s counts frame bytes (no CRC, "
           "preamble or gap). svff VF and svff PF forward through the emulated card's loopback "
           "user logic; net_null moves no data; vhost-user is net_virtio_user (the guest side, "
           "measured) against net_vhost (the host side, which loops every packet back on the "
           "other CPU, as the card engine does)." % (dp.get("ring", "?"),
                                                     dp.get("in_flight_bursts", "?")),
           "", md(dataplane_table(dp)), ""]
    tgt = target_line(dp)
    if tgt:
        out += [tgt + ".", ""]
    vh = [r for r in dp.get("rows", []) if r.get("vhost_host_cpp")]
    if vh:
        out += ["vhost-user host side (net_vhost, loops back, copies the data) cycles/packet: " +
                ", ".join("%d B %s" % (r["size"], _mmm(r["vhost_host_cpp"], "%.1f"))
                          for r in vh) + ".", ""]
    for sec, title, fn, text in (
            ("cost", "Instructions per packet (callgrind)", cost_table,
             "The io-forwarding loop (tests/bench/pmd-fwd-cost.c: rx burst of 32, tx of what "
             "came in) under valgrind's callgrind, 64 B packets: instructions of the PMD's rx "
             "and tx burst functions (inclusive: mbuf allocation and freeing they do) per "
             "packet. Unlike cycles on a shared machine, the same binary gives the same count. "
             "The scalar path is the data path before the vector one (same logic). "
             "The native columns: the same loop without valgrind (card engine on CPU 0, the "
             "loop on CPU 1, %s rounds), the busy cycles of each burst (rx burst to tx burst, "
             "as testpmd's --record-core-cycles) per packet, median over the bursts of a round: "
             "unlike testpmd's mean, a shared machine's preemptions hardly move it." % (
                 res["meta"]["rounds"])),
            ("lifecycle", "Lifecycle", lifecycle_table,
             "Latency of each svffd operation as a client sees it (request sent to reply, "
             "following /svff/ops for operations that answer 'running'), p50/p99 over the runs."),
            ("control", "Control under load", control_table,
             "A forwarding data plane with and without a telemetry client sending requests to "
             "svffd at the given rate (its own process), alternated round by round."),
            ("scale", "Scale", scale_table,
             "svffd started with N VFs in its config: time from process start until /svff/info "
             "shows N VFs, and its resident memory (hugepages apart); /svff/init N on the "
             "running svffd when it has the command.")):
        if sec in res:
            out += ["## " + title, "", text, "", md(fn(res[sec])), ""]
    if plots.get("files"):
        out += ["## Plots", ""] + ["![%s](%s)" % (f, f) for f in plots["files"]] + [""]
    if plots.get("reason"):
        out += ["Plots: not drawn: %s" % plots["reason"], ""]
    out += ["## Reproduce", "", "    usertools/svff-quickstart bench%s" % (
        " --full" if m["mode"] == "full" else ""), "",
        "Raw figures (every round): `results.json` beside this file.", ""]
    return "\n".join(out)
