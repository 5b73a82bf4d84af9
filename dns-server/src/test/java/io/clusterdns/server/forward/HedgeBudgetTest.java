package io.clusterdns.server.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The token bucket of hedges, on a clock the test moves (no sleeping, no real time). */
class HedgeBudgetTest {

  private static final long SECOND = 1_000_000_000L;
  private static final long T0 = 123_456_789_000L;

  private static int take(HedgeBudget b, long now, int tries) {
    int got = 0;
    for (int i = 0; i < tries; i++) {
      if (b.tryAcquire(now)) {
        got++;
      }
    }
    return got;
  }

  @Test
  void startsFullWithOneSecondsWorth() {
    HedgeBudget b = new HedgeBudget(10, T0);
    assertEquals(10, take(b, T0, 50));
    assertFalse(b.tryAcquire(T0));
  }

  @Test
  void refillsAtTheRate() {
    HedgeBudget b = new HedgeBudget(10, T0);
    take(b, T0, 10);
    assertFalse(b.tryAcquire(T0 + SECOND / 10 - 1), "not before one interval");
    assertTrue(b.tryAcquire(T0 + SECOND / 10));
    assertEquals(5, take(b, T0 + SECOND / 10 + SECOND / 2, 50), "half a second later: five more");
  }

  @Test
  void neverHoldsMoreThanTheBurstAfterAnIdlePeriod() {
    HedgeBudget b = new HedgeBudget(10, T0);
    assertEquals(10, take(b, T0 + 3600 * SECOND, 50));
  }

  @Test
  void sustainedDemandGetsTheRateAndNoMore() {
    HedgeBudget b = new HedgeBudget(100, T0);
    int got = 0;
    // 10 s of a query every millisecond, each wanting a hedge: 100 (the burst) + 100 per second
    for (long ms = 0; ms < 10_000; ms++) {
      got += take(b, T0 + ms * 1_000_000, 1);
    }
    assertTrue(got >= 1099 && got <= 1101, "100 + 10 s x 100/s, got " + got);
  }

  @Test
  void rateOfOnePerSecond() {
    HedgeBudget b = new HedgeBudget(1, T0);
    assertEquals(1, take(b, T0, 5));
    assertEquals(0, take(b, T0 + SECOND - 1, 5));
    assertEquals(1, take(b, T0 + SECOND, 5));
  }
}
