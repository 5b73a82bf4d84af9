#!/usr/bin/env python3
"""Latency figures from `dnsperf -v` output: one "> RCODE name type seconds" line per answered query.

  latency.py dnsperf-v.out   ->   "avg p50 p99 p99.9 max answered timeouts" (milliseconds)

Timed-out queries are reported as "> T ..." by dnsperf and counted apart, not as latencies.
Python 3 standard library only.
"""

import sys


def main():
    values, timeouts = [], 0
    with open(sys.argv[1]) as f:
        for line in f:
            if not line.startswith("> "):
                continue
            parts = line.split()
            if parts[1] in ("T", "I"):
                timeouts += 1
                continue
            try:
                values.append(float(parts[-1]))
            except ValueError:
                pass
    if not values:
        print("- - - - - 0", timeouts)
        return
    values.sort()
    n = len(values)

    def pct(p):
        return values[min(n - 1, int(p / 100.0 * n))] * 1000

    print(f"{sum(values) / n * 1000:.3f} {pct(50):.3f} {pct(99):.3f} {pct(99.9):.3f} {values[-1] * 1000:.2f} "
          f"{n} {timeouts}")


if __name__ == "__main__":
    main()
