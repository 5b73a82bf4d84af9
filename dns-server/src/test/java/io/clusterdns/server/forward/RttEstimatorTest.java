package io.clusterdns.server.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** RFC 6298 section 2 arithmetic of {@link RttEstimator}, on samples given by the test (no clock). */
class RttEstimatorTest {

  private static final long MS = 1_000_000;

  @Test
  void noSampleMeansNoEstimate() {
    RttEstimator e = new RttEstimator();
    assertFalse(e.measured());
    assertEquals(-1, e.srttNanos());
    assertEquals(-1, e.rtoNanos());
  }

  @Test
  void firstSampleSetsSrttAndHalfOfItAsVariance() {
    RttEstimator e = new RttEstimator();
    e.sample(10 * MS);
    assertTrue(e.measured());
    assertEquals(10 * MS, e.srttNanos());
    assertEquals(5 * MS, e.rttvarNanos());
    assertEquals(30 * MS, e.rtoNanos(), "RTO = SRTT + 4 RTTVAR = 3 R after one sample");
  }

  @Test
  void laterSamplesMoveSrttByAnEighthAndVarianceByAQuarter() {
    RttEstimator e = new RttEstimator();
    e.sample(10 * MS);
    e.sample(18 * MS);
    // RTTVAR = 3/4 * 5 + 1/4 * |10 - 18| = 5.75 ms; SRTT = 7/8 * 10 + 1/8 * 18 = 11 ms
    assertEquals(11 * MS, e.srttNanos());
    assertEquals(5_750_000, e.rttvarNanos());
  }

  @Test
  void steadySamplesShrinkTheVarianceSoRtoApproachesSrtt() {
    RttEstimator e = new RttEstimator();
    for (int i = 0; i < 100; i++) {
      e.sample(2 * MS);
    }
    assertEquals(2 * MS, e.srttNanos());
    assertTrue(e.rtoNanos() < 2 * MS + 100_000, "a steady upstream is hedged just after its RTT: " + e.rtoNanos());
  }

  @Test
  void oneSlowAnswerRaisesRtoMoreThanSrtt() {
    RttEstimator e = new RttEstimator();
    for (int i = 0; i < 50; i++) {
      e.sample(MS);
    }
    long srttBefore = e.srttNanos();
    long rtoBefore = e.rtoNanos();
    e.sample(100 * MS);
    assertTrue(e.srttNanos() - srttBefore < e.rtoNanos() - rtoBefore,
        "jitter widens the margin (4 RTTVAR) faster than it moves the mean");
  }

  @Test
  void aSampleBeyondThirtyTwoBitsOfMicrosecondsIsCapped() {
    RttEstimator e = new RttEstimator();
    e.sample(Long.MAX_VALUE);
    assertEquals(0xFFFF_FFFFL * 1000, e.srttNanos());
    e.sample(0);
    assertTrue(e.srttNanos() > 0, "state not corrupted by the capped sample");
  }
}
