#!/usr/bin/env python3
"""Prints N distinct loopback ports (default 1), each free for both UDP and TCP at this moment.

All sockets stay open until every port is chosen, so the N ports differ. Python 3 standard library only.
"""

import socket
import sys


def main():
    want = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    held, ports = [], []
    for _ in range(50 * want):
        if len(ports) == want:
            break
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind(("127.0.0.1", 0))
        port = u.getsockname()[1]
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            t.bind(("127.0.0.1", port))
        except OSError:
            u.close()
            t.close()
            continue
        held += [u, t]
        ports.append(port)
    for s in held:
        s.close()
    if len(ports) < want:
        sys.exit("freeport.py: no free ports")
    print(" ".join(map(str, ports)))


if __name__ == "__main__":
    main()
