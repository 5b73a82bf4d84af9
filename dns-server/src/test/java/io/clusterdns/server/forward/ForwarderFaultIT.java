package io.clusterdns.server.forward;

import static io.clusterdns.server.forward.ForwarderIT.config;
import static io.clusterdns.server.forward.ForwarderIT.elapsedMillis;
import static io.clusterdns.server.forward.ForwarderIT.failure;
import static io.clusterdns.server.forward.ForwarderIT.query;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clusterdns.config.ForwardConfig;
import io.clusterdns.config.ForwardPolicy;
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

/** Production forwarding against an in-process upstream with fault switches (issue 5). */
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
    return f.forward(query(name, Type.A), tcp).get(5, TimeUnit.SECONDS);
  }

  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
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
      ForwardConfig c = config(a.hostPort(), b.hostPort())
          .withPolicy(ForwardPolicy.SEQUENTIAL)
          .withTimeouts(Duration.ofMillis(400), Duration.ofSeconds(2))
          .withHealthCheck(2, Duration.ofMillis(50));
      PrometheusRegistry registry = new PrometheusRegistry();
      try (Forwarder f = new Forwarder(c, group, ForwardMetrics.register(registry))) {
        Upstream upA = f.pool().upstreams().get(0);
        assertEquals(Rcode.NOERROR, ask(f, "one.example.", false).getRcode()); // A timed out, B answered
        await("A marked down by its failing probes", () -> upA.fails() >= 2);
        assertTrue(a.seenFor(".") >= 1, "A was probed with . NS");

        long t0 = System.nanoTime();
        assertEquals(Rcode.NOERROR, ask(f, "two.example.", false).getRcode());
        assertTrue(elapsedMillis(t0) < 350, "a down upstream is skipped: " + elapsedMillis(t0) + " ms");
        assertEquals(0, a.seenFor("two.example."));

        a.script = FakeUpstream.answering();
        await("A back in after a probe is answered", () -> upA.fails() == 0 && !upA.isProbing());
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
      ForwardConfig c = config(a.hostPort())
          .withTimeouts(Duration.ofMillis(100), Duration.ofSeconds(1))
          .withHealthCheck(1, Duration.ofSeconds(10)); // no probe before the test ends
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
      ForwardConfig c = config(a.hostPort()).withExpire(Duration.ofMillis(200));
      PrometheusRegistry registry = new PrometheusRegistry();
      try (Forwarder f = new Forwarder(c, group, ForwardMetrics.register(registry))) {
        for (int i = 0; i < 5; i++) {
          assertEquals(Rcode.NOERROR, ask(f, "n" + i + ".example.", true).getRcode());
        }
        assertEquals(5, a.tcpQueries());
        assertEquals(1, a.tcpConnections(), "one connection carried all five queries");
        String text = scrape(registry);
        assertTrue(text.contains("coredns_proxy_conn_cache_hits_total{proto=\"tcp\",proxy_name=\"forward\",to=\""
            + a.hostPort() + "\"} 4.0"), text);
        Thread.sleep(450); // let the 200 ms expiry (and its sweep) pass: the behaviour under test is time
        assertEquals(Rcode.NOERROR, ask(f, "late.example.", true).getRcode());
        assertEquals(2, a.tcpConnections(), "an expired connection is not reused");
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
      Message r = f.forward(q, false).get(5, TimeUnit.SECONDS);
      assertTrue(r.getHeader().getFlag(Flags.TC));
      assertEquals(q.getQuestion(), r.getQuestion());
      assertEquals(q.getHeader().getID(), r.getHeader().getID());
    }
  }

  @Test
  void aLateReplyFromASlowUpstreamIsDroppedAndTheNextUpstreamAnswers() throws Exception {
    try (FakeUpstream slow = new FakeUpstream(FakeUpstream.answering());
        FakeUpstream fast = new FakeUpstream(FakeUpstream.answering())) {
      slow.delayMillis = 300;
      ForwardConfig c = config(slow.hostPort(), fast.hostPort())
          .withPolicy(ForwardPolicy.SEQUENTIAL)
          .withTimeouts(Duration.ofMillis(100), Duration.ofSeconds(2));
      try (Forwarder f = new Forwarder(c, group)) {
        long t0 = System.nanoTime();
        assertEquals(Rcode.NOERROR, ask(f, "www.example.", false).getRcode());
        assertTrue(elapsedMillis(t0) < 300, "answered by the fast one after 100 ms: " + elapsedMillis(t0));
        await("the slow reply arrives and is dropped", () -> f.droppedReplies() == 1);
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
      a.delayMillis = 200;
      PrometheusRegistry registry = new PrometheusRegistry();
      try (Forwarder f = new Forwarder(config(a.hostPort()).withMaxConcurrent(2), group,
          ForwardMetrics.register(registry))) {
        var first = f.forward(query("a.example.", Type.A), false);
        var second = f.forward(query("b.example.", Type.A), false);
        for (int i = 0; i < 3; i++) {
          assertEquals(Rcode.REFUSED, failure(f.forward(query("c.example.", Type.A), false)).rcode());
        }
        assertEquals(Rcode.NOERROR, first.get(5, TimeUnit.SECONDS).getRcode());
        assertEquals(Rcode.NOERROR, second.get(5, TimeUnit.SECONDS).getRcode());
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
