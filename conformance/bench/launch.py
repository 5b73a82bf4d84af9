#!/usr/bin/env python3
"""Starts a DNS server and measures the time from exec to its first correct answer.

  launch.py --pidfile F --log F --port P --probe "name type address" [--timeout S] [--own-session]
            -- command args...

Starts `command` in its own process group (stdout and stderr to --log), writes its PID to --pidfile at once
(the runner stops it by that PID), then sends the probe query over UDP to 127.0.0.1:P every 5 ms until
the reply is NOERROR with an answer record holding `address` (A), the process exits, or --timeout passes.
Prints the seconds from just before exec to that answer (e.g. "0.412") and exits 0 with the server still
running; exits 1 (server left running for the runner to stop) otherwise.

Process group, not session (unless --own-session): with the kernel's scheduler autogroups on (Debian's
default, /proc/sys/kernel/sched_autogroup_enabled), every session is a scheduling group of its own, and a
server in one group answering dnsperf in another was measured at a third to a half of its QPS at 1.5-2.5x
its CPU per query, Knot and clusterdns alike, far from the "two cores shared" of performance.md 2.1. In the
runner's session, server and dnsperf threads share the cores thread by thread.

Timing here instead of a dig loop: one dig process costs several ms to start, which is the size of what is
measured for the C servers; the query is the same one dig would send (RD set, no EDNS).
Python 3 standard library only.
"""

import argparse
import ipaddress
import os
import random
import socket
import struct
import subprocess
import sys
import time

TYPES = {"A": 1, "AAAA": 28, "SRV": 33}
POLL_S = 0.005


def query(name, qtype, qid):
    wire = b"".join(bytes([len(label)]) + label.encode() for label in name.rstrip(".").split(".")) + b"\0"
    return struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + wire + struct.pack("!HH", TYPES[qtype], 1)


def skip_name(msg, off):
    while True:
        length = msg[off]
        if length == 0:
            return off + 1
        if length & 0xC0 == 0xC0:
            return off + 2
        off += 1 + length


def answers_with(msg, qid, address):
    """True when msg is the reply to qid, NOERROR, with an A record whose data is address."""
    if len(msg) < 12:
        return False
    rid, flags, qd, an, _, _ = struct.unpack("!HHHHHH", msg[:12])
    if rid != qid or not flags & 0x8000 or flags & 0x000F != 0:
        return False
    off = 12
    for _ in range(qd):
        off = skip_name(msg, off) + 4
    want = ipaddress.IPv4Address(address).packed
    for _ in range(an):
        off = skip_name(msg, off)
        rtype, _, _, rdlen = struct.unpack("!HHIH", msg[off:off + 10])
        off += 10
        if rtype == 1 and msg[off:off + rdlen] == want:
            return True
        off += rdlen
    return False


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--pidfile", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--probe", required=True, help='"name A address"')
    p.add_argument("--timeout", type=float, default=60.0)
    p.add_argument("--own-session", action="store_true",
                   help="start the server in a session (and scheduler autogroup) of its own")
    p.add_argument("command", nargs=argparse.REMAINDER)
    a = p.parse_args()
    cmd = a.command[1:] if a.command[:1] == ["--"] else a.command
    name, qtype, address = a.probe.split()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.connect(("127.0.0.1", a.port))
    sock.settimeout(0.05)
    rng = random.Random(1)
    log = open(a.log, "wb")
    t0 = time.monotonic()
    group = {"start_new_session": True} if a.own_session else {"process_group": 0}
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, **group)
    with open(a.pidfile, "w") as f:
        f.write(f"{proc.pid}\n")
    deadline = t0 + a.timeout
    attempts = 0
    while time.monotonic() < deadline and proc.poll() is None:
        attempts += 1
        qid = rng.randrange(65536)
        try:
            sock.send(query(name, qtype, qid))
            end = time.monotonic() + 0.05
            while time.monotonic() < end:
                reply = sock.recv(4096)
                if answers_with(reply, qid, address):
                    print(f"{time.monotonic() - t0:.3f}")
                    return 0
                if reply[:2] == struct.pack("!H", qid):
                    break  # answered, but not yet correctly (e.g. SERVFAIL before the index is loaded)
        except (ConnectionRefusedError, socket.timeout):
            pass
        time.sleep(POLL_S)
    why = "exited with %s" % proc.returncode if proc.poll() is not None else "no correct answer"
    print(f"launch.py: {cmd[0]}: {why} after {time.monotonic() - t0:.1f} s, {attempts} probes",
          file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
