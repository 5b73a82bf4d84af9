package io.clusterdns.server.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;

/**
 * The loop check's counting (behaviours.md 11.6) with the forward path replaced by a function: no sockets.
 * LoopDetectorIT runs it through a real forwarder.
 */
class LoopDetectorTest {

  /** A check timeout no test reaches, so every verdict here comes from counting or from the reply. */
  private static final Duration NEVER = Duration.ofHours(1);

  @Test
  void aProbeArrivingMoreThanTwiceIsALoop() throws Exception {
    LoopDetector detector = new LoopDetector(Name.root);
    CompletableFuture<Message> pending = new CompletableFuture<>();
    CompletableFuture<Boolean> loop = detector.check(q -> {
      for (int i = 0; i <= LoopDetector.THRESHOLD; i++) {
        assertTrue(detector.observe(q.getQuestion().getName()), "the probe is recognised");
      }
      return pending;
    }, NEVER);
    assertTrue(loop.isDone(), "decided at the third arrival, without waiting for any reply or timeout");
    assertTrue(loop.get());
    assertEquals(LoopDetector.THRESHOLD + 1, detector.seen());
  }

  @Test
  void aProbeThatArrivesTwiceAndIsAnsweredIsNoLoop() throws Exception {
    LoopDetector detector = new LoopDetector(Name.root);
    CompletableFuture<Message> reply = new CompletableFuture<>();
    CompletableFuture<Boolean> loop = detector.check(q -> {
      for (int i = 0; i < LoopDetector.THRESHOLD; i++) {
        detector.observe(q.getQuestion().getName());
      }
      return reply;
    }, NEVER);
    assertFalse(loop.isDone(), "undecided while the probe is on its way");
    reply.complete(new Message());
    assertFalse(loop.get(), "two arrivals (e.g. a second server block) are still no loop");
    assertFalse(detector.observe(detector.probeName()), "after the check, nothing is counted");
  }

  @Test
  void aProbeThatNeverComesBackEndsAtTheTimeoutAsNoLoop() throws Exception {
    LoopDetector detector = new LoopDetector(Name.root);
    CompletableFuture<Boolean> loop = detector.check(q -> new CompletableFuture<>(), Duration.ofMillis(10));
    assertFalse(loop.get(15, TimeUnit.SECONDS));
  }

  @Test
  void onlyTheProbeIsCountedAndOnlyWhileTheCheckRuns() throws Exception {
    LoopDetector detector = new LoopDetector(Name.root);
    assertFalse(detector.observe(detector.probeName()), "no check yet");
    detector.check(q -> new CompletableFuture<>(), NEVER);
    assertFalse(detector.observe(Name.fromString("www.example.com.")));
    assertEquals(0, detector.seen());
    assertTrue(detector.observe(detector.probeName()));
    assertEquals(1, detector.seen());
  }

  @Test
  void probeNamesAreRandomUnderTheZone() throws Exception {
    Name zone = Name.fromString("example.local.");
    LoopDetector a = new LoopDetector(zone);
    LoopDetector b = new LoopDetector(zone);
    assertTrue(a.probeName().subdomain(zone));
    assertEquals(zone.labels() + 2, a.probeName().labels());
    assertFalse(a.probeName().equals(b.probeName()));
  }
}
