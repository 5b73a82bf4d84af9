package io.clusterdns.server.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.clusterdns.config.ForwardConfig;
import io.clusterdns.config.ForwardPolicy;
import io.clusterdns.config.HostPort;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** The basic forwarding path (issue 3; behaviours.md 11.1) against a real Knot upstream and a fake one. */
class ForwarderIT {

  private static KnotUpstream knot;
  private static EventLoopGroup nio;
  private static EventLoopGroup epoll;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(KnotUpstream.available(), "knotd is not installed");
    nio = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    if (Epoll.isAvailable()) {
      epoll = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    }
    knot = KnotUpstream.start();
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (knot != null) {
        knot.close();
      }
    } finally {
      if (nio != null) {
        nio.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
      }
      if (epoll != null) {
        epoll.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
      }
    }
  }

  // ---------------------------------------------------------------- against Knot

  @ParameterizedTest
  @ValueSource(strings = {"nio-udp", "nio-tcp", "epoll-udp", "epoll-tcp"})
  void forwardsAQueryAndPutsTheClientIdBack(String variant) throws Exception {
    EventLoopGroup group = variant.startsWith("epoll") ? epoll : nio;
    assumeTrue(group != null, "epoll not available");
    boolean tcp = variant.endsWith("tcp");
    try (Forwarder f = new Forwarder(config(knot.hostPort()), group)) {
      Message q = query("WwW.Example.Test.", Type.A);
      Message r = f.forward(q, tcp).get(5, TimeUnit.SECONDS);
      assertEquals(q.getHeader().getID(), r.getHeader().getID());
      assertEquals(Rcode.NOERROR, r.getRcode());
      assertTrue(r.getHeader().getFlag(Flags.AA), "Knot's authoritative answer is passed through");
      List<Record> answer = r.getSection(Section.ANSWER);
      assertEquals(1, answer.size());
      assertEquals("192.0.2.10", ((ARecord) answer.get(0)).getAddress().getHostAddress());
    }
  }

  @Test
  void forwardsAReversePtrQuery() throws Exception {
    try (Forwarder f = new Forwarder(config(knot.hostPort()), nio)) {
      Message r = f.forward(query("10.2.0.192.in-addr.arpa.", Type.PTR), false).get(5, TimeUnit.SECONDS);
      assertEquals(Rcode.NOERROR, r.getRcode());
      assertEquals(Name.fromString("www.example.test."),
          ((PTRRecord) r.getSection(Section.ANSWER).get(0)).getTarget());
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void passesNxdomainThroughWithTheUpstreamsSoa(boolean tcp) throws Exception {
    try (Forwarder f = new Forwarder(config(knot.hostPort()), nio)) {
      Message r = f.forward(query("nope.example.test.", Type.A), tcp).get(5, TimeUnit.SECONDS);
      assertEquals(Rcode.NXDOMAIN, r.getRcode());
      assertEquals(Type.SOA, r.getSection(Section.AUTHORITY).get(0).getType());
    }
  }

  @Test
  void passesTruncatedUdpReplyBackAndTcpGetsTheWholeSet() throws Exception {
    try (Forwarder f = new Forwarder(config(knot.hostPort()), nio)) {
      Message q = query("big.example.test.", Type.TXT); // no EDNS: 512-byte UDP limit
      Message udp = f.forward(q, false).get(5, TimeUnit.SECONDS);
      assertTrue(udp.getHeader().getFlag(Flags.TC), "TC from the upstream reaches the client");
      assertTrue(udp.getSection(Section.ANSWER).size() < KnotUpstream.BIG_TXT_COUNT);
      Message tcp = f.forward(q, true).get(5, TimeUnit.SECONDS);
      assertFalse(tcp.getHeader().getFlag(Flags.TC));
      assertEquals(KnotUpstream.BIG_TXT_COUNT, tcp.getSection(Section.ANSWER).size());
    }
  }

  @Test
  void failsOverToTheNextUpstreamWhenThePortIsClosed() throws Exception {
    int closed;
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      closed = s.getLocalPort();
    }
    ForwardConfig c = config(new HostPort("127.0.0.1", closed), knot.hostPort())
        .withPolicy(ForwardPolicy.SEQUENTIAL);
    try (Forwarder f = new Forwarder(c, nio)) {
      long t0 = System.nanoTime();
      Message r = f.forward(query("www.example.test.", Type.A), false).get(5, TimeUnit.SECONDS);
      assertEquals(Rcode.NOERROR, r.getRcode());
      // ICMP port unreachable ends the first try at once; no 2 s timeout is spent on it.
      assertTrue(elapsedMillis(t0) < 1000, "took " + elapsedMillis(t0) + " ms");
    }
  }

  @Test
  void failsOverToTheNextUpstreamWhenTheFirstIsSilent() throws Exception {
    try (DatagramSocket silent = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      ForwardConfig c = config(new HostPort("127.0.0.1", silent.getLocalPort()), knot.hostPort())
          .withPolicy(ForwardPolicy.SEQUENTIAL)
          .withTimeouts(Duration.ofMillis(300), Duration.ofSeconds(5));
      try (Forwarder f = new Forwarder(c, nio)) {
        long t0 = System.nanoTime();
        Message r = f.forward(query("www.example.test.", Type.A), false).get(5, TimeUnit.SECONDS);
        long ms = elapsedMillis(t0);
        assertEquals(Rcode.NOERROR, r.getRcode());
        assertTrue(ms >= 280 && ms < 2000, "took " + ms + " ms");
      }
    }
  }

  // ---------------------------------------------------------------- no answer at all

  @Test
  void failsWithinTheTwoSecondTryTimeoutWhenTheOnlyUpstreamIsSilent() throws Exception {
    try (DatagramSocket silent = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        Forwarder f = new Forwarder(config(new HostPort("127.0.0.1", silent.getLocalPort())), nio)) {
      long t0 = System.nanoTime();
      ForwardFailure failure = failure(f.forward(query("www.example.test.", Type.A), false));
      long ms = elapsedMillis(t0);
      assertEquals(ForwardFailure.Reason.NO_UPSTREAM_ANSWERED, failure.reason());
      assertEquals(Rcode.SERVFAIL, failure.rcode());
      assertTrue(ms >= 1900 && ms < 3000, "took " + ms + " ms");
    }
  }

  @Test
  void overallBudgetBoundsTheTriesAcrossManyDeadUpstreams() throws Exception {
    try (DatagramSocket a = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        DatagramSocket b = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        DatagramSocket c = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      ForwardConfig cfg = config(new HostPort("127.0.0.1", a.getLocalPort()),
          new HostPort("127.0.0.1", b.getLocalPort()), new HostPort("127.0.0.1", c.getLocalPort()))
          .withTimeouts(Duration.ofMillis(300), Duration.ofMillis(500));
      try (Forwarder f = new Forwarder(cfg, nio)) {
        long t0 = System.nanoTime();
        ForwardFailure failure = failure(f.forward(query("www.example.test.", Type.A), false));
        long ms = elapsedMillis(t0);
        assertEquals(ForwardFailure.Reason.NO_UPSTREAM_ANSWERED, failure.reason());
        assertTrue(ms >= 450 && ms < 1500, "took " + ms + " ms; budget is 500 ms");
        assertEquals(0, f.inFlight());
      }
    }
  }

  @Test
  void errorReplyKeepsIdQuestionAndRd() throws Exception {
    Message q = query("www.example.test.", Type.A);
    Message r = Forwarder.errorReply(q, Rcode.SERVFAIL);
    assertEquals(q.getHeader().getID(), r.getHeader().getID());
    assertEquals(Rcode.SERVFAIL, r.getRcode());
    assertTrue(r.getHeader().getFlag(Flags.QR));
    assertTrue(r.getHeader().getFlag(Flags.RD));
    assertEquals(q.getQuestion(), r.getQuestion());
  }

  // ---------------------------------------------------------------- fake upstream: spoofing, rcodes

  @Test
  void repliesWithWrongIdOrQuestionAreDroppedAndTheRealOneIsTaken() throws Exception {
    FakeUpstream.Script script = (q, tcp) -> {
      Record real = Record.fromString(q.getQuestion().getName(), Type.A, DClass.IN, 60, "192.0.2.1", null);
      Record fake = Record.fromString(q.getQuestion().getName(), Type.A, DClass.IN, 60, "203.0.113.66", null);
      Message wrongId = FakeUpstream.reply(q, Rcode.NOERROR, fake);
      wrongId.getHeader().setID(q.getHeader().getID() ^ 0x5a5a);
      Message wrongQuestion = query("evil.example.test.", Type.A);
      wrongQuestion.getHeader().setID(q.getHeader().getID());
      wrongQuestion.getHeader().setFlag(Flags.QR);
      wrongQuestion.addRecord(Record.fromString(Name.fromString("evil.example.test."), Type.A, DClass.IN, 60,
          "203.0.113.66", null), Section.ANSWER);
      Message notAReply = FakeUpstream.reply(q, Rcode.NOERROR, fake);
      notAReply.getHeader().unsetFlag(Flags.QR);
      return List.of(wrongId.toWire(), wrongQuestion.toWire(), notAReply.toWire(),
          FakeUpstream.reply(q, Rcode.NOERROR, real).toWire());
    };
    try (FakeUpstream up = new FakeUpstream(script); Forwarder f = new Forwarder(config(up.hostPort()), nio)) {
      for (boolean tcp : new boolean[] {false, true}) {
        Message q = query("www.example.test.", Type.A);
        Message r = f.forward(q, tcp).get(5, TimeUnit.SECONDS);
        assertEquals("192.0.2.1", ((ARecord) r.getSection(Section.ANSWER).get(0)).getAddress().getHostAddress());
        assertEquals(q.getHeader().getID(), r.getHeader().getID());
      }
      assertEquals(6, f.droppedReplies());
    }
  }

  @Test
  void onlySpoofedRepliesMeanNoAnswer() throws Exception {
    FakeUpstream.Script script = (q, tcp) -> {
      Message wrongId = FakeUpstream.reply(q, Rcode.NOERROR);
      wrongId.getHeader().setID(q.getHeader().getID() ^ 1);
      return List.of(wrongId.toWire());
    };
    try (FakeUpstream up = new FakeUpstream(script);
        Forwarder f = new Forwarder(config(up.hostPort())
            .withTimeouts(Duration.ofMillis(300), Duration.ofSeconds(1)), nio)) {
      ForwardFailure failure = failure(f.forward(query("www.example.test.", Type.A), false));
      assertEquals(ForwardFailure.Reason.NO_UPSTREAM_ANSWERED, failure.reason());
    }
  }

  @Test
  void upstreamSendsARandomIdNotTheClients() throws Exception {
    try (FakeUpstream up = new FakeUpstream((q, tcp) -> List.of(FakeUpstream.servfail(q)));
        Forwarder f = new Forwarder(config(up.hostPort()), nio)) {
      Message q = query("www.example.test.", Type.A);
      for (int i = 0; i < 4; i++) {
        Message r = f.forward(q, false).get(5, TimeUnit.SECONDS);
        assertEquals(Rcode.SERVFAIL, r.getRcode(), "the upstream's rcode is passed through");
      }
      assertTrue(up.seen().stream().anyMatch(m -> m.getHeader().getID() != q.getHeader().getID()));
    }
  }

  @Test
  void beyondMaxConcurrentTheQueryIsRefusedAtOnce() throws Exception {
    try (FakeUpstream up = new FakeUpstream((q, tcp) -> List.of(FakeUpstream.reply(q, Rcode.NOERROR).toWire()))) {
      up.delayMillis = 300;
      ForwardConfig c = config(up.hostPort());
      c = new ForwardConfig(c.zone(), c.upstreams(), c.except(), c.policy(), false, false, c.tryTimeout(),
          c.budget(), c.maxFails(), c.healthCheck(), 1, c.expire());
      try (Forwarder f = new Forwarder(c, nio)) {
        CompletableFuture<Message> first = f.forward(query("a.example.test.", Type.A), false);
        ForwardFailure refused = failure(f.forward(query("b.example.test.", Type.A), false));
        assertTrue(!first.isDone(), "the first query is still waiting for the slow upstream");
        assertEquals(ForwardFailure.Reason.OVERLOADED, refused.reason());
        assertEquals(Rcode.REFUSED, refused.rcode());
        assertEquals(1, f.maxConcurrentRejects());
        assertEquals(Rcode.NOERROR, first.get(5, TimeUnit.SECONDS).getRcode());
      }
    }
  }

  // ---------------------------------------------------------------- helpers

  static ForwardConfig config(HostPort... upstreams) {
    return ForwardConfig.defaults(List.of(upstreams));
  }

  static Message query(String name, int type) throws IOException {
    return Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
  }

  static ForwardFailure failure(CompletableFuture<Message> f) throws InterruptedException, TimeoutException {
    try {
      Message m = f.get(10, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure, got " + m);
    } catch (ExecutionException e) {
      return assertInstanceOf(ForwardFailure.class, e.getCause());
    }
  }

  static long elapsedMillis(long t0) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
  }
}
