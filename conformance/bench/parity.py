#!/usr/bin/env python3
"""Compares two DNS servers' answers with dig, ignoring TTL and record order.

  parity.py --ref-port P --port Q --first 50 [--tcp] queries.txt [more.txt ...]

Takes the first --first lines of the first file and every line of the others ("name type"), asks both
servers on 127.0.0.1 with one `dig -f` batch each (no EDNS, like dnsperf's queries), and compares the
status (NOERROR / NXDOMAIN ...) and the answer section (lowercased, TTL dropped, sorted); --tcp asks both
over TCP instead. TTLs are dropped because forwarded answers carry the forwarder's capped, decreasing TTLs
(clusterdns caches for at most 30 s) where an authoritative reference says 3600. Prints
"ok(N)" or "DIFF(d/N)" on stdout and every difference on stderr:

  DIFF <name> <type>
    ref: <status> | <record> | <record>
    got: <status> | <record>

Python 3 standard library only (dig from bind9-dnsutils).
"""

import argparse
import re
import subprocess
import sys

HEADER = re.compile(r"->>HEADER<<- opcode: \w+, status: (\w+), id: \d+")


def ask(port, questions, tcp=False):
    batch = "".join(f"{name} {qtype}\n" for name, qtype in questions)
    out = subprocess.run(
        ["dig", "@127.0.0.1", "-p", str(port), "+noedns", "+tries=1", "+time=2", "+noall", "+comments",
         "+answer", "+nottlid", "+nocl"] + (["+tcp"] if tcp else []) + ["-f", "-"],
        input=batch, capture_output=True, text=True, timeout=60).stdout
    results = []
    for block in out.split(";; Got answer:")[1:]:
        status = HEADER.search(block)
        records = sorted(" ".join(line.lower().split()) for line in block.splitlines()
                         if line.strip() and not line.startswith(";"))
        results.append((status.group(1) if status else "?", records))
    return results


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--ref-port", type=int, required=True, help="the reference server (Knot)")
    p.add_argument("--port", type=int, required=True, help="the server compared with it")
    p.add_argument("--first", type=int, default=50, help="lines taken from the first file")
    p.add_argument("--tcp", action="store_true", help="ask both servers over TCP")
    p.add_argument("files", nargs="+")
    a = p.parse_args()
    questions = []
    for n, path in enumerate(a.files):
        with open(path) as f:
            lines = [line.split() for line in f if line.strip()]
        questions += [(q[0], q[1]) for q in (lines[:a.first] if n == 0 else lines)]
    ref, got = ask(a.ref_port, questions, a.tcp), ask(a.port, questions, a.tcp)
    if len(ref) != len(questions) or len(got) != len(questions):
        print(f"INCOMPLETE(ref {len(ref)}, got {len(got)} of {len(questions)})")
        return 1
    diffs = 0
    for (name, qtype), r, g in zip(questions, ref, got):
        if r != g:
            diffs += 1
            print(f"DIFF {name} {qtype}\n  ref: {' | '.join([r[0]] + r[1])}\n  got: {' | '.join([g[0]] + g[1])}",
                  file=sys.stderr)
    print(f"DIFF({diffs}/{len(questions)})" if diffs else f"ok({len(questions)})")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
