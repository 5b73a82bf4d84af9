package io.clusterdns.server.query;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Token buckets of client prefixes in a fixed array of {@code long}s, updated lock-free by compare-and-set: the
 * memory is bounded ({@code 8 × slots} bytes) however many clients or spoofed sources there are. A prefix is hashed
 * with a per-process seed to one slot, and prefixes that share a slot share its bucket: a collision can only make
 * limiting stricter for the two, never let a flood through (Knot's RRL table is approximate in the same way).
 *
 * <p>A slot packs the time of its last update (milliseconds, upper 40 bits: 34 years) and its tokens in thousandths
 * (lower 24 bits), so one millisecond refills exactly {@code rate} thousandths and no fraction is lost. An empty slot
 * (0) is a full bucket. Each bucket holds at most one second's worth of responses ({@code rate}), BIND's and the
 * CoreDNS {@code rrl} plugin's ceiling on an account's balance.
 *
 * <p>Thread-safe; called from every event loop. When several loops race on one slot more than {@value #ATTEMPTS}
 * times in a row, the response is let through rather than spun on.
 */
final class PrefixBuckets {
  /** Highest rate, responses per second: its capacity in thousandths must fit the 24 token bits. */
  static final int MAX_RATE = 10_000;

  /** Thousandths of a token per token. */
  private static final long MILLI = 1000;

  private static final int TOKEN_BITS = 24;
  private static final long TOKEN_MASK = (1L << TOKEN_BITS) - 1;

  /** Compare-and-set attempts on one slot before the response goes out unlimited. */
  private static final int ATTEMPTS = 4;

  /** Milliseconds after which an idle bucket is full again: one second's worth is its capacity. */
  private static final long REFILL_MILLIS = 1000;

  private final AtomicLongArray slots;
  private final int shift;
  private final long seed;
  /** Tokens per second, which is thousandths per millisecond. */
  private final long rate;
  /** Thousandths. */
  private final long capacity;

  /**
   * @param rate responses per second per prefix, 1 to {@link #MAX_RATE}
   * @param slotBits log2 of the number of slots
   * @param seed hash seed: random per process, so a sender cannot aim its spoofed prefixes at a victim's slot
   */
  PrefixBuckets(int rate, int slotBits, long seed) {
    if (rate < 1 || rate > MAX_RATE) {
      throw new IllegalArgumentException("rate must be between 1 and " + MAX_RATE + ", not " + rate);
    }
    if (slotBits < 1 || slotBits > 24) {
      throw new IllegalArgumentException("slot bits must be between 1 and 24, not " + slotBits);
    }
    this.slots = new AtomicLongArray(1 << slotBits);
    this.shift = 64 - slotBits;
    this.seed = seed;
    this.rate = rate;
    this.capacity = rate * MILLI;
  }

  /**
   * Takes one token from the prefix's bucket.
   *
   * @param key the client prefix
   * @param nowMillis a monotonic clock, at least 1
   * @return true when the response may be sent, false when the bucket is empty
   */
  boolean take(long key, long nowMillis) {
    int i = (int) (mix(key ^ seed) >>> shift);
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      long v = slots.get(i);
      long last = v >>> TOKEN_BITS;
      long tokens;
      if (v == 0) {
        tokens = capacity;
      } else {
        tokens = v & TOKEN_MASK;
        long elapsed = nowMillis - last; // negative when another loop stored a later time: no refill
        if (elapsed > 0) {
          tokens = Math.min(capacity, tokens + Math.min(elapsed, REFILL_MILLIS) * rate);
        }
      }
      boolean allowed = tokens >= MILLI;
      if (allowed) {
        tokens -= MILLI;
      }
      long next = Math.max(nowMillis, last) << TOKEN_BITS | tokens;
      if (slots.compareAndSet(i, v, next)) {
        return allowed;
      }
    }
    return true;
  }

  /** MurmurHash3's 64-bit finaliser: every key bit moves the slot index. */
  private static long mix(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    return k ^ k >>> 33;
  }
}
