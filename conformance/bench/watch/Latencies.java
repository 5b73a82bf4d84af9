package io.clusterdns.bench.watch;

import java.util.Arrays;

/** Delays of one kind of change, in nanoseconds; nearest-rank percentiles. Single-threaded. */
final class Latencies {
  private long[] values = new long[64];
  private int n;

  void add(long nanos) {
    if (n == values.length) {
      values = Arrays.copyOf(values, n * 2);
    }
    values[n++] = nanos;
  }

  int count() {
    return n;
  }

  /** The p-th percentile (0 < p <= 100) in milliseconds, nearest rank; NaN when empty. */
  double percentileMillis(double p) {
    if (n == 0) {
      return Double.NaN;
    }
    long[] s = Arrays.copyOf(values, n);
    Arrays.sort(s);
    int rank = (int) Math.ceil(p / 100.0 * n);
    return s[Math.max(0, Math.min(n - 1, rank - 1))] / 1e6;
  }

  double maxMillis() {
    return percentileMillis(100);
  }
}
