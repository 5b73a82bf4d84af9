package io.clusterdns.server.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.clusterdns.config.ForwardConfig;
import io.clusterdns.config.ForwardPolicy;
import io.clusterdns.config.HedgeConfig;
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
import java.util.Set;
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

/**
 * The basic forwarding path (issue 3; behaviours.md 11.1) against a real Knot upstream and a fake one.
 *
 * <p>Timing: these run on a loaded shared CI machine, so a test checks which upstream answered and in what
 * order, and bounds time only loosely: a timeout is shown by the earliest moment a reply may come (a timer
 * never fires early) and by a wait of {@link #WAIT_SECONDS} at most, never by a millisecond ceiling.
 */
class ForwarderIT {

  /** Longest a test waits for a forwarded query to settle, seconds: far above any try timeout used here. */
  static final int WAIT_SECONDS = 15;

  /** How early a reply may seem to come before a timeout it waited for, ms (timer and clock granularity). */
  static final long SLACK_MILLIS = 100;

  private static KnotUpstream knot;
  private static EventLoopGroup nio;
  private static EventLoopGroup epoll;

  @BeforeAll
  static void start() throws Exception {
    nio = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    if (epollShipped()) {
      Epoll.ensureAvailability(); // production's transport here: failing to load it is a failure, not a skip
    }
    if (Epoll.isAvailable()) {
      epoll = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    }
    knot = KnotUpstream.start();
  }

  /** Linux x86_64: the only platform whose native epoll library the dns-server pom ships. */
  private static boolean epollShipped() {
    return System.getProperty("os.name").startsWith("Linux")
        && Set.of("amd64", "x86_64").contains(System.getProperty("os.arch"));
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
    assumeTrue(group != null, "no native epoll on " + System.getProperty("os.name") + " "
        + System.getProperty("os.arch"));
    boolean tcp = variant.endsWith("tcp");
    try (Forwarder f = new Forwarder(config(knot.hostPort()), group)) {
      Message q = query("WwW.Example.Test.", Type.A);
      Message r = f.forward(q, tcp).get(WAIT_SECONDS, TimeUnit.SECONDS);
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
      Message r = f.forward(query("10.2.0.192.in-addr.arpa.", Type.PTR), false).get(WAIT_SECONDS, TimeUnit.SECONDS);
      assertEquals(Rcode.NOERROR, r.getRcode());
      assertEquals(Name.fromString("www.example.test."),
          ((PTRRecord) r.getSection(Section.ANSWER).get(0)).getTarget());
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void passesNxdomainThroughWithTheUpstreamsSoa(boolean tcp) throws Exception {
    try (Forwarder f = new Forwarder(config(knot.hostPort()), nio)) {
      Message r = f.forward(query("nope.example.test.", Type.A), tcp).get(WAIT_SECONDS, TimeUnit.SECONDS);
      assertEquals(Rcode.NXDOMAIN, r.getRcode());
      assertEquals(Type.SOA, r.getSection(Section.AUTHORITY).get(0).getType());
    }
  }

  @Test
  void passesTruncatedUdpReplyBackAndTcpGetsTheWholeSet() throws Exception {
    try (Forwarder f = new Forwarder(config(knot.hostPort()), nio)) {
      Message q = query("big.example.test.", Type.TXT); // no EDNS: 512-byte UDP limit
      Message udp = f.forward(q, false).get(WAIT_SECONDS, TimeUnit.SECONDS);
      assertTrue(udp.getHeader().getFlag(Flags.TC), "TC from the upstream reaches the client");
      assertTrue(udp.getSection(Section.ANSWER).size() < KnotUpstream.BIG_TXT_COUNT);
      Message tcp = f.forward(q, true).get(WAIT_SECONDS, TimeUnit.SECONDS);
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
    // A try timeout far beyond the test's wait: only the ICMP port unreachable can end the first try in time.
    ForwardConfig c = config(new HostPort("127.0.0.1", closed), knot.hostPort())
        .withPolicy(ForwardPolicy.SEQUENTIAL)
        .withTimeouts(Duration.ofSeconds(4 * WAIT_SECONDS), Duration.ofSeconds(8 * WAIT_SECONDS));
    try (Forwarder f = new Forwarder(c, nio)) {
      Message r = f.forward(query("www.example.test.", Type.A), false).get(WAIT_SECONDS, TimeUnit.SECONDS);
      assertEquals(Rcode.NOERROR, r.getRcode());
      assertEquals("192.0.2.10", address(r), "Knot, the second upstream, answered");
      assertTrue(f.pool().upstreams().get(0).fails() >= 1, "the closed port was tried first and failed");
    }
  }

  @Test
  void failsOverToTheNextUpstreamWhenTheFirstIsSilent() throws Exception {
    try (FakeUpstream silent = new FakeUpstream(FakeUpstream.silent())) {
      // The production try timeout: Knot's try has as long to answer on a loaded machine. Hedging off:
      // CoreDNS's behaviour, which HedgeIT compares against.
      ForwardConfig c = config(silent.hostPort(), knot.hostPort())
          .withPolicy(ForwardPolicy.SEQUENTIAL)
          .withTimeouts(ForwardConfig.DEFAULT_TRY_TIMEOUT, Duration.ofSeconds(WAIT_SECONDS))
          .withHedge(HedgeConfig.OFF);
      try (Forwarder f = new Forwarder(c, nio)) {
        long t0 = System.nanoTime();
        Message r = f.forward(query("www.example.test.", Type.A), false).get(WAIT_SECONDS, TimeUnit.SECONDS);
        long ms = elapsedMillis(t0);
        assertEquals(Rcode.NOERROR, r.getRcode());
        assertEquals("192.0.2.10", address(r), "Knot, the second upstream, answered");
        assertTrue(f.pool().upstreams().get(0).fails() >= 1, "the silent upstream was tried first and failed");
        assertTrue(ms >= c.tryTimeout().toMillis() - SLACK_MILLIS,
            "moved on only after the first try's timeout: " + ms + " ms");
      }
    }
  }

  // ---------------------------------------------------------------- no answer at all

  @Test
  void servfailAfterTheTwoSecondTryTimeoutWhenTheOnlyUpstreamIsSilent() throws Exception {
    try (DatagramSocket silent = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        Forwarder f = new Forwarder(config(new HostPort("127.0.0.1", silent.getLocalPort())), nio)) {
      long t0 = System.nanoTime();
      ForwardFailure failure = failure(f.forward(query("www.example.test.", Type.A), false));
      long ms = elapsedMillis(t0);
      assertEquals(ForwardFailure.Reason.NO_UPSTREAM_ANSWERED, failure.reason());
      assertEquals(Rcode.SERVFAIL, failure.rcode());
      // failure() waited WAIT_SECONDS at most: the client is not left without an answer.
      assertTrue(ms >= ForwardConfig.DEFAULT_TRY_TIMEOUT.toMillis() - SLACK_MILLIS,
          "not before the 2 s try timeout: " + ms + " ms");
    }
  }

  @Test
  void overallBudgetBoundsTheTriesAcrossManyDeadUpstreams() throws Exception {
    try (DatagramSocket a = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        DatagramSocket b = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        DatagramSocket c = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      // Three 300 ms tries would take 900 ms; the 500 ms budget leaves room for two at most.
      ForwardConfig cfg = config(new HostPort("127.0.0.1", a.getLocalPort()),
          new HostPort("127.0.0.1", b.getLocalPort()), new HostPort("127.0.0.1", c.getLocalPort()))
          .withTimeouts(Duration.ofMillis(300), Duration.ofMillis(500));
      try (Forwarder f = new Forwarder(cfg, nio)) {
        long t0 = System.nanoTime();
        ForwardFailure failure = failure(f.forward(query("www.example.test.", Type.A), false));
        long ms = elapsedMillis(t0);
        assertEquals(ForwardFailure.Reason.NO_UPSTREAM_ANSWERED, failure.reason());
        // Health probes only ever go to upstreams that already failed a try, so this counts the tries.
        long tried = f.pool().upstreams().stream().filter(u -> u.fails() > 0).count();
        assertTrue(tried >= 1 && tried <= 2, "the budget ended the query before the third upstream: " + tried);
        assertTrue(ms >= cfg.budget().toMillis() - SLACK_MILLIS, "the budget was used up first: " + ms + " ms");
        assertEquals(0, f.inFlight());
      }
    }
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
        Message r = f.forward(q, tcp).get(WAIT_SECONDS, TimeUnit.SECONDS);
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
        Message r = f.forward(q, false).get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertEquals(Rcode.SERVFAIL, r.getRcode(), "the upstream's rcode is passed through");
      }
      assertTrue(up.seen().stream().anyMatch(m -> m.getHeader().getID() != q.getHeader().getID()));
    }
  }

  @Test
  void beyondMaxConcurrentTheQueryIsRefusedAtOnce() throws Exception {
    try (FakeUpstream up = new FakeUpstream((q, tcp) -> List.of(FakeUpstream.reply(q, Rcode.NOERROR).toWire()))) {
      up.hold(); // the first query stays in flight until released, however slow the machine
      ForwardConfig c = config(up.hostPort())
          .withMaxConcurrent(1)
          .withTimeouts(Duration.ofSeconds(WAIT_SECONDS), Duration.ofSeconds(WAIT_SECONDS));
      try (Forwarder f = new Forwarder(c, nio)) {
        CompletableFuture<Message> first = f.forward(query("a.example.test.", Type.A), false);
        CompletableFuture<Message> second = f.forward(query("b.example.test.", Type.A), false);
        assertTrue(second.isDone(), "refused at once, without waiting for the upstream");
        ForwardFailure refused = failure(second);
        assertFalse(first.isDone(), "the first query is still waiting for the held upstream");
        assertEquals(ForwardFailure.Reason.OVERLOADED, refused.reason());
        assertEquals(Rcode.REFUSED, refused.rcode());
        assertEquals(1, f.maxConcurrentRejects());
        up.release();
        assertEquals(Rcode.NOERROR, first.get(WAIT_SECONDS, TimeUnit.SECONDS).getRcode());
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
      Message m = f.get(WAIT_SECONDS, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure, got " + m);
    } catch (ExecutionException e) {
      return assertInstanceOf(ForwardFailure.class, e.getCause());
    }
  }

  /** The address of the first A record of the answer section. */
  static String address(Message m) {
    return ((ARecord) m.getSection(Section.ANSWER).get(0)).getAddress().getHostAddress();
  }

  static long elapsedMillis(long t0) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
  }
}
