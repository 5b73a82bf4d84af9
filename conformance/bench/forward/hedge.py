#!/usr/bin/env python3
"""Hedged-upstream benchmark for clusterdns (issue 22 §2); driven by hedge.sh.

Loopback only. Knot serves example.test with a wildcard (*.hedge.example.test A), so every query names a new
name and misses clusterdns's cache: each one is forwarded. Two lossy UDP proxies (`hedge.py proxy`: each
datagram, either way, is dropped with probability --drop) stand in front of Knot as the upstream pair. For each
mode a fresh proxy pair and a fresh clusterdns (`--demo`, a Corefile with `forward . P1 P2 { hedge ... }`,
`cache 30`) are started, warmed up for --warmup seconds, then `dnsperf -Q RATE -l SECONDS -t 5 -q 6xRATE -v` measures
the latency of every answered query (p50/p99/p99.9/max) and the proxies count what clusterdns sent upstream
(queries per client query = the upstream load). Modes: the pair with `hedge off` (CoreDNS's behaviour: the
next upstream only after the 2 s try timeout) and with `hedge on` (defaults), and the same with one upstream
only (there `hedge on` is a resend to the same upstream under a new ID).

Every process is recorded in --pidfile (hedge.sh's EXIT trap stops the ones still alive) and stopped by PID in
a finally block. Every load is bounded by dnsperf's -l and a subprocess timeout. Standard library only.
"""

import argparse
import json
import os
import random
import selectors
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench as fb  # noqa: E402  (the forward benchmark's process, Knot, dnsperf and metrics helpers)


# ------------------------------------------------------------------------------------------------ proxy

def proxy(a):
    """UDP proxies on --ports, all to 127.0.0.1:--to, dropping each datagram (either way) with probability
    --drop. One upstream socket per (listening port, client address), so replies go back to the right client.
    Writes {port: {"in": queries received, "fwd": queries passed on, "back": replies passed back}} to --stats
    every 0.2 s. Exits on SIGTERM or after --lifetime seconds."""
    rnd = random.Random(a.seed)
    sel = selectors.DefaultSelector()
    listeners = {}
    for port in a.ports:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 21)
        s.bind(("127.0.0.1", port))
        s.setblocking(False)
        listeners[port] = s
        sel.register(s, selectors.EVENT_READ, ("listen", port, None))
    stats = {str(p): {"in": 0, "fwd": 0, "back": 0} for p in a.ports}
    upstreams = {}  # (port, client addr) -> socket connected to the upstream
    target = ("127.0.0.1", a.to)

    def on_term(*_):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, on_term)
    print("ready", flush=True)
    end = time.monotonic() + a.lifetime
    next_write = 0.0
    try:
        while time.monotonic() < end:
            for key, _ in sel.select(timeout=0.1):
                kind, port, client = key.data
                s = key.fileobj
                for _ in range(64):
                    try:
                        data, addr = s.recvfrom(65535)
                    except (BlockingIOError, ConnectionRefusedError):
                        break
                    st = stats[str(port)]
                    if kind == "listen":
                        st["in"] += 1
                        if rnd.random() < a.drop:
                            continue
                        u = upstreams.get((port, addr))
                        if u is None:
                            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                            u.connect(target)
                            u.setblocking(False)
                            upstreams[(port, addr)] = u
                            sel.register(u, selectors.EVENT_READ, ("up", port, addr))
                        u.send(data)
                        st["fwd"] += 1
                    else:
                        if rnd.random() < a.drop:
                            continue
                        listeners[port].sendto(data, client)
                        st["back"] += 1
            now = time.monotonic()
            if now >= next_write:
                next_write = now + 0.2
                tmp = a.stats + ".tmp"
                with open(tmp, "w") as f:
                    json.dump(stats, f)
                os.replace(tmp, a.stats)
    except SystemExit:
        pass
    with open(a.stats, "w") as f:
        json.dump(stats, f)


def read_stats(path):
    with open(path) as f:
        s = json.load(f)
    return sum(v["in"] for v in s.values())


# ------------------------------------------------------------------------------------------------ one mode

def write_wildcard_zone(path):
    with open(path, "w") as f:
        f.write("$ORIGIN example.test.\n$TTL 3600\n")
        f.write("@ SOA ns.example.test. hostmaster.example.test. 1 3600 900 604800 300\n")
        f.write("@ NS ns.example.test.\nns A 127.0.0.1\n")
        f.write("h0 A 192.0.2.1\n")
        f.write("*.hedge A 192.0.2.7\n")


def write_names(path, count, tag):
    with open(path, "w") as f:
        for i in range(count):
            f.write(f"u{i}-{tag}.hedge.example.test A\n")


def run_mode(a, procs, work, knot_port, label, upstreams, hedge, script):
    d = os.path.join(work, label)
    os.makedirs(d, exist_ok=True)
    ports = [fb.free_port() for _ in range(upstreams)]
    stats = os.path.join(d, "proxy.json")
    log = os.path.join(d, "proxy.log")
    px = procs.start(f"proxy-{label}", [sys.executable, script, "proxy", "--to", str(knot_port), "--drop",
                                        str(a.drop), "--seed", str(a.seed), "--stats", stats,
                                        "--lifetime", str(a.seconds + a.warmup + 300)]
                     + ["--ports"] + [str(p) for p in ports], log)
    fb.wait_for(lambda: os.path.exists(stats), 10, "proxy", px)
    dns, metrics = fb.free_port(), fb.free_port()
    corefile = os.path.join(d, "Corefile")
    with open(corefile, "w") as f:
        f.write(f""".:{dns} {{
    bind 127.0.0.1
    kubernetes cluster.local
    forward . {' '.join(f'127.0.0.1:{p}' for p in ports)} {{
        {hedge}
    }}
    cache 30
    prometheus 127.0.0.1:{metrics}
}}
""")
    cmd = ["java"] + a.java_opts + ["-jar", a.jar, "--demo", "--conf", corefile, "--threads", str(a.threads)]
    clog = os.path.join(d, "clusterdns.log")
    p = procs.start(f"clusterdns-{label}", cmd, clog)
    fb.wait_for(lambda: "listening on" in open(clog, errors="replace").read(), 60, label, p)
    fb.wait_for(lambda: fb.dns_query(dns, "kubernetes.default.svc.cluster.local") is not None, 30, label, p)
    tag = f"{random.Random(a.seed).randrange(1 << 30):x}-{label}"
    warm = os.path.join(d, "warm.txt")
    write_names(warm, a.rate * a.warmup + 1000, "w" + tag)
    names = os.path.join(d, "names.txt")
    write_names(names, a.rate * a.seconds + 1000, tag)
    fb.dnsperf(["-s", "127.0.0.1", "-p", str(dns), "-d", warm, "-Q", str(a.rate), "-l", str(a.warmup),
                "-t", "5", "-q", str(a.rate * 6)], os.path.join(d, "warmup.txt"), a.warmup + 60)
    time.sleep(3)  # quiet: tries of the warm-up settle (the 2 s try timeout) before the counts are read
    up0, m0 = read_stats(stats), fb.scrape(metrics)
    res, text = fb.dnsperf(["-s", "127.0.0.1", "-p", str(dns), "-d", names, "-Q", str(a.rate),
                            "-l", str(a.seconds), "-t", "5", "-q", str(a.rate * 6), "-v"], os.path.join(d, "dnsperf.txt"),
                           a.seconds + 60)
    time.sleep(3)  # every try of the run settled, losers included
    up1, m1 = read_stats(stats), fb.scrape(metrics)
    if p.poll() is not None:
        raise RuntimeError(f"clusterdns {label} died")
    procs.stop(p)
    procs.stop(px)

    def delta(name, must=""):
        return fb.msum(m1, name, must) - fb.msum(m0, name, must)

    srtt = {k.split('to="')[1].rstrip('"}'): v * 1000 for k, v in m1.items()
            if k.startswith("clusterdns_forward_upstream_srtt_seconds{")}
    out = {"label": label, "upstreams": upstreams, "hedge": hedge, "sent": res["sent"],
           "completed": res["completed"], "lost": res["lost"], "rcodes": res["rcodes"],
           "lat": fb.latency_stats(text), "upstream_queries": up1 - up0,
           "load": (up1 - up0) / max(1.0, res["sent"] or 1.0),
           "hedges": delta("clusterdns_forward_hedges_total"),
           "wins": delta("clusterdns_forward_hedge_wins_total"),
           "refused": delta("clusterdns_forward_hedges_refused_total"),
           "broken": delta("coredns_forward_healthcheck_broken_total"),
           "srtt_ms": srtt, "dnsperf_cmd": res["cmd"], "corefile": open(corefile).read()}
    lat = out["lat"]
    print(f"  {label}: sent {res['sent']:.0f}, answered {res['completed']:.0f}, lost {res['lost']:.0f}; "
          f"p50 {lat.get('p50', float('nan')):.2f} ms, p99 {lat.get('p99', float('nan')):.2f} ms, "
          f"p99.9 {lat.get('p999', float('nan')):.2f} ms; upstream q/q {out['load']:.3f}; hedges "
          f"{out['hedges']:.0f} (won {out['wins']:.0f}, refused {out['refused']:.0f})", flush=True)
    return out


# ------------------------------------------------------------------------------------------------ report

def report(a, meta, rows):
    L = [f"### Run {meta['date']}\n", "```\n" + meta["command"] + "\n```\n",
         f"- machine: {meta['cpus']} CPUs, {meta['cpu']}; load average {meta['load_start']} at the start, "
         f"{meta['load_end']} at the end; run took {meta['took']:.0f} s; {meta['versions']}",
         f"- upstreams: Knot DNS behind `hedge.py proxy`, which drops each datagram with probability {a.drop} "
         f"in either direction (so about {100 * (1 - (1 - a.drop) ** 2):.1f} % of tries go unanswered); "
         f"clusterdns `--demo --conf Corefile --threads {a.threads}` with `forward . PROXIES {{ hedge ... }}` "
         f"(policy random, 2 s per try, 5 s budget, max_fails 2) and `cache 30`",
         f"- load: `dnsperf -Q {a.rate} -l {a.seconds} -t 5 -q {a.rate * 6} -v` (the outstanding-query cap above "
         f"rate x 5 s, so slow answers never hold the sender back) over unique names `uN-TAG.hedge.example.test` "
         f"(a Knot wildcard), so every query misses the cache and is forwarded; {a.warmup} s of warm-up "
         f"(other names) before each run; latency of every answered query; 'upstream q/q' = datagrams the "
         f"proxies received from clusterdns during the run / client queries sent",
         "",
         "| upstreams | Corefile `hedge` | answered / sent | p50 ms | p99 ms | p99.9 ms | max ms | upstream q/q "
         "| hedges sent / won / refused | SERVFAIL |",
         "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lat = r["lat"]

        def f(k):
            return f"{lat[k]:.2f}" if k in lat else "-"
        L.append(f"| {r['upstreams']} | `{r['hedge']}` | {r['completed']:.0f} / {r['sent']:.0f} | {f('p50')} "
                 f"| {f('p99')} | {f('p999')} | {f('max')} | {r['load']:.3f} | {r['hedges']:.0f} / "
                 f"{r['wins']:.0f} / {r['refused']:.0f} | {r['rcodes'].get('SERVFAIL', 0)} |")
    L.append("")
    L.append("SRTT at the end of each run (`clusterdns_forward_upstream_srtt_seconds`): " + "; ".join(
        f"{r['label']}: " + ", ".join(f"{v:.2f} ms" for v in r["srtt_ms"].values()) for r in rows) + ".")
    L.append("")
    return "\n".join(L)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="mode")
    px = sub.add_parser("proxy")
    px.add_argument("--ports", type=int, nargs="+", required=True)
    px.add_argument("--to", type=int, required=True)
    px.add_argument("--drop", type=float, default=0.05)
    px.add_argument("--seed", type=int, default=42)
    px.add_argument("--stats", required=True)
    px.add_argument("--lifetime", type=float, default=600)
    rn = sub.add_parser("run")
    rn.add_argument("--jar", required=True)
    rn.add_argument("--work", required=True)
    rn.add_argument("--pidfile", required=True)
    rn.add_argument("--command", default="")
    rn.add_argument("--drop", type=float, default=0.05)
    rn.add_argument("--rate", type=int, default=500)
    rn.add_argument("--seconds", type=int, default=20)
    rn.add_argument("--warmup", type=int, default=5)
    rn.add_argument("--threads", type=int, default=2)
    rn.add_argument("--seed", type=int, default=42)
    rn.add_argument("--hedge-on", default="hedge on", help="the Corefile line of the 'on' runs")
    rn.add_argument("--skip-single", action="store_true", help="leave out the one-upstream runs")
    rn.add_argument("--java-opts", default="")
    rn.add_argument("--json", default="")
    rn.add_argument("--report", default="")
    a = ap.parse_args()
    if a.mode == "proxy":
        return proxy(a)
    a.java_opts = a.java_opts.split()
    fb.PIDFILE = a.pidfile

    def on_term(*_):
        raise SystemExit(143)

    signal.signal(signal.SIGTERM, on_term)
    t0 = time.monotonic()
    meta = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "command": a.command,
            "cpus": os.cpu_count(), "load_start": " ".join(open("/proc/loadavg").read().split()[:3])}
    with open("/proc/cpuinfo") as f:
        meta["cpu"] = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "?")
    rev = subprocess.run(["git", "-C", os.path.dirname(os.path.abspath(__file__)), "rev-parse", "--short", "HEAD"],
                         capture_output=True, text=True, timeout=30).stdout.strip()
    meta["versions"] = f"clusterdns at commit {rev or '?'}"
    procs = fb.Procs(a.pidfile)
    rows = []
    try:
        knot_port = fb.free_port()
        fb.write_zone = lambda path, n: write_wildcard_zone(path)  # start_knot then serves the wildcard zone
        fb.start_knot(procs, a.work, knot_port, 1)  # ready once h0.example.test answers
        script = os.path.abspath(__file__)
        modes = [("pair-off", 2, "hedge off"), ("pair-on", 2, a.hedge_on)]
        if not a.skip_single:
            modes += [("single-off", 1, "hedge off"), ("single-on", 1, a.hedge_on)]
        for label, n, hedge in modes:
            rows.append(run_mode(a, procs, a.work, knot_port, label, n, hedge, script))
        meta["load_end"] = " ".join(open("/proc/loadavg").read().split()[:3])
        meta["took"] = time.monotonic() - t0
        if a.json:
            with open(a.json, "w") as f:
                json.dump({"meta": meta, "rows": rows}, f, indent=1, default=str)
        text = report(a, meta, rows)
        print(text)
        if a.report:
            with open(a.report, "w") as f:
                f.write(text + "\n")
    finally:
        procs.stop_all()


if __name__ == "__main__":
    sys.exit(main())
