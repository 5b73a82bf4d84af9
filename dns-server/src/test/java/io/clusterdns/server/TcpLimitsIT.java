package io.clusterdns.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clusterdns.config.KubernetesConfig;
import io.clusterdns.config.PodsMode;
import io.clusterdns.index.SnapshotPublisher;
import io.clusterdns.server.net.TcpLimits;
import io.clusterdns.server.query.QueryObserver;
import io.clusterdns.server.query.UpstreamPath;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The TCP limits over real sockets on loopback (README "Hardening"): connections over the per-client or the total
 * bound are closed at once and counted; a connection at its in-flight limit is not read further until a reply
 * goes out, and then every pipelined query is answered; the idle timeout is configurable and waits for pending
 * replies; EDNS TCP keepalive is answered but not forwarded. Forwarded queries are held by an upstream path the test completes by hand, so "in flight" is exact.
 */
class TcpLimitsIT {
  /** Longest wait for a reply or a condition; only a stalled machine comes near it. */
  private static final int WAIT_MS = 10_000;

  private ClusterDnsServer server;
  private InetSocketAddress addr;
  /** Forwarded queries the server is waiting on, with the future that answers each. */
  private final LinkedBlockingQueue<Pending> pending = new LinkedBlockingQueue<>();

  private record Pending(Message query, CompletableFuture<Message> reply) {}

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private void start(TcpLimits limits) throws IOException {
    KubernetesConfig k8s = KubernetesConfig.kubeadm("cluster.local", PodsMode.INSECURE, 30);
    UpstreamPath held = (q, tcp) -> {
      CompletableFuture<Message> f = new CompletableFuture<>();
      pending.add(new Pending(q, f));
      return f;
    };
    server = new ClusterDnsServer(k8s, SnapshotPublisher.ofSynced(TestCluster.build().build()), List.of(),
        loops -> held, QueryObserver.NONE, 2);
    server.tcpLimits(limits);
    server.listen(List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
    addr = server.boundAddresses().get(0);
  }

  private static TcpLimits limits(Duration idle, int total, int perClient, int inFlight) {
    return new TcpLimits(idle, Duration.ofSeconds(2), total, perClient, inFlight);
  }

  private Socket connect(String from) throws IOException {
    Socket s = new Socket();
    s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
    s.connect(addr, WAIT_MS);
    s.setSoTimeout(WAIT_MS);
    return s;
  }

  private static byte[] query(int id, String name) throws IOException {
    Message m = Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN));
    m.getHeader().setID(id);
    return m.toWire();
  }

  private static void send(Socket s, byte[]... queries) throws IOException {
    DataOutputStream out = new DataOutputStream(s.getOutputStream());
    for (byte[] q : queries) {
      out.writeShort(q.length);
      out.write(q);
    }
    out.flush();
  }

  private static Message read(Socket s) throws IOException {
    DataInputStream in = new DataInputStream(s.getInputStream());
    byte[] r = new byte[in.readUnsignedShort()];
    in.readFully(r);
    return new Message(r);
  }

  /** One cluster query answered on {@code s}: the connection was admitted. */
  private static void assertServed(Socket s) throws IOException {
    send(s, query(7, "web.wire.svc.cluster.local."));
    assertEquals(Rcode.NOERROR, read(s).getRcode());
  }

  /** The server closed {@code s} without answering: EOF or a reset, within the bound. */
  private static void assertClosedByServer(Socket s) {
    try {
      send(s, query(8, "web.wire.svc.cluster.local."));
      assertEquals(-1, s.getInputStream().read(), "no reply: the connection is closed");
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the connection was neither answered nor closed in " + WAIT_MS + " ms", e);
    } catch (SocketException reset) {
      // closed before or while the query was sent: what the limit does
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < end, "not within " + WAIT_MS + " ms: " + what);
      Thread.sleep(10);
    }
  }

  private static Message answer(Message q) {
    Message r = new Message(q.getHeader().getID());
    r.getHeader().setFlag(Flags.QR);
    r.getHeader().setFlag(Flags.RA);
    r.addRecord(q.getQuestion(), Section.QUESTION);
    try {
      r.addRecord(new ARecord(q.getQuestion().getName(), DClass.IN, 60, InetAddress.getByName("192.0.2.1")),
          Section.ANSWER);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return r;
  }

  @Test
  void connectionsOverThePerClientLimitAreClosedAtOnceAndCounted() throws Exception {
    start(limits(Duration.ofSeconds(10), 100, 3, 32));
    List<Socket> admitted = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        Socket s = connect("127.0.0.1");
        admitted.add(s);
        assertServed(s);
      }
      try (Socket extra = connect("127.0.0.1")) {
        assertClosedByServer(extra);
      }
      assertEquals(1, server.tcpConnections().rejectedPerClient());
      assertEquals(0, server.tcpConnections().rejectedTotal());
      try (Socket other = connect("127.0.0.2")) {
        assertServed(other); // the limit is per client address
      }
      admitted.remove(0).close();
      await(() -> server.tcpConnections().open() == 2, "the closed connections are no longer counted");
      Socket again = connect("127.0.0.1");
      admitted.add(again);
      assertServed(again);
    } finally {
      for (Socket s : admitted) {
        s.close();
      }
    }
  }

  @Test
  void connectionsOverTheTotalLimitAreClosedAtOnceAndCounted() throws Exception {
    start(limits(Duration.ofSeconds(10), 4, 3, 32));
    List<Socket> admitted = new ArrayList<>();
    try {
      for (String from : List.of("127.0.0.1", "127.0.0.1", "127.0.0.2", "127.0.0.3")) {
        Socket s = connect(from);
        admitted.add(s);
        assertServed(s);
      }
      try (Socket extra = connect("127.0.0.4")) {
        assertClosedByServer(extra);
      }
      assertEquals(1, server.tcpConnections().rejectedTotal());
      assertEquals(4, server.tcpConnections().open());
    } finally {
      for (Socket s : admitted) {
        s.close();
      }
    }
    await(() -> server.tcpConnections().open() == 0, "every connection released on close");
  }

  /**
   * Five queries pipelined in one write with an in-flight limit of 2: two reach the upstream and the connection
   * is paused; each reply written lets one more in; all five are answered.
   */
  @Test
  void aConnectionAtItsInFlightLimitIsNotReadUntilAReplyGoesOutAndLosesNothing() throws Exception {
    start(limits(Duration.ofSeconds(10), 100, 10, 2));
    try (Socket s = connect("127.0.0.1")) {
      byte[][] queries = new byte[5][];
      for (int i = 0; i < queries.length; i++) {
        queries[i] = query(100 + i, "q" + i + ".example.");
      }
      send(s, queries);
      await(() -> server.tcpConnections().pausedReads() >= 1, "the connection paused at 2 in flight");
      // Paused: nothing more is read until the test answers one, so exactly two are upstream.
      assertEquals(2, pending.size());
      Set<Integer> answered = new HashSet<>();
      for (int i = 0; i < queries.length; i++) {
        Pending p = pending.poll(WAIT_MS, TimeUnit.MILLISECONDS);
        assertTrue(p != null, "query " + i + " reached the upstream");
        p.reply().complete(answer(p.query()));
        Message r = read(s);
        assertEquals(Rcode.NOERROR, r.getRcode());
        answered.add(r.getHeader().getID());
        assertTrue(pending.size() <= 2, "never more than 2 in flight: " + pending.size());
      }
      assertEquals(Set.of(100, 101, 102, 103, 104), answered);
      assertServed(s); // the connection reads again
    }
  }

  /**
   * Cluster queries held while the connection was paused are answered at once when it resumes, not when the next
   * read or reply happens to flush: one forwarded query stays unanswered throughout.
   */
  @Test
  void queriesHeldWhilePausedAreAnsweredWhenAReplyFreesASlot() throws Exception {
    start(limits(Duration.ofSeconds(10), 100, 10, 2));
    try (Socket s = connect("127.0.0.1")) {
      send(s, query(400, "q0.example."), query(401, "q1.example."), query(402, "web.wire.svc.cluster.local."),
          query(403, "web.wire.svc.cluster.local."), query(404, "web.wire.svc.cluster.local."));
      await(() -> server.tcpConnections().pausedReads() >= 1, "the connection paused at 2 in flight");
      Pending first = pending.poll(WAIT_MS, TimeUnit.MILLISECONDS);
      assertTrue(first != null, "the first forwarded query reached the upstream");
      first.reply().complete(answer(first.query()));
      Set<Integer> answered = new HashSet<>();
      for (int i = 0; i < 4; i++) {
        answered.add(read(s).getHeader().getID());
      }
      assertEquals(Set.of(400, 402, 403, 404), answered, "everything but the query still upstream");
      Pending second = pending.poll(WAIT_MS, TimeUnit.MILLISECONDS);
      assertTrue(second != null);
      second.reply().complete(answer(second.query()));
      assertEquals(401, read(s).getHeader().getID());
    }
  }

  /**
   * EDNS TCP keepalive speaks of the client's connection to this server: a forwarded query goes upstream without
   * it (the forwarder may use UDP, where RFC 7828 3.2.1 forbids it), the rest of its OPT intact, and the client's
   * reply still carries the server's idle timeout.
   */
  @Test
  void keepaliveIsAnsweredButNotForwarded() throws Exception {
    start(TcpLimits.DEFAULTS);
    try (Socket s = connect("127.0.0.1")) {
      Message q = Message.newQuery(Record.newRecord(Name.fromString("kept.example."), Type.A, DClass.IN));
      q.getHeader().setID(500);
      q.addRecord(new org.xbill.DNS.OPTRecord(1232, 0, 0, org.xbill.DNS.ExtendedFlags.DO,
          new org.xbill.DNS.TcpKeepaliveOption(), new org.xbill.DNS.GenericEDNSOption(65001, new byte[] {1, 2})),
          Section.ADDITIONAL);
      send(s, q.toWire());
      Pending p = pending.poll(WAIT_MS, TimeUnit.MILLISECONDS);
      assertTrue(p != null, "the query reached the upstream");
      org.xbill.DNS.OPTRecord up = p.query().getOPT();
      assertTrue(up != null, "the upstream query keeps its OPT");
      assertTrue(up.getOptions(org.xbill.DNS.EDNSOption.Code.TCP_KEEPALIVE).isEmpty(), up.toString());
      assertEquals(1, up.getOptions(65001).size(), "other options are forwarded as they came");
      assertEquals(org.xbill.DNS.ExtendedFlags.DO, up.getFlags());
      assertEquals(1232, up.getPayloadSize());
      p.reply().complete(answer(p.query()));
      Message r = read(s);
      assertEquals(500, r.getHeader().getID());
      List<org.xbill.DNS.EDNSOption> ka = r.getOPT().getOptions(org.xbill.DNS.EDNSOption.Code.TCP_KEEPALIVE);
      assertEquals(1, ka.size(), r.toString());
      assertEquals(java.util.OptionalInt.of(100), ((org.xbill.DNS.TcpKeepaliveOption) ka.get(0)).getTimeout());
    }
  }

  /** Packets dropped without a reply (QR=1) hold no in-flight slot: the query after them is still read. */
  @Test
  void droppedPacketsDoNotCountAsInFlight() throws Exception {
    start(limits(Duration.ofSeconds(10), 100, 10, 2));
    try (Socket s = connect("127.0.0.1")) {
      byte[] response = query(300, "web.wire.svc.cluster.local.");
      response[2] |= (byte) 0x80; // QR=1: a response sent to the server, dropped
      send(s, response, response, response, query(301, "web.wire.svc.cluster.local."));
      Message r = read(s);
      assertEquals(301, r.getHeader().getID());
      assertEquals(0, server.tcpConnections().pausedReads());
    }
  }

  @Test
  void idleTimeoutIsConfigurableAndWaitsForAPendingReply() throws Exception {
    start(limits(Duration.ofMillis(500), 100, 10, 32));
    try (Socket s = connect("127.0.0.1")) {
      long t0 = System.nanoTime();
      assertEquals(-1, s.getInputStream().read(), "an idle connection is closed");
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(ms >= 400 && ms < 5_000, "closed after " + ms + " ms, idle timeout 500 ms");
    }
    try (Socket s = connect("127.0.0.1")) {
      send(s, query(200, "slow.example."));
      Pending p = pending.poll(WAIT_MS, TimeUnit.MILLISECONDS);
      assertTrue(p != null, "the query reached the upstream");
      Thread.sleep(1_500); // the stimulus: the reply comes three idle timeouts later
      p.reply().complete(answer(p.query()));
      Message r = read(s);
      assertEquals(200, r.getHeader().getID(), "a connection awaiting a reply is not idle (RFC 7766 6.2.3)");
    }
  }
}
