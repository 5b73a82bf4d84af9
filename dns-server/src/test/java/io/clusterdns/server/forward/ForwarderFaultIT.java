package io.clusterdns.server.forward;

import static io.clusterdns.server.forward.ForwarderIT.WAIT_SECONDS;
import static io.clusterdns.server.forward.ForwarderIT.SLACK_MILLIS;
import static io.clusterdns.server.forward.ForwarderIT.address;
import static io.clusterdns.server.forward.ForwarderIT.config;
import static io.clusterdns.server.forward.ForwarderIT.elapsedMillis;
import static io.clusterdns.server.forward.ForwarderIT.failure;
import static io.clusterdns.server.forward.ForwarderIT.query;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clusterdns.config.ForwardConfig;
import io.clusterdns.config.ForwardPolicy;
import io.clusterdns.config.HedgeConfig;
import io.clusterdns.server.cache.FakeTicker;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * Production forwarding against an in-process upstream with fault switches (issue 5). Time is handled as in
 * {@link ForwarderIT}: outcomes and order, waits bounded by {@link ForwarderIT#WAIT_SECONDS}; connection
 * expiry runs on a {@link FakeTicker}; a slow upstream is one the test {@link FakeUpstream#hold() holds}.
 */
class ForwarderFaultIT {

  private static EventLoopGroup group;

  @BeforeAll
  static void start() {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  }

  @AfterAll
  static void stop() throws InterruptedException {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  private static Message ask(Forwarder f, String name, boolean tcp) throws Exception {
    return f.forward(query(name, Type.A), tcp).get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for: " + what);
      }
      Thread.sleep(10);
    }
  }

  @Test
  void healthChecksTakeAFailingUpstreamOutAndBringItBack() throws Exception {
    try (FakeUpstream a = new FakeUpstream(FakeUpstream.silent());
        FakeUpstream b = new FakeUpstream(FakeUpstream.answering())) {
      // The production try timeout: B's try must have room to answer on a loaded machine.
      ForwardConfig c = config(a.hostPort(), b.hostPort())
          .withPolicy(ForwardPolicy.SEQUENTIAL)
          .withTimeouts(ForwardConfig.DEFAULT_TRY_TIMEOUT, Duration.ofSeconds(WAIT_SECONDS))
          .withHealthCheck(2, Duration.ofMillis(50));
      PrometheusRegistry registry = new PrometheusRegistry();
      try (Forwarder f = new Forwarder(c, group, ForwardMetrics.register(registry))) {
        Upstream upA = f.pool().upstreams().get(0);
        assertEquals(Rcode.NOERROR, ask(f, "one.example.", false).getRcode()); // A timed out, B answered
        await("A marked down by its failing probes", () -> upA.fails() >= 2);

        // A down upstream is not tried, so no try timeout is spent on it: B is asked, A never.
        assertEquals(Rcode.NOERROR, ask(f, "two.example.", false).getRcode());
        assertEquals(1, b.seenFor("two.example."));
        assertEquals(0, a.seenFor("two.example."), "a down upstream is skipped");

        a.script = FakeUpstream.answering();
        await("A back in after a probe is answered", () -> upA.fails() == 0 && !upA.isProbing());
        assertTrue(a.seenFor(".") >= 1, "A was probed with . NS");
        assertEquals(Rcode.NOERROR, ask(f, "three.example.", false).getRcode());
        assertEquals(1, a.seenFor("three.example."), "sequential policy: A first again");
        assertTrue(scrape(registry).contains(
            "coredns_proxy_healthcheck_failures_total{proxy_name=\"forward\",to=\"" + a.hostPort() + "\"}"));
      }
    }
  }

  @Test
  void whenAllUpstreamsAreDownTheyAreTriedAnywayAndCounted() throws Exception {
    try (FakeUpstream a = new FakeUpstream(FakeUpstream.silent())) {
      // A probe that came back answered would bring A up before the second query: none is sent in the test.
      ForwardConfig c = config(a.hostPort())
          .withTimeouts(ForwardConfig.DEFAULT_TRY_TIMEOUT, Duration.ofSeconds(WAIT_SECONDS))
          .withHealthCheck(1, Duration.ofHours(1));
      PrometheusRegistry registry = new PrometheusRegistry();
      try (Forwarder f = new Forwarder(c, group, ForwardMetrics.register(registry))) {
        failure(f.forward(query("one.example.", Type.A), false));
        assertTrue(f.pool().allDown(1));
        a.script = FakeUpstream.answering();
        assertEquals(Rcode.NOERROR, ask(f, "two.example.", false).getRcode());
        assertEquals(1, f.healthcheckBroken());
        assertTrue(scrape(registry).contains("coredns_forward_healthcheck_broken_total 1.0"));
      }
    }
  }

  @Test
  void tcpConnectionsAreReusedUntilTheyExpire() throws Exception {
    try (FakeUpstream a = new FakeUpstream(FakeUpstream.answering())) {
      // Ages are read from the fake clock; the real sweep timer (every expire) does not fire in the test.
      Duration expire = Duration.ofMinutes(10);
      FakeTicker clock = new FakeTicker();
      PrometheusRegistry registry = new PrometheusRegistry();
      try (Forwarder f = new Forwarder(config(a.hostPort()).withExpire(expire), UpstreamTransport.forGroup(group),
          ForwardMetrics.register(registry), clock)) {
        for (int i = 0; i < 5; i++) {
          assertEquals(Rcode.NOERROR, ask(f, "n" + i + ".example.", true).getRcode());
        }
        assertEquals(5, a.tcpQueries());
        assertEquals(1, a.tcpConnections(), "one connection carried all five queries");
        String text = scrape(registry);
        assertTrue(text.contains("coredns_proxy_conn_cache_hits_total{proto=\"tcp\",proxy_name=\"forward\",to=\""
            + a.hostPort() + "\"} 4.0"), text);
        clock.advance(expire.minusSeconds(1));
        assertEquals(Rcode.NOERROR, ask(f, "idle.example.", true).getRcode());
        assertEquals(1, a.tcpConnections(), "idle for less than expire: reused");
        clock.advance(expire.plusSeconds(1));
        assertEquals(Rcode.NOERROR, ask(f, "late.example.", true).getRcode());
        assertEquals(2, a.tcpConnections(), "idle for longer than expire: not reused");
      }
    }
  }

  @Test
  void anIdleConnectionIsClosedAfterExpireWithoutAnotherQuery() throws Exception {
    try (FakeUpstream a = new FakeUpstream(FakeUpstream.answering())) {
      Duration expire = Duration.ofMillis(300);
      try (Forwarder f = new Forwarder(config(a.hostPort()).withExpire(expire), group)) {
        long t0 = System.nanoTime();
        assertEquals(Rcode.NOERROR, ask(f, "once.example.", true).getRcode());
        await("the idle connection is closed by the forwarder", () -> a.tcpClosedByPeer() == 1);
        assertTrue(elapsedMillis(t0) >= expire.toMillis() - SLACK_MILLIS,
            "not closed before it expired: " + elapsedMillis(t0) + " ms");
        assertEquals(1, a.tcpConnections());
      }
    }
  }

  @Test
  void aReusedConnectionTheUpstreamClosedIsRetriedWithoutBlame() throws Exception {
    try (FakeUpstream a = new FakeUpstream(FakeUpstream.answering())) {
      a.closeTcpAfterAnswer = true;
      try (Forwarder f = new Forwarder(config(a.hostPort()), group)) {
        for (int i = 0; i < 5; i++) {
          assertEquals(Rcode.NOERROR, ask(f, "n" + i + ".example.", true).getRcode());
        }
        assertEquals(0, f.pool().upstreams().get(0).fails());
        assertEquals(5, a.tcpConnections());
      }
    }
  }

  @Test
  void forceTcpAndPreferUdpOverrideTheClientsTransport() throws Exception {
    try (FakeUpstream a = new FakeUpstream(FakeUpstream.answering())) {
      try (Forwarder f = new Forwarder(config(a.hostPort()).withTransport(true, false), group)) {
        ask(f, "udp-client.example.", false);
        assertEquals(1, a.tcpQueries());
        assertEquals(0, a.udpQueries());
      }
      try (Forwarder f = new Forwarder(config(a.hostPort()).withTransport(false, true), group)) {
        ask(f, "tcp-client.example.", true);
        assertEquals(1, a.tcpQueries());
        assertEquals(1, a.udpQueries());
      }
    }
  }

  @Test
  void aReplyCutInsideARecordStillReachesTheClientAsTruncated() throws Exception {
    FakeUpstream.Script cut = (q, tcp) -> {
      Message full = FakeUpstream.reply(q, Rcode.NOERROR);
      for (int i = 0; i < 30; i++) {
        full.addRecord(Record.fromString(q.getQuestion().getName(), Type.TXT, DClass.IN, 60,
            "\"" + "y".repeat(50) + i + "\"", null), org.xbill.DNS.Section.ANSWER);
      }
      byte[] w = full.toWire();
      w[2] |= 0x02; // TC
      return List.of(Arrays.copyOf(w, 200));
    };
    try (FakeUpstream a = new FakeUpstream(cut); Forwarder f = new Forwarder(config(a.hostPort()), group)) {
      Message q = query("big.example.", Type.TXT);
      Message r = f.forward(q, false).get(WAIT_SECONDS, TimeUnit.SECONDS);
      assertTrue(r.getHeader().getFlag(Flags.TC));
      assertEquals(q.getQuestion(), r.getQuestion());
      assertEquals(q.getHeader().getID(), r.getHeader().getID());
    }
  }

  @Test
  void aLateReplyFromASlowUpstreamIsDroppedAndTheNextUpstreamAnswers() throws Exception {
    try (FakeUpstream slow = new FakeUpstream(FakeUpstream.answering("192.0.2.1"));
        FakeUpstream fast = new FakeUpstream(FakeUpstream.answering("192.0.2.2"))) {
      slow.hold(); // its reply comes only when released, after the fast one answered
      // max_fails 0: no health probes, whose own late replies would be dropped too. Hedging off: the slow
      // try is given up at its timeout, as CoreDNS does (with hedging its late reply is the loser's; HedgeIT).
      ForwardConfig c = config(slow.hostPort(), fast.hostPort())
          .withPolicy(ForwardPolicy.SEQUENTIAL)
          .withTimeouts(ForwardConfig.DEFAULT_TRY_TIMEOUT, Duration.ofSeconds(WAIT_SECONDS))
          .withHealthCheck(0, ForwardConfig.DEFAULT_HEALTH_CHECK)
          .withHedge(HedgeConfig.OFF);
      try (Forwarder f = new Forwarder(c, group)) {
        long t0 = System.nanoTime();
        Message r = ask(f, "www.example.", false);
        assertEquals("192.0.2.2", address(r), "the fast upstream answered");
        assertTrue(elapsedMillis(t0) >= c.tryTimeout().toMillis() - SLACK_MILLIS,
            "after the slow one's try timed out: " + elapsedMillis(t0) + " ms");
        assertEquals(0, f.droppedReplies());
        slow.release();
        await("the slow reply arrives and is dropped", () -> f.droppedReplies() == 1);
        assertEquals(1, slow.seenFor("www.example."));
      }
    }
  }

  @Test
  void proxyDurationIsRecordedPerUpstreamAndRcode() throws Exception {
    try (FakeUpstream a = new FakeUpstream((q, tcp) -> List.of(FakeUpstream.servfail(q)))) {
      PrometheusRegistry registry = new PrometheusRegistry();
      try (Forwarder f = new Forwarder(config(a.hostPort()), group, ForwardMetrics.register(registry))) {
        assertEquals(Rcode.SERVFAIL, ask(f, "www.example.", false).getRcode());
        assertTrue(scrape(registry).contains("coredns_proxy_request_duration_seconds_count{proxy_name=\"forward\","
            + "rcode=\"SERVFAIL\",to=\"" + a.hostPort() + "\"} 1"), scrape(registry));
      }
    }
  }

  @Test
  void maxConcurrentRejectsAreCounted() throws Exception {
    try (FakeUpstream a = new FakeUpstream(FakeUpstream.answering())) {
      a.hold(); // the first two stay in flight until released
      PrometheusRegistry registry = new PrometheusRegistry();
      ForwardConfig c = config(a.hostPort())
          .withMaxConcurrent(2)
          .withTimeouts(Duration.ofSeconds(WAIT_SECONDS), Duration.ofSeconds(WAIT_SECONDS));
      try (Forwarder f = new Forwarder(c, group, ForwardMetrics.register(registry))) {
        var first = f.forward(query("a.example.", Type.A), false);
        var second = f.forward(query("b.example.", Type.A), false);
        for (int i = 0; i < 3; i++) {
          assertEquals(Rcode.REFUSED, failure(f.forward(query("c.example.", Type.A), false)).rcode());
        }
        assertFalse(first.isDone() || second.isDone(), "both were still in flight");
        a.release();
        assertEquals(Rcode.NOERROR, first.get(WAIT_SECONDS, TimeUnit.SECONDS).getRcode());
        assertEquals(Rcode.NOERROR, second.get(WAIT_SECONDS, TimeUnit.SECONDS).getRcode());
        assertTrue(scrape(registry).contains("coredns_forward_max_concurrent_rejects_total 3.0"));
        assertEquals(Rcode.NOERROR, ask(f, "d.example.", false).getRcode(), "room again once they finish");
      }
    }
  }

  static String scrape(PrometheusRegistry registry) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, registry.scrape());
    return out.toString(StandardCharsets.UTF_8);
  }
}
