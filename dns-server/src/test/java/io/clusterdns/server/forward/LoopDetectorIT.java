package io.clusterdns.server.forward;

import static io.clusterdns.server.forward.ForwarderIT.WAIT_SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clusterdns.config.ForwardConfig;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Name;

/** The start-up loop check (behaviours.md 11.6) through real forwarding; the counting is in LoopDetectorTest. */
class LoopDetectorIT {

  private static EventLoopGroup group;

  @BeforeAll
  static void start() {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  }

  @AfterAll
  static void stop() throws InterruptedException {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  @Test
  void aServerThatForwardsToItselfIsCaught() throws Exception {
    LoopDetector detector = new LoopDetector(Name.root);
    AtomicReference<Forwarder> self = new AtomicReference<>();
    AtomicInteger hops = new AtomicInteger();
    // A "server" that forwards every query to its own address, as a node with resolv.conf -> itself does.
    // Hops are bounded so the test cannot flood loopback even if detection failed.
    FakeUpstream.Script looping = (q, tcp) -> {
      detector.observe(q.getQuestion().getName());
      if (hops.incrementAndGet() < 10) {
        self.get().forward(q, false);
      }
      return List.of();
    };
    // Every timeout here ends the check with "no loop" (a failed forward or the check's own timeout), and
    // none can fire within the test's wait: true can only come from counting the probe's arrivals.
    Duration never = Duration.ofSeconds(4 * WAIT_SECONDS);
    try (FakeUpstream server = new FakeUpstream(looping);
        Forwarder f = new Forwarder(ForwardConfig.defaults(List.of(server.hostPort())).withTimeouts(never, never),
            group)) {
      self.set(f);
      boolean loop = detector.check(q -> f.forward(q, false), never).get(WAIT_SECONDS, TimeUnit.SECONDS);
      assertTrue(loop, "the loop is reported");
      assertTrue(detector.seen() > LoopDetector.THRESHOLD);
      assertTrue(detector.message(server.hostPort().toString()).contains("HINFO " + detector.probeName()));
    }
  }

  @Test
  void aRealUpstreamIsNoLoop() throws Exception {
    LoopDetector detector = new LoopDetector(Name.root);
    try (KnotUpstream knot = KnotUpstream.start();
        Forwarder f = new Forwarder(ForwardConfig.defaults(List.of(knot.hostPort())), group)) {
      boolean loop = detector.check(q -> f.forward(q, false), Duration.ofSeconds(5))
          .get(WAIT_SECONDS, TimeUnit.SECONDS);
      assertFalse(loop);
      assertEquals(0, detector.seen());
      assertFalse(detector.observe(detector.probeName()), "after the check, nothing is counted");
    }
  }
}
