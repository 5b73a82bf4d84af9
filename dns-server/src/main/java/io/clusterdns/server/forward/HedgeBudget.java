package io.clusterdns.server.forward;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The hedges one forwarder may send: a token bucket of {@code rate} per second holding at most {@code rate}
 * (one second's worth), so that when every upstream is slow or gone, hedging adds at most that much load
 * instead of doubling it. Kept as the generic cell rate algorithm (ITU-T I.371): one atomic "theoretical
 * arrival time" that each hedge moves one interval on; a hedge is refused when that would put it more than
 * the burst ahead of now. Lock-free; any thread.
 */
final class HedgeBudget {

  private final long intervalNanos;
  private final long burstNanos;
  private final AtomicLong tat;

  HedgeBudget(int ratePerSecond, long nowNanos) {
    this.intervalNanos = Math.max(1, 1_000_000_000L / ratePerSecond);
    this.burstNanos = intervalNanos * ratePerSecond;
    this.tat = new AtomicLong(nowNanos - burstNanos); // starts full
  }

  /** Takes a token if one is left at {@code nowNanos} ({@link System#nanoTime()} in production). */
  boolean tryAcquire(long nowNanos) {
    while (true) {
      long t = tat.get();
      long next = Math.max(t - nowNanos, 0) + nowNanos + intervalNanos;
      if (next - nowNanos > burstNanos) {
        return false;
      }
      if (tat.compareAndSet(t, next)) {
        return true;
      }
    }
  }
}
