#!/usr/bin/env python3
"""The ndots:5 storm with autopath off and on (issue 22 §3): queries and time per external lookup.

  python3 conformance/bench/autopath/bench.py [--rounds N] [--pidfile F] [--work DIR]

Loopback only. Knot serves example.test (h0..h9.example.test A, the "Internet"); clusterdns runs the demo cluster
with `forward .` to Knot, once with a Corefile without autopath and once with `autopath @kubernetes`, the node's
resolv.conf giving one node search domain. A pod of namespace `demo` resolves names through a small stub that
applies `search` and `ndots` as glibc's getaddrinfo does (AF_UNSPEC: A and AAAA sent together for each
candidate name, as glibc's send_dg does by default without `single-request`):

  glibc resolv/res_query.c, __res_context_search:
    - a name with a trailing dot is asked as is, once;
    - dots >= ndots: the name as is first; an answer ends the lookup;
    - then each search domain in order: an answer ends the lookup; NXDOMAIN and NODATA try the next domain
      (NODATA is remembered), SERVFAIL too; any other failure (REFUSED, FORMERR, NOTIMP, no reply) ends the
      search;
    - dots < ndots: the name as is last.
  "An answer": either reply of the pair NOERROR with answer records (a CNAME from autopath counts).

Each lookup is timed from its first query to its result; every query it sent is counted. Rounds are bounded
(--rounds passes over the names, after one unmeasured warm-up pass that fills clusterdns's cache), every wait
has a deadline, every process started is stopped by PID (also written to --pidfile for run.sh's trap).
Python 3 standard library only; Procs, free_port, wait_for, start_knot come from ../forward/bench.py.
"""

import argparse
import os
import random
import socket
import statistics
import struct
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "forward"))
from bench import Procs, free_port, start_knot, wait_for  # noqa: E402

NDOTS = 5
NAMESPACE = "demo"
NODE_DOMAIN = "internal.example.test"  # a node search domain Knot answers (NXDOMAIN below it), as a VPC's would
SEARCH = [f"{NAMESPACE}.svc.cluster.local", "svc.cluster.local", "cluster.local", NODE_DOMAIN]
KNOT_NAMES = 10
# (label, name): external names that exist, one that does not, and a Service by its short name.
LOOKUPS = [("external, exists", f"h{i}.example.test") for i in range(5)] + [
    ("external, NXDOMAIN", "nosuch.example.test"),
    ("service, short name", "web"),
]
NOERROR, SERVFAIL, NXDOMAIN = 0, 2, 3
TIMEOUT_S = 2.0


def wire(qid, name, qtype):
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.rstrip(".").split("."):
        q += bytes([len(label)]) + label.encode()
    return q + b"\0" + struct.pack(">HH", qtype, 1)


class Stub:
    """One UDP socket, like a process's resolver; counts the queries it sends."""

    def __init__(self, port):
        self.addr = ("127.0.0.1", port)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.connect(self.addr)
        self.sent = 0

    def pair(self, name):
        """(rcode, ancount) of the A and the AAAA reply for name, sent together; None for a lost reply."""
        ids = random.sample(range(65536), 2)
        want = {ids[0]: 0, ids[1]: 1}
        got = [None, None]
        try:
            self.sock.send(wire(ids[0], name, 1))
            self.sock.send(wire(ids[1], name, 28))
        except ConnectionRefusedError:  # nothing listens (yet): both replies lost
            return got
        self.sent += 2
        end = time.monotonic() + TIMEOUT_S
        while None in got:
            left = end - time.monotonic()
            if left <= 0:
                break
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65535)
            except (socket.timeout, ConnectionRefusedError):
                break
            qid = struct.unpack(">H", data[:2])[0]
            if qid in want and data[2] & 0x80:
                got[want[qid]] = (data[3] & 0x0F, struct.unpack(">H", data[6:8])[0])
        return got

    def lookup(self, name):
        """getaddrinfo(name) under SEARCH and ndots; 'answer', 'nodata', 'nxdomain' or 'fail'."""
        if name.endswith("."):
            return self.ask(name)[0]
        dots = name.count(".")
        if dots >= NDOTS:
            r, _ = self.ask(name)
            if r == "answer":
                return r
        nodata = False
        for d in SEARCH:
            r, stop = self.ask(f"{name}.{d}")
            if r == "answer" or stop:
                return r
            nodata |= r == "nodata"
        if dots < NDOTS:
            r, _ = self.ask(name)
            if r == "answer" or r == "fail":
                return r
        return "nodata" if nodata else "nxdomain"

    def ask(self, name):
        """(result, whether glibc stops searching) for one candidate name."""
        replies = self.pair(name)
        if any(r is not None and r[0] == NOERROR and r[1] > 0 for r in replies):
            return "answer", True
        if None in replies:
            return "fail", True
        rcodes = {r[0] for r in replies}
        if rcodes <= {NOERROR, NXDOMAIN, SERVFAIL}:
            return ("nodata" if NOERROR in rcodes else "nxdomain"), False
        return "fail", True


def start_clusterdns(procs, work, name, jar, knot_port, autopath):
    d = os.path.join(work, name)
    os.makedirs(d, exist_ok=True)
    resolv = os.path.join(d, "node-resolv.conf")
    with open(resolv, "w") as f:
        f.write(f"nameserver 127.0.0.53\nsearch {NODE_DOMAIN}\n")
    conf = os.path.join(d, "Corefile")
    with open(conf, "w") as f:
        f.write(".:53 {\n    kubernetes cluster.local in-addr.arpa ip6.arpa\n"
                + (f"    autopath @kubernetes {resolv}\n" if autopath else "")
                + f"    forward . 127.0.0.1:{knot_port}\n    cache 30\n}}\n")
    port = free_port()
    cmd = ["java", "-Xmx256m", "-jar", jar, "--demo", "--conf", conf, "--listen", f"127.0.0.1:{port}"]
    p = procs.start(name, cmd, os.path.join(d, "clusterdns.log"))
    stub = Stub(port)
    wait_for(lambda: stub.ask(f"web.{NAMESPACE}.svc.cluster.local")[0] == "answer", 60, name, p)
    return p, port, " ".join(cmd)


def measure(port, rounds):
    stub = Stub(port)
    rows = {}
    for name in [n for _, n in LOOKUPS]:
        stub.lookup(name)  # warm-up: fills the cache as a running cluster's is
    for _ in range(rounds):
        for label, name in LOOKUPS:
            before = stub.sent
            t0 = time.perf_counter_ns()
            result = stub.lookup(name)
            us = (time.perf_counter_ns() - t0) / 1000
            row = rows.setdefault(label, {"queries": [], "us": [], "results": set()})
            row["queries"].append(stub.sent - before)
            row["us"].append(us)
            row["results"].add(result)
    return rows


def p99(xs):
    s = sorted(xs)
    return s[min(len(s) - 1, int(round(0.99 * (len(s) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=200)
    ap.add_argument("--pidfile", default=None)
    ap.add_argument("--work", default=None)
    ap.add_argument("--jar", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                  "..", "..", "..", "dns-server", "target", "clusterdns.jar"))
    a = ap.parse_args()
    if not 1 <= a.rounds <= 5000:
        sys.exit("--rounds must be 1..5000")
    work = a.work or tempfile.mkdtemp(prefix="clusterdns-autopath.")
    procs = Procs(a.pidfile or os.path.join(work, "pids"))
    try:
        knot_port = free_port()
        start_knot(procs, work, knot_port, KNOT_NAMES)
        results = {}
        for mode in ("off", "on"):
            p, port, cmd = start_clusterdns(procs, work, f"clusterdns-{mode}", a.jar, knot_port, mode == "on")
            print(f"# autopath {mode}: {cmd}", file=sys.stderr)
            results[mode] = measure(port, a.rounds)
            procs.stop(p)
    finally:
        procs.stop_all()
    print(f"search {' '.join(SEARCH)}; options ndots:{NDOTS}; A+AAAA per candidate name; "
          f"{a.rounds} measured lookups per name and mode after one warm-up pass\n")
    print("| lookup | autopath | result | queries per lookup | median µs | p99 µs |")
    print("|---|---|---|---|---|---|")
    for label in dict.fromkeys(l for l, _ in LOOKUPS):
        for mode in ("off", "on"):
            r = results[mode][label]
            q = r["queries"]
            qs = str(q[0]) if min(q) == max(q) else f"{min(q)}-{max(q)} (median {statistics.median(q)})"
            print(f"| {label} | {mode} | {'/'.join(sorted(r['results']))} | {qs} | "
                  f"{statistics.median(r['us']):.0f} | {p99(r['us']):.0f} |")


if __name__ == "__main__":
    main()
