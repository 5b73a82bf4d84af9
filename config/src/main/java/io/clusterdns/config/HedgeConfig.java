package io.clusterdns.config;

import java.time.Duration;

/**
 * The {@code hedge} option of a forward block (issue 22 §2; not in CoreDNS): when a UDP try has waited its
 * upstream's retransmission timeout (RFC 6298's RTO, SRTT + 4·RTTVAR, clamped to [{@code min}, {@code max}]),
 * the same query goes to the next upstream of the policy order as well and the first answer wins. CoreDNS's
 * {@code forward} waits the whole per-try timeout (2 s) instead, so one lost packet costs a client 2 s.
 *
 * @param enabled hedging on; off is CoreDNS's behaviour
 * @param min the earliest a hedge is sent after its try, whatever the RTT estimate (a few ms: below it,
 *     scheduling noise on a busy node would look like a slow upstream)
 * @param max the latest a hedge is sent after its try, and the delay used for an upstream with no RTT
 *     sample yet; a hedge that would come at or after the try's own timeout is not sent
 * @param rate hedges per second the forward block may send on average, with bursts of as many (a token
 *     bucket), so an upstream set that stops answering can add at most this much load
 */
public record HedgeConfig(boolean enabled, Duration min, Duration max, int rate) {

  /** Default floor of the hedge delay. */
  public static final Duration DEFAULT_MIN = Duration.ofMillis(5);

  /** Default ceiling of the hedge delay (half the default 2 s try timeout). */
  public static final Duration DEFAULT_MAX = Duration.ofSeconds(1);

  /** Default hedges per second per forward block. */
  public static final int DEFAULT_RATE = 100;

  /** Hedging on with the defaults. */
  public static final HedgeConfig DEFAULTS = new HedgeConfig(true, DEFAULT_MIN, DEFAULT_MAX, DEFAULT_RATE);

  /** Hedging off: CoreDNS's behaviour (the next upstream is asked only after a try timed out). */
  public static final HedgeConfig OFF = new HedgeConfig(false, DEFAULT_MIN, DEFAULT_MAX, DEFAULT_RATE);

  public HedgeConfig {
    if (min == null || max == null || min.isNegative() || min.isZero()) {
      throw new IllegalArgumentException("hedge min must be a positive duration, not " + min);
    }
    if (max.compareTo(min) < 0) {
      throw new IllegalArgumentException("hedge max (" + max + ") must not be below min (" + min + ")");
    }
    if (rate < 1) {
      throw new IllegalArgumentException("hedge rate must be at least 1 per second, not " + rate);
    }
  }
}
