#!/usr/bin/env python3
"""Markdown tables from run.sh's results.tsv: one table per cluster size, medians over rounds, ratios to Knot.

  report.py results.tsv

A ratio (×knot) is taken per round against that round's Knot, then the median of those is shown, so a
round on a slow moment of the VM compares with Knot on the same moment. Python 3 standard library only.
"""

import csv
import statistics
import sys

LABELS = {
    "knot": "knot (2 udp-workers)",
    "clusterdns": "clusterdns `java -jar`",
    "clusterdns-serialgc": "clusterdns `-XX:+UseSerialGC -Xmx256m -Xmn16m`",
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


def main():
    with open(sys.argv[1]) as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    sizes = sorted({int(r["size"]) for r in rows})
    servers = list(dict.fromkeys(r["server"] for r in rows))
    servers.sort(key=lambda s: (s != "knot", s))
    out = []
    for size in sizes:
        at = [r for r in rows if int(r["size"]) == size]
        knot = {r["round"]: r for r in at if r["server"] == "knot"}
        rounds = len({r["round"] for r in at})
        out.append(f"**{size:,} services** ({rounds} round{'s' if rounds > 1 else ''})\n")
        out.append("| server | QPS | ×knot | CPU µs/q | CPU ×knot | lat avg / p50 / p99 / p99.9 / max ms @ fixed rate "
                   "| RSS MB | PSS MB | peak RSS MB | ready s | ready ×knot | ready CPU s | lost % | parity | other CPU % |")
        out.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for server in servers:
            mine = [r for r in at if r["server"] == server]
            if not mine:
                continue

            def col(key):
                return med([num(r[key]) for r in mine])

            def ratio(key):
                return med([num(r[key]) / num(knot[r["round"]][key])
                            for r in mine if r["round"] in knot and num(r[key]) and num(knot[r["round"]][key])])

            qps = fmt(col("qps"), 0)
            if len(mine) > 1:
                qps = f"**{qps}** ({' / '.join(fmt(num(r['qps']), 0) for r in mine)})"
            lat = " / ".join(fmt(col(k), 3) for k in ("lat_avg", "lat_p50", "lat_p99", "lat_p999")) + \
                " / " + fmt(col("lat_max"), 1)
            parity = ", ".join(sorted({r["parity"] for r in mine}))
            out.append(f"| {LABELS.get(server, server)} | {qps} | {fmt(ratio('qps'))} | {fmt(col('cpu_us_q'))} "
                       f"| {fmt(ratio('cpu_us_q'))} | {lat} | {fmt(col('rss_mb'), 1)} | {fmt(col('pss_mb'), 1)} "
                       f"| {fmt(col('hwm_mb'), 1)} | {fmt(col('ready_s'), 3)} | {fmt(ratio('ready_s'), 1)} | {fmt(col('ready_cpu_s'))} "
                       f"| {fmt(col('lost_pct'))} | {parity} | {fmt(col('other_cpu_pct'), 1)} |")
        out.append("")
    print("\n".join(out))


if __name__ == "__main__":
    main()
