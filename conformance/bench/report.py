#!/usr/bin/env python3
"""Markdown tables from run.sh's results.tsv: one table per cluster size and mode, medians over rounds, ratios
to Knot.

  report.py results.tsv

Modes (the `mode` column; rows of runs before it existed count as udp): udp and tcp ask queries.txt over
each transport, fwd asks queries-fwd.txt, a third of it names that clusterdns forwards to a Knot upstream
while Knot's own row serves both zones. A ratio (×knot) is taken per round against that round's Knot in the
same mode, then the median of those is shown, so a round on a slow moment of the VM compares with Knot on the
same moment. Python 3 standard library only.
"""

import csv
import statistics
import sys

LABELS = {
    "clusterdns": "clusterdns `java -jar`",
    "clusterdns-serialgc": "clusterdns `-XX:+UseSerialGC -Xmx256m -Xmn16m` + launcher JIT counts",
}

KNOT_LABELS = {
    "udp": "knot (2 udp-workers)",
    "tcp": "knot (2 tcp-workers)",
    "fwd": "knot (2 udp-workers, both zones its own)",
}

MODES = ["udp", "tcp", "fwd"]

CAPTIONS = {
    "udp": "UDP",
    "tcp": "TCP, `dnsperf -m tcp`: 20 connections kept open, several queries in flight on each",
    "fwd": "forwarded: 1/3 `example.test` names through clusterdns's cache to a Knot upstream (UDP)",
}


def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(v, digits=2):
    if v is None:
        return "-"
    return f"{v:,.0f}" if digits == 0 else f"{v:.{digits}f}"


def mode_of(row):
    return row.get("mode") or "udp"


def main():
    with open(sys.argv[1]) as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    sizes = sorted({int(r["size"]) for r in rows})
    modes = sorted({mode_of(r) for r in rows}, key=lambda m: (MODES.index(m) if m in MODES else len(MODES), m))
    servers = list(dict.fromkeys(r["server"] for r in rows))
    servers.sort(key=lambda s: (s != "knot", s))
    out = []
    for size in sizes:
        for mode in modes:
            at = [r for r in rows if int(r["size"]) == size and mode_of(r) == mode]
            if not at:
                continue
            out += table(size, mode, at, servers)
    print("\n".join(out))


def table(size, mode, at, servers):
    knot = {r["round"]: r for r in at if r["server"] == "knot"}
    rounds = len({r["round"] for r in at})
    fwd = mode == "fwd"
    out = [f"**{size:,} services, {mode}** ({CAPTIONS.get(mode, mode)}; {rounds} round{'s' if rounds > 1 else ''})\n"]
    extra = " upstream CPU µs/q |" if fwd else ""
    out.append("| server | QPS | ×knot | CPU µs/q | CPU ×knot |" + extra + " lat avg / p50 / p99 / p99.9 / max ms "
               "@ fixed rate | RSS MB | PSS MB | peak RSS MB | ready s | ready ×knot | ready CPU s | lost % "
               "| parity | other CPU % |")
    out.append("|---" * (15 + fwd) + "|")
    for server in servers:
        mine = [r for r in at if r["server"] == server]
        if not mine:
            continue

        def col(key):
            return med([num(r.get(key)) for r in mine])

        def ratio(key):
            return med([num(r[key]) / num(knot[r["round"]][key])
                        for r in mine if r["round"] in knot and num(r[key]) and num(knot[r["round"]][key])])

        qps = fmt(col("qps"), 0)
        if len(mine) > 1:
            qps = f"**{qps}** ({' / '.join(fmt(num(r['qps']), 0) for r in mine)})"
        lat = " / ".join(fmt(col(k), 3) for k in ("lat_avg", "lat_p50", "lat_p99", "lat_p999")) + \
            " / " + fmt(col("lat_max"), 1)
        parity = ", ".join(sorted({r["parity"] for r in mine}))
        label = KNOT_LABELS.get(mode, "knot") if server == "knot" else LABELS.get(server, server)
        up = f" {fmt(col('upstream_cpu_us_q'))} |" if fwd else ""
        out.append(f"| {label} | {qps} | {fmt(ratio('qps'))} | {fmt(col('cpu_us_q'))} "
                   f"| {fmt(ratio('cpu_us_q'))} |{up} {lat} | {fmt(col('rss_mb'), 1)} | {fmt(col('pss_mb'), 1)} "
                   f"| {fmt(col('hwm_mb'), 1)} | {fmt(col('ready_s'), 3)} | {fmt(ratio('ready_s'), 1)} "
                   f"| {fmt(col('ready_cpu_s'))} | {fmt(col('lost_pct'))} | {parity} "
                   f"| {fmt(col('other_cpu_pct'), 1)} |")
    out.append("")
    return out


if __name__ == "__main__":
    main()
