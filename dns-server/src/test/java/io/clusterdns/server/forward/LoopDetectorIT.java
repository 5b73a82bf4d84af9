package io.clusterdns.server.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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

/** The start-up loop check (behaviours.md 11.6). */
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
    try (FakeUpstream server = new FakeUpstream(looping);
        Forwarder f = new Forwarder(ForwardConfig.defaults(List.of(server.hostPort()))
            .withTimeouts(Duration.ofMillis(500), Duration.ofSeconds(1)), group)) {
      self.set(f);
      long t0 = System.nanoTime();
      boolean loop = detector.check(q -> f.forward(q, false), Duration.ofSeconds(5)).get(5, TimeUnit.SECONDS);
      assertTrue(loop);
      assertTrue(detector.seen() > LoopDetector.THRESHOLD);
      assertTrue(System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(500), "caught before any timeout");
      assertTrue(detector.message(server.hostPort().toString()).contains("HINFO " + detector.probeName()));
    }
  }

  @Test
  void aRealUpstreamIsNoLoop() throws Exception {
    assumeTrue(KnotUpstream.available(), "knotd is not installed");
    LoopDetector detector = new LoopDetector(Name.root);
    try (KnotUpstream knot = KnotUpstream.start();
        Forwarder f = new Forwarder(ForwardConfig.defaults(List.of(knot.hostPort())), group)) {
      boolean loop = detector.check(q -> f.forward(q, false), Duration.ofSeconds(5)).get(5, TimeUnit.SECONDS);
      assertFalse(loop);
      assertEquals(0, detector.seen());
      assertFalse(detector.observe(detector.probeName()), "after the check, nothing is counted");
    }
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
