#!/usr/bin/env python3
"""Sends malformed DNS packets over UDP at a fixed rate for a bounded time, beside a real load (soak.sh
--malformed), and counts what came back by rcode. Loopback only: the target must be 127.0.0.0/8 or ::1.

  malformed.py --port P --rate 2000 --seconds 60 [--host 127.0.0.1] [--seed 7]

The kinds, one after another: random bytes, a header cut short, QR=1 (a reply: never answered), qdcount 0,
2 and 65535, a compression pointer loop, a forward pointer, a label over 63, a name over 255, an unknown
opcode, two OPT records, an OPT in the answer section, an unknown class. Prints one summary line of JSON.
"""
import argparse
import ipaddress
import json
import random
import socket
import struct
import time


def header(qid, flags=0x0100, qd=1, an=0, ns=0, ar=0):
    return struct.pack(">HHHHHH", qid, flags, qd, an, ns, ar)


def question(name=b"\x03www\x07example\x04test\x00", qtype=1, qclass=1):
    return name + struct.pack(">HH", qtype, qclass)


OPT = b"\x00" + struct.pack(">HHIH", 41, 1232, 0, 0)


def kinds(rng):
    """Functions of a query id giving one malformed packet each."""
    return [
        lambda q: bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 80))),
        lambda q: header(q)[: rng.randint(1, 11)],
        lambda q: header(q, flags=0x8100) + question(),
        lambda q: header(q, qd=0),
        lambda q: header(q, qd=2) + question(),
        lambda q: header(q, qd=65535) + question(),
        lambda q: header(q) + b"\xc0\x0c" + struct.pack(">HH", 1, 1),
        lambda q: header(q) + b"\xc0\x40" + struct.pack(">HH", 1, 1),
        lambda q: header(q) + b"\x40" + b"a" * 64 + b"\x00" + struct.pack(">HH", 1, 1),
        lambda q: header(q) + b"\x3f" + b"b" * 63 + b"\x3f" + b"c" * 63 + b"\x3f" + b"d" * 63 + b"\x3f"
        + b"e" * 63 + b"\x00" + struct.pack(">HH", 1, 1),
        lambda q: header(q, flags=0x7100) + question(),
        lambda q: header(q, ar=2) + question() + OPT + OPT,
        lambda q: header(q, an=1) + question() + OPT,
        lambda q: header(q) + question(qclass=77),
    ]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--rate", type=int, default=2000)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    if not ipaddress.ip_address(a.host).is_loopback:
        raise SystemExit("malformed.py: loopback targets only, not " + a.host)
    rng = random.Random(a.seed)
    make = kinds(rng)
    family = socket.AF_INET6 if ":" in a.host else socket.AF_INET
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.setblocking(False)
    sent, replies, rcodes = 0, 0, {}

    def drain():
        nonlocal replies
        while True:
            try:
                data = s.recv(65535)
            except BlockingIOError:
                return
            replies += 1
            rcode = data[3] & 0x0F if len(data) >= 4 else -1
            rcodes[rcode] = rcodes.get(rcode, 0) + 1

    start = time.monotonic()
    end = start + a.seconds
    limit = int(a.rate * a.seconds)  # a bound on the count as well as on the time
    while sent < limit:
        now = time.monotonic()
        if now >= end:
            break
        due = int((now - start) * a.rate)
        while sent < due and sent < limit:
            try:
                s.sendto(make[sent % len(make)](rng.getrandbits(16)), (a.host, a.port))
            except BlockingIOError:
                pass
            sent += 1
        drain()
        time.sleep(0.002)
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:
        drain()
        time.sleep(0.05)
    names = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"}
    print(json.dumps({"sent": sent, "replies": replies,
                      "rcodes": {names.get(k, str(k)): v for k, v in sorted(rcodes.items())}}))


if __name__ == "__main__":
    main()
