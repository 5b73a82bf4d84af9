package io.clusterdns.server.forward;

import static io.clusterdns.server.forward.ForwarderFaultIT.await;
import static io.clusterdns.server.forward.ForwarderFaultIT.scrape;
import static io.clusterdns.server.forward.ForwarderIT.SLACK_MILLIS;
import static io.clusterdns.server.forward.ForwarderIT.WAIT_SECONDS;
import static io.clusterdns.server.forward.ForwarderIT.address;
import static io.clusterdns.server.forward.ForwarderIT.config;
import static io.clusterdns.server.forward.ForwarderIT.elapsedMillis;
import static io.clusterdns.server.forward.ForwarderIT.query;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clusterdns.config.ForwardConfig;
import io.clusterdns.config.ForwardPolicy;
import io.clusterdns.config.HedgeConfig;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/**
 * Hedged tries (issue 22 §2) against two real loopback UDP upstreams ({@link FakeUpstream}) that drop or
 * hold chosen queries. As in {@link ForwarderIT}, nothing is bounded by a millisecond ceiling: a hedge is
 * shown by the answer coming from the second upstream while the first upstream's try is still pending (its
 * try timeout is far beyond the test's wait, and no failure has been counted against it), and by the
 * forwarder's counters and metrics.
 */
class HedgeIT {

  /** A try timeout the test never reaches: only a hedge can bring the second upstream in. */
  private static final Duration LONG_TRY = Duration.ofSeconds(4 * WAIT_SECONDS);

  private static EventLoopGroup group;

  @BeforeAll
  static void start() {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  }

  @AfterAll
  static void stop() throws InterruptedException {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  /** Answers with {@code address}, except queries for {@code lost.example.}, which it drops. */
  private static FakeUpstream.Script dropsLost(String address) {
    FakeUpstream.Script answer = FakeUpstream.answering(address);
    return (q, tcp) -> q.getQuestion().getName().toString().equals("lost.example.") ? List.of() : answer.answer(q, tcp);
  }

  private static Message ask(Forwarder f, String name) throws Exception {
    return f.forward(query(name, Type.A), false).get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  /** Answered queries give the first upstream an RTT estimate, so its hedge delay is its RTO, not max. */
  private static void warmUp(Forwarder f, FakeUpstream first) throws Exception {
    for (int i = 0; i < 5; i++) {
      assertEquals("192.0.2.1", address(ask(f, "warm" + i + ".example.")));
    }
    assertTrue(f.pool().upstreams().get(0).srttSeconds() > 0, "the first upstream has an SRTT");
    assertEquals(5, first.udpQueries());
  }

  private static ForwardConfig pair(FakeUpstream a, FakeUpstream b, HedgeConfig hedge) {
    // sequential: A is always asked first; max_fails 0: no health probes in the counts
    return config(a.hostPort(), b.hostPort())
        .withPolicy(ForwardPolicy.SEQUENTIAL)
        .withHealthCheck(0, ForwardConfig.DEFAULT_HEALTH_CHECK)
        .withHedge(hedge);
  }

  @Test
  void aDroppedQueryIsAnsweredByTheSecondUpstreamWhileTheFirstTryIsStillPending() throws Exception {
    try (FakeUpstream a = new FakeUpstream(dropsLost("192.0.2.1"));
        FakeUpstream b = new FakeUpstream(FakeUpstream.answering("192.0.2.2"))) {
      PrometheusRegistry registry = new PrometheusRegistry();
      ForwardConfig c = pair(a, b, HedgeConfig.DEFAULTS).withTimeouts(LONG_TRY, LONG_TRY.multipliedBy(2));
      try (Forwarder f = new Forwarder(c, group, ForwardMetrics.register(registry))) {
        warmUp(f, a);
        assertEquals(0, b.udpQueries(), "no hedge while A answers");
        assertEquals(0, f.hedgesSent());

        Message r = ask(f, "lost.example.");
        assertEquals(Rcode.NOERROR, r.getRcode());
        assertEquals("192.0.2.2", address(r), "B answered, through the hedge");
        Upstream upA = f.pool().upstreams().get(0);
        assertEquals(0, upA.fails(), "A's try has not timed out: it is still pending");
        assertEquals(1, f.pendingUdpTries(), "A's try, the loser, waits for its own timeout");
        assertEquals(1, a.seenFor("lost.example."));
        assertEquals(1, b.seenFor("lost.example."));
        assertEquals(1, f.hedgesSent());
        assertEquals(1, f.hedgeWins());
        assertEquals(0, f.hedgesRefused());
        assertEquals(0, f.inFlight());

        String text = scrape(registry);
        assertTrue(text.contains("clusterdns_forward_hedges_total{to=\"" + b.hostPort() + "\"} 1.0"), text);
        assertTrue(text.contains("clusterdns_forward_hedge_wins_total{to=\"" + b.hostPort() + "\"} 1.0"), text);
        assertTrue(text.contains("clusterdns_forward_hedges_refused_total 0.0"), text);
        assertTrue(text.contains("clusterdns_forward_upstream_srtt_seconds{to=\"" + a.hostPort() + "\"}"), text);
      }
    }
  }

  @Test
  void theLosersLateReplyIsDiscardedAndItsTryCleanedUp() throws Exception {
    try (FakeUpstream a = new FakeUpstream(FakeUpstream.answering("192.0.2.1"));
        FakeUpstream b = new FakeUpstream(FakeUpstream.answering("192.0.2.2"))) {
      ForwardConfig c = pair(a, b, HedgeConfig.DEFAULTS).withTimeouts(LONG_TRY, LONG_TRY.multipliedBy(2));
      try (Forwarder f = new Forwarder(c, group)) {
        warmUp(f, a);
        a.hold(); // A's reply comes only when released, after B's
        Message r = ask(f, "slow.example.");
        assertEquals("192.0.2.2", address(r), "the hedge to B won");
        assertEquals(1, f.pendingUdpTries());
        a.release();
        await("A's late reply settles its try", () -> {
          try {
            return f.pendingUdpTries() == 0;
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        });
        assertEquals(0, f.droppedReplies(), "the loser's reply was its own try's, not a stray packet");
        assertEquals(0, f.pool().upstreams().get(0).fails(), "a late answer is a success for A");
        assertEquals(1, f.hedgeWins());
        assertEquals(0, f.inFlight());
        assertEquals("192.0.2.1", address(ask(f, "after.example.")), "A is asked first again and answers");
      }
    }
  }

  @Test
  void withHedgingOffTheSecondUpstreamIsAskedOnlyAfterTheFirstTimesOut() throws Exception {
    try (FakeUpstream a = new FakeUpstream(dropsLost("192.0.2.1"));
        FakeUpstream b = new FakeUpstream(FakeUpstream.answering("192.0.2.2"))) {
      // CoreDNS's forward: the production 2 s try, then the next upstream
      ForwardConfig c = pair(a, b, HedgeConfig.OFF)
          .withTimeouts(ForwardConfig.DEFAULT_TRY_TIMEOUT, Duration.ofSeconds(WAIT_SECONDS));
      try (Forwarder f = new Forwarder(c, group)) {
        warmUp(f, a);
        long t0 = System.nanoTime();
        Message r = ask(f, "lost.example.");
        long ms = elapsedMillis(t0);
        assertEquals("192.0.2.2", address(r));
        assertEquals(1, f.pool().upstreams().get(0).fails(), "A's try timed out before B was asked");
        assertTrue(ms >= c.tryTimeout().toMillis() - SLACK_MILLIS, "B only after A's try timeout: " + ms + " ms");
        assertEquals(0, f.hedgesSent());
        assertEquals(0, f.pendingUdpTries());
      }
    }
  }

  @Test
  void withOneUpstreamTheHedgeIsAResendUnderANewId() throws Exception {
    AtomicInteger lostSeen = new AtomicInteger();
    FakeUpstream.Script answer = FakeUpstream.answering("192.0.2.1");
    // drops the first copy of lost.example. only: the resend is answered
    FakeUpstream.Script dropFirst = (q, tcp) ->
        q.getQuestion().getName().toString().equals("lost.example.") && lostSeen.getAndIncrement() == 0
            ? List.of() : answer.answer(q, tcp);
    try (FakeUpstream a = new FakeUpstream(dropFirst)) {
      ForwardConfig c = config(a.hostPort())
          .withHealthCheck(0, ForwardConfig.DEFAULT_HEALTH_CHECK)
          .withTimeouts(LONG_TRY, LONG_TRY.multipliedBy(2));
      try (Forwarder f = new Forwarder(c, group)) {
        warmUp(f, a);
        Message r = ask(f, "lost.example.");
        assertEquals("192.0.2.1", address(r));
        assertEquals(2, a.seenFor("lost.example."), "the query and its resend");
        List<Message> copies = a.seen().stream()
            .filter(m -> m.getQuestion().getName().toString().equals("lost.example.")).toList();
        assertNotEquals(copies.get(0).getHeader().getID(), copies.get(1).getHeader().getID());
        assertEquals(1, f.hedgesSent());
        assertEquals(1, f.hedgeWins());
        assertEquals(0, f.pool().upstreams().get(0).fails(), "the dropped copy's try is still pending");
      }
    }
  }

  @Test
  void theBudgetCapsHedgesWhenEveryQueryWantsOne() throws Exception {
    try (FakeUpstream a = new FakeUpstream(FakeUpstream.answering("192.0.2.1"));
        FakeUpstream b = new FakeUpstream(FakeUpstream.answering("192.0.2.2"))) {
      PrometheusRegistry registry = new PrometheusRegistry();
      // one hedge per second: of ten queries stuck at A together, one or two (if a second passes) hedge
      HedgeConfig oneASecond = new HedgeConfig(true, HedgeConfig.DEFAULT_MIN, HedgeConfig.DEFAULT_MAX, 1);
      ForwardConfig c = pair(a, b, oneASecond).withTimeouts(LONG_TRY, LONG_TRY.multipliedBy(2));
      int queries = 10;
      try (Forwarder f = new Forwarder(c, group, ForwardMetrics.register(registry))) {
        warmUp(f, a);
        a.hold();
        List<CompletableFuture<Message>> answers = new ArrayList<>();
        for (int i = 0; i < queries; i++) {
          answers.add(f.forward(query("q" + i + ".example.", Type.A), false));
        }
        await("every query reached its hedge point", () -> f.hedgesSent() + f.hedgesRefused() == queries);
        long sent = f.hedgesSent();
        assertTrue(sent >= 1 && sent < queries / 2, "the budget let " + sent + " of " + queries + " hedge");
        assertEquals(queries - sent, f.hedgesRefused());
        await("the hedged ones answered by B", () -> answers.stream().filter(CompletableFuture::isDone).count() == sent);
        assertEquals(sent, b.udpQueries(), "B got the hedges and nothing else");
        a.release();
        for (CompletableFuture<Message> answer : answers) {
          assertEquals(Rcode.NOERROR, answer.get(WAIT_SECONDS, TimeUnit.SECONDS).getRcode());
        }
        assertFalse(f.hedgeWins() > sent);
        assertTrue(scrape(registry).contains("clusterdns_forward_hedges_refused_total " + (queries - sent) + ".0"));
      }
    }
  }
}
