#!/usr/bin/env python3
"""Forwarding-and-cache benchmark for clusterdns (issue 5, "Benchmark"); driven by run.sh.

One run, loopback only:
  1. Knot DNS serves example.test (N names hN.example.test A, TTL 3600): the "Internet" stand-in.
  2. Warm cache, forwarded names: clusterdns (--upstream = Knot) against Unbound (2 threads, so-reuseport,
     stub-zone to Knot). Each measurement is preceded by one unmeasured pass over the query file. Throughput
     `dnsperf -c 20 -T 2 -l 10`, server CPU µs/query from /proc utime+stime, cache hit ratio from /metrics;
     latency `dnsperf -Q RATE -l 10 -v` with percentiles from every answered query. Rounds alternate the order;
     medians are reported.
  3. Dead upstream: a second clusterdns whose upstream is a black hole (UDP socket that reads and never
     answers, TCP listener that accepts, reads and never answers). Time to SERVFAIL of single digs (UDP, TCP),
     then a flood of unique names at a fixed rate while VmRSS is sampled every second and /metrics every 5 s.

Every process this script starts is recorded in --pidfile (run.sh's EXIT trap kills the ones still alive)
and stopped by PID in a finally block. Every load is bounded by dnsperf's -l/-n and a subprocess timeout;
every wait polls a condition with a deadline. Python 3 standard library only.
"""

import argparse
import json
import os
import random
import re
import signal
import socket
import statistics
import struct
import subprocess
import sys
import threading
import time
import urllib.request

CLK_TCK = os.sysconf("SC_CLK_TCK")


# ------------------------------------------------------------------------------------------------ processes

class Procs:
    """Processes started by this run; each is written to the pid file so run.sh's trap can stop it too."""

    def __init__(self, pidfile):
        self.pidfile = pidfile
        self.items = []

    def start(self, name, cmd, log, cwd=None):
        out = open(log, "wb")
        p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=cwd)
        out.close()
        self.items.append((name, p))
        with open(self.pidfile, "a") as f:
            f.write(f"{p.pid} {name}\n")
        return p

    def stop(self, p, grace=5.0):
        if p.poll() is not None:
            return
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=5)

    def stop_all(self):
        for _, p in reversed(self.items):
            try:
                self.stop(p)
            except Exception as e:  # keep stopping the others
                print(f"warning: could not stop pid {p.pid}: {e}", file=sys.stderr)


def free_port():
    """A port free for both UDP and TCP on 127.0.0.1 (the servers bind both)."""
    for _ in range(50):
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind(("127.0.0.1", 0))
        port = u.getsockname()[1]
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            t.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            t.close()
            u.close()
    raise RuntimeError("no free port")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime (fields 14, 15)


def rss_mb(pid, field="VmRSS"):
    """VmRSS (or VmHWM, the peak) of a process in MB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def live_heap_mb(pid, metrics_port):
    """Heap in use right after a full GC (jcmd GC.run is synchronous): the live data, garbage excluded."""
    subprocess.run(["jcmd", str(pid), "GC.run"], capture_output=True, timeout=60, check=True)
    return msum(scrape(metrics_port), "jvm_memory_used_bytes", 'area="heap"') / 2**20


def wait_for(cond, deadline_s, what, proc=None):
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what}: process exited with {proc.returncode}")
        if cond():
            return
        time.sleep(0.05)
    raise RuntimeError(f"{what}: not within {deadline_s} s")


# ------------------------------------------------------------------------------------------------ DNS client

def dns_query(port, name, qtype=1, timeout=1.0, tcp=False):
    """(rcode, [(ttl, ipv4)]) of one A query to 127.0.0.1:port, or None on timeout. RD set."""
    qid = random.randrange(65536)
    wire = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.rstrip(".").split("."):
        wire += bytes([len(label)]) + label.encode()
    wire += b"\0" + struct.pack(">HH", qtype, 1)
    try:
        if tcp:
            with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
                s.sendall(struct.pack(">H", len(wire)) + wire)
                data = b""
                while len(data) < 2 or len(data) < 2 + struct.unpack(">H", data[:2])[0]:
                    chunk = s.recv(65535)
                    if not chunk:
                        return None
                    data += chunk
                data = data[2:]
        else:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.settimeout(timeout)
                s.sendto(wire, ("127.0.0.1", port))
                while True:
                    data = s.recv(65535)
                    if data[:2] == wire[:2]:
                        break
    except (socket.timeout, ConnectionError, OSError):
        return None
    rcode = data[3] & 0x0F
    an = struct.unpack(">H", data[6:8])[0]
    pos = 12
    pos = skip_name(data, pos) + 4  # the question
    answers = []
    for _ in range(an):
        pos = skip_name(data, pos)
        rtype, _, ttl, rdlen = struct.unpack(">HHIH", data[pos:pos + 10])
        pos += 10
        if rtype == 1 and rdlen == 4:
            answers.append((ttl, socket.inet_ntoa(data[pos:pos + 4])))
        pos += rdlen
    return rcode, answers


def skip_name(data, pos):
    while True:
        n = data[pos]
        if n == 0:
            return pos + 1
        if n & 0xC0 == 0xC0:
            return pos + 2
        pos += 1 + n


def answers_ok(port, name):
    r = dns_query(port, name)
    return r is not None and r[0] == 0 and len(r[1]) > 0


# ------------------------------------------------------------------------------------------------ data

def ip_of(i):
    return f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"


def write_zone(path, n):
    with open(path, "w") as f:
        f.write("$ORIGIN example.test.\n$TTL 3600\n")
        f.write("@ SOA ns.example.test. hostmaster.example.test. 1 3600 900 604800 300\n")
        f.write("@ NS ns.example.test.\nns A 127.0.0.1\n")
        for i in range(n):
            f.write(f"h{i} A {ip_of(i)}\n")


def write_queries(path, names, lines, seed):
    rnd = random.Random(seed)
    with open(path, "w") as f:
        for _ in range(lines):
            f.write(f"h{rnd.randrange(names)}.example.test A\n")


def write_unique(path, count, seed):
    tag = random.Random(seed).randrange(1 << 30)
    with open(path, "w") as f:
        for i in range(count):
            f.write(f"u{i}-{tag:x}.flood.example.test A\n")


# ------------------------------------------------------------------------------------------------ servers

def start_knot(procs, work, port, names):
    d = os.path.join(work, "knot")
    os.makedirs(d, exist_ok=True)
    write_zone(os.path.join(d, "example.test.zone"), names)
    conf = os.path.join(d, "knot.conf")
    with open(conf, "w") as f:
        f.write(f"""server:
    rundir: "{d}"
    listen: 127.0.0.1@{port}
    udp-workers: 2
    tcp-workers: 1
    background-workers: 1
log:
  - target: stderr
    any: warning
database:
    storage: "{d}"
template:
  - id: default
    storage: "{d}"
    file: "%s.zone"
    zonefile-sync: -1
    journal-content: none
zone:
  - domain: example.test
""")
    p = procs.start("knotd", ["/usr/sbin/knotd", "-c", conf], os.path.join(d, "knotd.log"))
    wait_for(lambda: answers_ok(port, f"h{names - 1}.example.test"), 30, "knotd", p)
    return p


def start_unbound(procs, work, port, upstream_port, threads, max_ttl):
    d = os.path.join(work, "unbound")
    os.makedirs(d, exist_ok=True)
    conf = os.path.join(d, "unbound.conf")
    with open(conf, "w") as f:
        f.write(f"""server:
    interface: 127.0.0.1@{port}
    port: {port}
    num-threads: {threads}
    so-reuseport: yes
    do-ip6: no
    access-control: 127.0.0.0/8 allow
    do-not-query-localhost: no
    chroot: ""
    username: ""
    directory: "{d}"
    pidfile: ""
    do-daemonize: no
    use-syslog: no
    logfile: ""
    verbosity: 0
    module-config: "iterator"
    cache-max-ttl: {max_ttl}
    cache-min-ttl: 0
    # Unbound answers the RFC 6761 names (test. among them) itself unless told not to.
    local-zone: "test." nodefault
stub-zone:
    name: "example.test"
    stub-addr: 127.0.0.1@{upstream_port}
""")
    check = subprocess.run(["/usr/sbin/unbound-checkconf", conf], capture_output=True, text=True, timeout=30)
    if check.returncode != 0:
        raise RuntimeError("unbound-checkconf: " + check.stdout + check.stderr)
    p = procs.start("unbound", ["/usr/sbin/unbound", "-d", "-c", conf], os.path.join(d, "unbound.log"))
    wait_for(lambda: answers_ok(port, "h0.example.test"), 30, "unbound", p)
    return p


def start_clusterdns(procs, work, name, jar, upstream_port, threads, java_opts):
    d = os.path.join(work, name)
    os.makedirs(d, exist_ok=True)
    ports = {k: free_port() for k in ("dns", "health", "ready", "metrics")}
    cmd = ["java"] + java_opts + ["-jar", jar, "--demo",
                                  "--listen", f"127.0.0.1:{ports['dns']}",
                                  "--upstream", f"127.0.0.1:{upstream_port}",
                                  "--health", f"127.0.0.1:{ports['health']}",
                                  "--ready", f"127.0.0.1:{ports['ready']}",
                                  "--metrics", f"127.0.0.1:{ports['metrics']}",
                                  "--threads", str(threads)]
    log = os.path.join(d, "clusterdns.log")
    t0 = time.monotonic()
    p = procs.start(name, cmd, log)

    def up():
        with open(log, errors="replace") as f:
            return "listening on" in f.read()

    wait_for(up, 60, name, p)
    # A cluster name proves the listener answers (forwarded names may legitimately SERVFAIL here).
    wait_for(lambda: dns_query(ports["dns"], "kubernetes.default.svc.cluster.local") is not None, 30, name, p)
    return p, ports, time.monotonic() - t0, " ".join(cmd)


def scrape(port):
    """{series-with-labels: value} from GET /metrics."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
        text = r.read().decode()
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        key, _, val = line.rpartition(" ")
        try:
            out[key] = float(val)
        except ValueError:
            pass
    return out


def msum(m, prefix, must=""):
    return sum(v for k, v in m.items() if (k == prefix or k.startswith(prefix + "{")) and must in k)


# ------------------------------------------------------------------------------------------------ dnsperf

PIDFILE = None  # set by main: load generators are listed too, so run.sh's trap can stop them


def dnsperf(args, out_path, wall_limit):
    cmd = ["dnsperf"] + args
    with open(out_path, "w") as out:
        p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        if PIDFILE:
            with open(PIDFILE, "a") as f:
                f.write(f"{p.pid} dnsperf\n")
        try:
            rc = p.wait(timeout=wall_limit)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait(timeout=5)
    if rc != 0:
        raise RuntimeError(f"dnsperf exited with {rc}: {' '.join(cmd)}")
    with open(out_path) as f:
        text = f.read()
    res = {"cmd": " ".join(cmd)}
    for key, pat in (("sent", r"Queries sent:\s+(\d+)"), ("completed", r"Queries completed:\s+(\d+)"),
                     ("lost", r"Queries lost:\s+(\d+)"), ("qps", r"Queries per second:\s+([\d.]+)"),
                     ("avg_s", r"Average Latency \(s\):\s+([\d.]+)")):
        m = re.search(pat, text)
        res[key] = float(m.group(1)) if m else None
    m = re.search(r"Response codes:\s+(.*)", text)
    res["rcodes"] = {k: int(v) for k, v in re.findall(r"([A-Z]+) (\d+) \(", m.group(1))} if m else {}
    return res, text


def latency_stats(text):
    """avg/p50/p99/p99.9/max in ms over the "> RCODE name type seconds" lines of `dnsperf -v`."""
    vals, timeouts = [], 0
    for line in text.splitlines():
        if not line.startswith("> "):
            continue
        parts = line.split()
        if parts[1] in ("T", "I"):
            timeouts += 1
            continue
        try:
            vals.append(float(parts[-1]) * 1000)
        except ValueError:
            pass
    vals.sort()
    n = len(vals)
    if n == 0:
        return {"n": 0, "timeouts": timeouts}

    def pct(p):
        return vals[min(n - 1, int(p / 100.0 * n))]

    return {"n": n, "timeouts": timeouts, "avg": sum(vals) / n, "p50": pct(50), "p99": pct(99),
            "p999": pct(99.9), "max": vals[-1]}


# ------------------------------------------------------------------------------------------------ phases

def parity(ports, knot_port, names, sample, seed):
    """Answers of every server on `sample` names against Knot's; clusterdns/unbound TTLs must be ≤ cap."""
    rnd = random.Random(seed + 1)
    result = {}
    for srv, port in ports.items():
        bad = []
        for i in rnd.sample(range(names), sample):
            name = f"h{i}.example.test"
            want = dns_query(knot_port, name)
            got = dns_query(port, name)
            if want is None or got is None or got[0] != want[0] or \
                    sorted(a for _, a in got[1]) != sorted(a for _, a in want[1]):
                bad.append((name, want, got))
        result[srv] = bad
    return result


def forwarded_rounds(a, procs_info, work):
    """Rounds of warm + throughput + fixed-rate latency for each server; returns per-server lists."""
    res = {s: [] for s in procs_info}
    order = list(procs_info)
    for srv in order:  # JIT warm-up, unmeasured (the JVM compiles the hot path in the first seconds)
        dnsperf(["-s", "127.0.0.1", "-p", str(procs_info[srv]["port"]), "-d", a.queries_file,
                 "-c", "20", "-T", "2", "-l", str(a.warmup)], os.path.join(work, f"warmup-{srv}.txt"),
                a.warmup + 30)
    for r in range(a.rounds):
        seq = order[r % len(order):] + order[:r % len(order)]  # rotated every round
        for srv in seq:
            info = procs_info[srv]
            port, pid = info["port"], info["proc"].pid
            tag = f"r{r + 1}-{srv}"
            warm, _ = dnsperf(["-s", "127.0.0.1", "-p", str(port), "-d", a.queries_file, "-n", "1",
                               "-c", "20", "-T", "2", "-l", "30"], os.path.join(work, f"{tag}-warm.txt"), 60)
            m0 = scrape(info["metrics"]) if info.get("metrics") else None
            c0 = cpu_seconds(pid)
            tp, _ = dnsperf(["-s", "127.0.0.1", "-p", str(port), "-d", a.queries_file,
                             "-c", "20", "-T", "2", "-l", str(a.seconds)],
                            os.path.join(work, f"{tag}-throughput.txt"), a.seconds + 30)
            c1 = cpu_seconds(pid)
            m1 = scrape(info["metrics"]) if info.get("metrics") else None
            lat, text = dnsperf(["-s", "127.0.0.1", "-p", str(port), "-d", a.queries_file,
                                 "-Q", str(a.rate), "-l", str(a.seconds), "-v"],
                                os.path.join(work, f"{tag}-latency.txt"), a.seconds + 30)
            row = {"round": r + 1, "warm_qps": warm["qps"], "warm_lost": warm["lost"],
                   "qps": tp["qps"], "sent": tp["sent"], "completed": tp["completed"], "lost": tp["lost"],
                   "rcodes": tp["rcodes"], "cpu_us_q": (c1 - c0) * 1e6 / max(1.0, tp["completed"]),
                   "lat": latency_stats(text), "lat_lost": lat["lost"], "lat_qps": lat["qps"],
                   "throughput_cmd": tp["cmd"], "latency_cmd": lat["cmd"]}
            if m0 is not None:
                hits = msum(m1, "coredns_cache_hits_total") - msum(m0, "coredns_cache_hits_total")
                req = msum(m1, "coredns_cache_requests_total") - msum(m0, "coredns_cache_requests_total")
                row["hit_ratio"] = hits / req if req else None
                row["cache_entries"] = msum(m1, "coredns_cache_entries", 'type="success"')
                m2 = scrape(info["metrics"])
                row["gc_count"] = msum(m2, "jvm_gc_collection_seconds_count") - \
                    msum(m0, "jvm_gc_collection_seconds_count")
                row["gc_ms"] = (msum(m2, "jvm_gc_collection_seconds_sum") -
                                msum(m0, "jvm_gc_collection_seconds_sum")) * 1000
                # The JVM counts allocation at each GC, so use the whole window (many GCs) for a fair mean.
                alloc = msum(m2, "jvm_memory_pool_allocated_bytes_total") - \
                    msum(m0, "jvm_memory_pool_allocated_bytes_total")
                row["alloc_kb_q"] = alloc / 1024.0 / max(1.0, tp["completed"] + (lat["completed"] or 0))
            res[srv].append(row)
            print(f"  round {r + 1} {srv}: {tp['qps']:.0f} QPS, {row['cpu_us_q']:.2f} µs/q, "
                  f"lost {tp['lost']:.0f}, p99 {row['lat'].get('p99', float('nan')):.3f} ms"
                  + (f", hit ratio {row['hit_ratio']:.4f}" if row.get("hit_ratio") is not None else ""),
                  flush=True)
    return res


def timed_dig(port, name, tcp=False):
    cmd = ["dig", "@127.0.0.1", "-p", str(port), "+tries=1", "+timeout=10", name, "A"]
    if tcp:
        cmd.insert(4, "+tcp")
    t0 = time.monotonic()
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout
    wall = time.monotonic() - t0
    m = re.search(r"status: (\w+)", out)
    q = re.search(r"Query time: (\d+) msec", out)
    return {"status": m.group(1) if m else "no answer", "wall_s": wall,
            "query_ms": int(q.group(1)) if q else None, "cmd": " ".join(cmd)}


def dead_upstream(a, procs, work, jar, script):
    hole_port = free_port()
    hole = procs.start("blackhole", [sys.executable, script, "blackhole", "--port", str(hole_port),
                                     "--lifetime", str(a.flood + 240)], os.path.join(work, "blackhole.log"))
    wait_for(lambda: os.path.exists(os.path.join(work, "blackhole.log")) and
             "ready" in open(os.path.join(work, "blackhole.log")).read(), 10, "blackhole", hole)
    p, ports, _, cmd = start_clusterdns(procs, work, "clusterdns-dead", jar, hole_port, a.threads, a.java_opts)
    out = {"cmd": cmd, "blackhole_port": hole_port}
    out["dig_udp_first"] = timed_dig(ports["dns"], "first.dead.example.test")
    # The same name again at once: is the SERVFAIL clusterdns made itself cached (behaviours.md 11.4, "SERVFAIL
    # cached 5 s")? A fast answer means yes, another 2 s means only upstream-sent SERVFAILs are cached.
    out["dig_udp_repeat"] = timed_dig(ports["dns"], "first.dead.example.test")
    out["dig_tcp_first"] = timed_dig(ports["dns"], "first-tcp.dead.example.test", tcp=True)

    unique = os.path.join(work, "unique.txt")
    write_unique(unique, a.flood * a.flood_rate + 1000, a.seed)
    samples = []  # (t, rss MB)
    scrapes = []  # (t, metrics)
    stop = threading.Event()
    t_start = time.monotonic()

    def sampler():
        k = 0
        while not stop.is_set() and k < a.flood + 120:
            t = time.monotonic() - t_start
            samples.append((t, rss_mb(p.pid)))
            if k % 5 == 0:
                try:
                    scrapes.append((t, scrape(ports["metrics"])))
                except OSError:
                    pass
            k += 1
            stop.wait(1.0)

    out["live_heap_start"] = live_heap_mb(p.pid, ports["metrics"])
    m0 = scrape(ports["metrics"])
    th = threading.Thread(target=sampler, daemon=True)
    th.start()
    flood, _ = dnsperf(["-s", "127.0.0.1", "-p", str(ports["dns"]), "-d", unique, "-n", "1",
                        "-Q", str(a.flood_rate), "-l", str(a.flood), "-t", str(a.flood_timeout),
                        "-q", "10000", "-c", "20", "-T", "2"],
                       os.path.join(work, "flood.txt"), a.flood + 60)
    t_flood_end = time.monotonic() - t_start
    # Observation window after the flood: longer than the 5 s forward budget, so every query still in
    # flight has finished and the samples at the end show the idle server. The sampler runs meanwhile.
    stop.wait(a.drain)
    stop.set()
    th.join(timeout=5)
    m1 = scrape(ports["metrics"])
    out["dig_udp_after"] = timed_dig(ports["dns"], "after.dead.example.test")
    out["flood"] = flood
    out["flood_end_s"] = t_flood_end
    out["rss"] = samples
    out["live_heap_end"] = live_heap_mb(p.pid, ports["metrics"])
    out["hwm"] = rss_mb(p.pid, "VmHWM")
    out["heap_used"] = [(t, msum(m, "jvm_memory_used_bytes", 'area="heap"') / 2**20) for t, m in scrapes]
    out["rejects"] = msum(m1, "coredns_forward_max_concurrent_rejects_total") - \
        msum(m0, "coredns_forward_max_concurrent_rejects_total")
    out["broken"] = msum(m1, "coredns_forward_healthcheck_broken_total") - \
        msum(m0, "coredns_forward_healthcheck_broken_total")
    out["cache_entries"] = {k: v for k, v in m1.items() if k.startswith("coredns_cache_entries")}
    out["dropped_packets"] = msum(m1, "clusterdns_dns_dropped_packets_total")
    out["internal_errors"] = msum(m1, "clusterdns_dns_internal_errors_total")
    out["alive"] = p.poll() is None
    procs.stop(p)
    procs.stop(hole)
    with open(os.path.join(work, "blackhole.log")) as f:
        counts = [l for l in f.read().splitlines() if l.startswith("{")]
    out["blackhole"] = json.loads(counts[-1]) if counts else {}
    return out


# ------------------------------------------------------------------------------------------------ report

def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else float("nan")


def report(a, meta, rounds, dead, par):
    L = []
    L.append(f"### Run {meta['date']}\n")
    L.append("```\n" + meta["command"] + "\n```\n")
    L.append(f"- machine: {meta['cpus']} CPUs, {meta['cpu']}, kernel {meta['kernel']}; load average "
             f"{meta['load_start']} at the start, {meta['load_end']} at the end; run took {meta['took']:.0f} s")
    L.append(f"- versions: {meta['versions']}")
    L.append(f"- upstream: Knot DNS, zone example.test with {a.zone_names} A names (TTL 3600); queries: "
             f"{a.query_lines} lines uniform over {a.names} of them (seed {a.seed}; fewer than the cache's "
             f"9,984 entries)")
    L.append(f"- clusterdns: `{meta.get('cdns_cmd') or (dead or {}).get('cmd')}` (kubeadm defaults: cache 30, forward max_concurrent 1000, "
             f"2 s per try, 5 s budget)" +
             (f"; started in {meta['cdns_start']:.1f} s" if "cdns_start" in meta else ""))
    if meta.get("tuned_cmd"):
        L.append(f"- clusterdns-tuned: the same with JVM options `{a.tuned_opts}` (the bench rig's small-heap "
                 f"setting), in the forwarded rounds only")
    L.append(f"- unbound: {a.threads} threads, so-reuseport, stub-zone to Knot, module-config iterator, "
             f"cache-max-ttl {a.unbound_max_ttl} (the same cap as clusterdns's cache 30)")
    L.append(f"- method: {a.warmup} s of unmeasured load per server before round 1 (JIT), and before every measurement one unmeasured pass over the query file (`-n 1`, refills the 30 s cache); throughput "
             f"`dnsperf -c 20 -T 2 -l {a.seconds}`; CPU = utime+stime of the server process over the throughput "
             f"run / answered queries; latency `dnsperf -Q {a.rate} -l {a.seconds} -v`, percentiles of every "
             f"answered query; {a.rounds} rounds, order rotated every round, medians; GCs and allocation from /metrics (jvm_gc_collection_seconds, jvm_memory_pool_allocated_bytes_total) over the throughput + latency runs")
    L.append("")
    if rounds is not None:
        forwarded_table(L, a, meta, rounds, par)
    if dead is not None:
        dead_tables(L, a, dead)
    return "\n".join(L)


def forwarded_table(L, a, meta, rounds, par):
    L.append("**Forwarded names, warm cache** (medians; per-round values in brackets)\n")
    L.append("| server | QPS | ×unbound | CPU µs/q | CPU ×unbound | cache hit ratio | lost | "
             f"lat avg / p50 / p99 / p99.9 / max ms @ {a.rate} QPS | GCs / GC ms per round | alloc KB/q | RSS / peak MB | parity |")
    L.append("|---|---|---|---|---|---|---|---|---|---|---|---|")
    base_q = med([r["qps"] for r in rounds["unbound"]])
    base_c = med([r["cpu_us_q"] for r in rounds["unbound"]])
    for srv in rounds:
        rs = rounds[srv]
        q = med([r["qps"] for r in rs])
        c = med([r["cpu_us_q"] for r in rs])
        lat = {k: med([r["lat"].get(k) for r in rs]) for k in ("avg", "p50", "p99", "p999", "max")}
        hr = med([r.get("hit_ratio") for r in rs]) if srv.startswith("clusterdns") else None
        lost = sum(int(r["lost"] or 0) + int(r["lat_lost"] or 0) + int(r["warm_lost"] or 0) for r in rs)
        bad = par.get(srv, [])
        qs = " / ".join(f"{r['qps']:,.0f}" for r in rs)
        cs = " / ".join(f"{r['cpu_us_q']:.2f}" for r in rs)
        al = f"{med([r['alloc_kb_q'] for r in rs]):.2f}" if "alloc_kb_q" in rs[0] else "-"
        gc = ", ".join(f"{r['gc_count']:.0f} / {r['gc_ms']:.0f}" for r in rs) if "gc_count" in rs[0] else "-"
        L.append(f"| {srv} | **{q:,.0f}** ({qs}) | {q / base_q:.2f} | "
                 f"{c:.2f} ({cs}) | {c / base_c:.2f} | "
                 f"{'-' if hr is None else f'{hr:.4f}'} | {lost} | "
                 f"{lat['avg']:.3f} / {lat['p50']:.3f} / {lat['p99']:.3f} / {lat['p999']:.3f} / {lat['max']:.1f} | "
                 f"{gc} | {al} | {meta['rss_after'][srv]:.0f} / {meta['hwm'][srv]:.0f} | {'ok' if not bad else 'DIFF'}({a.parity}) |")
    L.append("")


def dead_tables(L, a, d):
    L.append("**Upstream dead** (black hole on loopback: UDP read and never answered, TCP accepted and never "
             "answered)\n")
    L.append("| probe | status | dig query time | wall |")
    L.append("|---|---|---|---|")
    for key, label in (("dig_udp_first", "first dig, UDP"),
                       ("dig_udp_repeat", "same name again at once, UDP"),
                       ("dig_tcp_first", "first dig, TCP"),
                       ("dig_udp_after", "dig after the flood, UDP (upstream marked down)")):
        x = d[key]
        L.append(f"| {label} | {x['status']} | {x['query_ms']} ms | {x['wall_s']:.2f} s |")
    L.append("")
    f = d["flood"]
    rss = [v for _, v in d["rss"]]
    during = [v for t, v in d["rss"] if t <= d["flood_end_s"]]
    bh = d.get("blackhole", {})
    L.append(f"Flood: `{f['cmd']}` — {a.flood} s of unique names, every one timing out upstream. The black "
             f"hole received {bh.get('udp', '?'):,} UDP datagrams and {bh.get('tcp_conns', '?')} TCP connections "
             f"over the whole dead-upstream phase (digs, flood, health probes).\n")
    rc = ", ".join(f"{k} {v:,}" for k, v in sorted(f["rcodes"].items()))
    L.append(f"| sent | answered | lost | rcodes | max_concurrent rejects (/metrics) | RSS start / max / end MB | "
             f"live heap after full GC, start → end MB | heap used max MB |")
    L.append("|---|---|---|---|---|---|---|---|")
    hu = [v for _, v in d["heap_used"]]
    L.append(f"| {f['sent']:,.0f} | {f['completed']:,.0f} | {f['lost']:,.0f} | {rc} | {d['rejects']:,.0f} | "
             f"{rss[0]:.1f} / {max(rss):.1f} / {rss[-1]:.1f} | "
             f"{d['live_heap_start']:.1f} → {d['live_heap_end']:.1f} | {max(hu) if hu else float('nan'):.1f} |")
    L.append("")
    step = max(1, len(d["rss"]) // 14)
    L.append("RSS (MB) every ~" + str(step) + " s from the start of the flood: " +
             ", ".join(f"{t:.0f}s {v:.0f}" for t, v in d["rss"][::step]) +
             f"; flood ended at {d['flood_end_s']:.0f} s; max during the flood {max(during):.1f}.")
    L.append("")


# ------------------------------------------------------------------------------------------------ main

def blackhole(a):
    """Reads UDP and never answers; accepts TCP, reads and never answers. Exits after --lifetime seconds or
    on SIGTERM, printing what it received as one JSON line."""
    import selectors
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    u.bind(("127.0.0.1", a.port))
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.bind(("127.0.0.1", a.port))
    t.listen(1024)
    sel = selectors.DefaultSelector()
    sel.register(u, selectors.EVENT_READ)
    sel.register(t, selectors.EVENT_READ)
    counts = {"udp": 0, "tcp_conns": 0}

    def on_term(*_):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, on_term)
    print("ready", flush=True)
    end = time.monotonic() + a.lifetime
    try:
        while time.monotonic() < end:
            for key, _ in sel.select(timeout=1.0):
                s = key.fileobj
                if s is u:
                    for _ in range(256):
                        try:
                            u.recv(65535, socket.MSG_DONTWAIT)
                            counts["udp"] += 1
                        except BlockingIOError:
                            break
                elif s is t:
                    c, _ = t.accept()
                    c.setblocking(False)
                    counts["tcp_conns"] += 1
                    sel.register(c, selectors.EVENT_READ)
                else:
                    try:
                        data = s.recv(65535)
                    except OSError:
                        data = b""
                    if not data:
                        sel.unregister(s)
                        s.close()
    except SystemExit:
        pass
    print(json.dumps(counts), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="mode")
    bh = sub.add_parser("blackhole")
    bh.add_argument("--port", type=int, required=True)
    bh.add_argument("--lifetime", type=float, default=600)
    rn = sub.add_parser("run")
    rn.add_argument("--jar", required=True)
    rn.add_argument("--work", required=True)
    rn.add_argument("--pidfile", required=True)
    rn.add_argument("--command", default="")
    rn.add_argument("--zone-names", type=int, default=10000)
    rn.add_argument("--names", type=int, default=9000, help="distinct names queried (< cache capacity 9984)")
    rn.add_argument("--query-lines", type=int, default=100000)
    rn.add_argument("--seed", type=int, default=42)
    rn.add_argument("--rounds", type=int, default=3)
    rn.add_argument("--seconds", type=int, default=10)
    rn.add_argument("--rate", type=int, default=20000)
    rn.add_argument("--warmup", type=int, default=5, help="seconds of unmeasured load per server before round 1")
    rn.add_argument("--threads", type=int, default=2)
    rn.add_argument("--unbound-max-ttl", type=int, default=30)
    rn.add_argument("--parity", type=int, default=50)
    rn.add_argument("--flood", type=int, default=60)
    rn.add_argument("--flood-rate", type=int, default=2000)
    rn.add_argument("--flood-timeout", type=int, default=3)
    rn.add_argument("--drain", type=int, default=8, help="seconds sampled after the flood")
    rn.add_argument("--java-opts", default="", help="JVM options of the main clusterdns (default: none)")
    rn.add_argument("--tuned-opts", default="-XX:+UseSerialGC -Xmx256m -Xmn16m",
                    help="JVM options of a second clusterdns in the forwarded rounds; '' to leave it out")
    rn.add_argument("--skip-forward", action="store_true")
    rn.add_argument("--skip-dead", action="store_true")
    rn.add_argument("--json", default="")
    rn.add_argument("--report", default="", help="also write the Markdown report here")
    a = ap.parse_args()
    if a.mode == "blackhole":
        return blackhole(a)
    a.java_opts = a.java_opts.split()
    global PIDFILE
    PIDFILE = a.pidfile

    def on_term(*_):
        raise SystemExit(143)  # unwinds through the finally blocks, which stop every process by PID

    signal.signal(signal.SIGTERM, on_term)
    t_begin = time.monotonic()
    meta = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "command": a.command,
            "cpus": os.cpu_count(), "kernel": os.uname().release,
            "load_start": " ".join(open("/proc/loadavg").read().split()[:3])}
    with open("/proc/cpuinfo") as f:
        meta["cpu"] = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "?")
    vers = []
    for label, cmd in (("", ["java", "-version"]), ("", ["/usr/sbin/knotd", "-V"]),
                       ("unbound ", ["/usr/sbin/unbound", "-V"]), ("dnsperf ", ["dnsperf", "-h"])):
        o = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        txt = (o.stdout + o.stderr).strip().splitlines()
        line = next((l for l in txt if "version" in l.lower()), txt[0] if txt else "?")
        vers.append(label + line.strip())
    rev = subprocess.run(["git", "-C", os.path.dirname(os.path.abspath(__file__)), "rev-parse", "--short", "HEAD"],
                         capture_output=True, text=True, timeout=30).stdout.strip()
    vers.append(f"clusterdns at commit {rev or '?'}")
    meta["versions"] = "; ".join(vers)
    a.queries_file = os.path.join(a.work, "queries.txt")
    write_queries(a.queries_file, a.names, a.query_lines, a.seed)
    procs = Procs(a.pidfile)
    result = {"meta": meta}
    try:
        knot_port = free_port()
        start_knot(procs, a.work, knot_port, a.zone_names)
        print(f"knot on {knot_port}", flush=True)
        rounds, par = None, {}
        if not a.skip_forward:
            cp, cports, cstart, ccmd = start_clusterdns(procs, a.work, "clusterdns", a.jar, knot_port,
                                                        a.threads, a.java_opts)
            meta["cdns_cmd"], meta["cdns_start"] = ccmd, cstart
            info = {"clusterdns": {"port": cports["dns"], "proc": cp, "metrics": cports["metrics"]}}
            if a.tuned_opts:
                tp_, tports, _, tcmd = start_clusterdns(procs, a.work, "clusterdns-tuned", a.jar, knot_port,
                                                        a.threads, a.tuned_opts.split())
                meta["tuned_cmd"] = tcmd
                info["clusterdns-tuned"] = {"port": tports["dns"], "proc": tp_, "metrics": tports["metrics"]}
            uport = free_port()
            up = start_unbound(procs, a.work, uport, knot_port, a.threads, a.unbound_max_ttl)
            info["unbound"] = {"port": uport, "proc": up}
            par = parity({s: i["port"] for s, i in info.items()}, knot_port, a.names, a.parity, a.seed)
            for srv, bad in par.items():
                print(f"  parity {srv}: {'ok' if not bad else bad[:3]}", flush=True)
            rounds = forwarded_rounds(a, info, a.work)
            meta["rss_after"] = {s: rss_mb(info[s]["proc"].pid) for s in info}
            meta["hwm"] = {s: rss_mb(info[s]["proc"].pid, "VmHWM") for s in info}
            for srv in info:
                if info[srv]["proc"].poll() is not None:
                    raise RuntimeError(f"{srv} died during the run")
                procs.stop(info[srv]["proc"])
        dead = None
        if not a.skip_dead:
            print("dead upstream", flush=True)
            dead = dead_upstream(a, procs, a.work, a.jar, os.path.abspath(__file__))
        meta["load_end"] = " ".join(open("/proc/loadavg").read().split()[:3])
        meta["took"] = time.monotonic() - t_begin
        result.update({"rounds": rounds, "dead": dead,
                       "parity": {k: [str(x) for x in v] for k, v in par.items()}})
        if a.json:
            with open(a.json, "w") as f:
                json.dump(result, f, indent=1, default=str)
        text = report(a, meta, rounds, dead, par)
        print(text)
        if a.report:
            with open(a.report, "w") as f:
                f.write(text + "\n")
    finally:
        procs.stop_all()


if __name__ == "__main__":
    sys.exit(main())
