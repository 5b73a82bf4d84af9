package io.clusterdns.server.forward;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The smoothed round-trip time of one upstream, as TCP (RFC 6298 section 2) and Unbound's infra cache keep
 * it: SRTT and RTTVAR from answered tries, and RTO = SRTT + 4·RTTVAR, the time after which a try is late.
 * Every event loop samples the same upstream, so both values live in one {@link AtomicLong} (microseconds,
 * SRTT in the high 32 bits, RTTVAR in the low 32) updated with compare-and-set: readers do one volatile
 * read, writers never lock. Microseconds in 32 bits reach 71 minutes, far beyond any try.
 */
final class RttEstimator {

  private static final long NONE = -1L;
  private static final long MAX_MICROS = 0xFFFF_FFFFL;

  private final AtomicLong state = new AtomicLong(NONE);

  /** Takes one answered try's round-trip time. */
  void sample(long nanos) {
    long r = Math.min(MAX_MICROS, Math.max(1, nanos / 1000));
    while (true) {
      long s = state.get();
      long next;
      if (s == NONE) {
        next = pack(r, r / 2); // RFC 6298 2.2: SRTT = R, RTTVAR = R/2
      } else {
        long srtt = s >>> 32;
        long var = s & MAX_MICROS;
        // RFC 6298 2.3 (alpha 1/8, beta 1/4), RTTVAR first since it uses the old SRTT; rounded to nearest
        var = (3 * var + Math.abs(srtt - r) + 2) / 4;
        srtt = (7 * srtt + r + 4) / 8;
        next = pack(srtt, var);
      }
      if (state.compareAndSet(s, next)) {
        return;
      }
    }
  }

  /** Whether any try has been answered yet. */
  boolean measured() {
    return state.get() != NONE;
  }

  /** SRTT in nanoseconds, or -1 before the first sample. */
  long srttNanos() {
    long s = state.get();
    return s == NONE ? -1 : (s >>> 32) * 1000;
  }

  /** RTTVAR in nanoseconds, or -1 before the first sample. */
  long rttvarNanos() {
    long s = state.get();
    return s == NONE ? -1 : (s & MAX_MICROS) * 1000;
  }

  /** RTO = SRTT + 4·RTTVAR in nanoseconds (RFC 6298 2.3, without its 1 s floor), or -1 before a sample. */
  long rtoNanos() {
    long s = state.get();
    return s == NONE ? -1 : ((s >>> 32) + 4 * (s & MAX_MICROS)) * 1000;
  }

  private static long pack(long srttMicros, long varMicros) {
    return (Math.min(srttMicros, MAX_MICROS) << 32) | Math.min(varMicros, MAX_MICROS);
  }
}
