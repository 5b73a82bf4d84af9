package io.clusterdns.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clusterdns.config.KubernetesConfig;
import io.clusterdns.config.PodsMode;
import io.clusterdns.index.SnapshotPublisher;
import io.clusterdns.server.query.QueryObserver;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Wire behaviour over real sockets on 127.0.0.1 with dnsjava as the client (behaviours.md section 10):
 * sizes and truncation, TCP framing with several queries per connection, EDNS, and every kind of bad packet
 * followed by a good query that must still be answered.
 */
class DnsWireIT {
  /**
   * Longest wait for a reply, milliseconds. The server answers in microseconds; the bound only has to survive
   * a busy machine (a stalled JVM, a GC pause), so it is generous. No test waits for it to expire.
   */
  private static final int REPLY_TIMEOUT_MS = 10_000;

  private static ClusterDnsServer server;
  private static InetSocketAddress addr;

  @BeforeAll
  static void start() throws Exception {
    server = TestCluster.startServer();
    addr = server.boundAddresses().get(0);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static Message query(String name, int type) throws Exception {
    return Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
  }

  /** One UDP exchange. */
  private static byte[] udp(byte[] packet) throws Exception {
    return firstUdpReply(packet);
  }

  /**
   * Sends {@code packets} in order from one socket and returns the first datagram that comes back. The server
   * handles one client socket's packets in order on one event loop, so a reply to an earlier packet would
   * arrive before the reply to a later one: that shows "no reply" without waiting for a timeout.
   */
  private static byte[] firstUdpReply(byte[]... packets) throws Exception {
    try (DatagramSocket s = new DatagramSocket()) {
      s.setSoTimeout(REPLY_TIMEOUT_MS);
      for (byte[] packet : packets) {
        s.send(new DatagramPacket(packet, packet.length, addr));
      }
      byte[] buf = new byte[65535];
      DatagramPacket p = new DatagramPacket(buf, buf.length);
      s.receive(p);
      return java.util.Arrays.copyOf(buf, p.getLength());
    }
  }

  private static Message udp(Message q) throws Exception {
    byte[] r = udp(q.toWire());
    assertNotNull(r, "no UDP reply");
    return new Message(r);
  }

  private static byte[] tcpExchange(DataOutputStream out, DataInputStream in, byte[] packet) throws Exception {
    out.writeShort(packet.length);
    out.write(packet);
    out.flush();
    int len = in.readUnsignedShort();
    byte[] r = new byte[len];
    in.readFully(r);
    return r;
  }

  @Test
  void udpQueryForAServiceIsAnsweredAuthoritatively() throws Exception {
    Message r = udp(query("web.wire.svc.cluster.local.", Type.A));
    assertEquals(Rcode.NOERROR, r.getRcode());
    assertTrue(r.getHeader().getFlag(Flags.AA));
    assertEquals("10.96.5.5", ((ARecord) r.getSection(Section.ANSWER).get(0)).getAddress().getHostAddress());
  }

  @Test
  void bigAnswerOverPlainUdpIsTruncatedWithinFiveHundredTwelveBytesAndCompleteOverTcp() throws Exception {
    Message q = query("big.wire.svc.cluster.local.", Type.A);
    byte[] raw = udp(q.toWire());
    assertNotNull(raw);
    assertTrue(raw.length <= 512, "UDP reply without EDNS must fit 512 bytes, was " + raw.length);
    Message r = new Message(raw);
    assertTrue(r.getHeader().getFlag(Flags.TC), "TC must be set when records were dropped");
    assertTrue(r.getSection(Section.ANSWER).size() < TestCluster.BIG_ENDPOINTS);

    try (Socket s = new Socket(addr.getAddress(), addr.getPort())) {
      s.setSoTimeout(REPLY_TIMEOUT_MS);
      Message full = new Message(tcpExchange(
          new DataOutputStream(s.getOutputStream()), new DataInputStream(s.getInputStream()), q.toWire()));
      assertFalse(full.getHeader().getFlag(Flags.TC));
      assertEquals(TestCluster.BIG_ENDPOINTS, full.getSection(Section.ANSWER).size());
    }
  }

  @Test
  void ednsBufferSizeRaisesTheUdpLimitAndTheReplyCarriesOpt() throws Exception {
    Message q = query("big.wire.svc.cluster.local.", Type.A);
    q.addRecord(new OPTRecord(4096, 0, 0), Section.ADDITIONAL);
    Message r = udp(q);
    assertFalse(r.getHeader().getFlag(Flags.TC));
    assertEquals(TestCluster.BIG_ENDPOINTS, r.getSection(Section.ANSWER).size());
    assertNotNull(r.getOPT(), "a query with OPT gets an OPT back");
    assertEquals(0, r.getOPT().getVersion());

    Message small = query("big.wire.svc.cluster.local.", Type.A);
    small.addRecord(new OPTRecord(700, 0, 0), Section.ADDITIONAL);
    byte[] raw = udp(small.toWire());
    assertTrue(raw.length <= 700, "reply must fit the client's EDNS size, was " + raw.length);
    Message rs = new Message(raw);
    assertTrue(rs.getHeader().getFlag(Flags.TC));
    assertNotNull(rs.getOPT(), "a truncated reply keeps its OPT");
  }

  @Test
  void droppingOnlyAdditionalRecordsStillSetsTc() throws Exception {
    Message q = query("_http._tcp.srv.wire.svc.cluster.local.", Type.SRV);
    Message r = udp(q);
    assertEquals(TestCluster.SRV_ENDPOINTS, r.getSection(Section.ANSWER).size(), "all SRV records fit");
    assertTrue(r.getSection(Section.ADDITIONAL).size() < TestCluster.SRV_ENDPOINTS);
    assertTrue(r.getHeader().getFlag(Flags.TC), "TC when only additional records were dropped (behaviours.md 10.2)");
  }

  @Test
  void doBitIsEchoedAndTheAnswerIsTheSameUnsignedOne() throws Exception {
    Message q = query("web.wire.svc.cluster.local.", Type.A);
    q.addRecord(new OPTRecord(1232, 0, 0, org.xbill.DNS.ExtendedFlags.DO), Section.ADDITIONAL);
    Message r = udp(q);
    assertEquals(org.xbill.DNS.ExtendedFlags.DO, r.getOPT().getFlags() & org.xbill.DNS.ExtendedFlags.DO);
    assertEquals(1, r.getSection(Section.ANSWER).size());
    assertEquals(Rcode.NOERROR, r.getRcode());
  }

  @Test
  void recursionNotDesiredIsAnsweredNormallyAndRdIsCopied() throws Exception {
    Message q = query("web.wire.svc.cluster.local.", Type.A);
    q.getHeader().unsetFlag(Flags.RD);
    Message r = udp(q);
    assertEquals(Rcode.NOERROR, r.getRcode());
    assertFalse(r.getHeader().getFlag(Flags.RD));
    assertEquals(1, r.getSection(Section.ANSWER).size());
    assertTrue(udp(query("web.wire.svc.cluster.local.", Type.A)).getHeader().getFlag(Flags.RD));
  }

  @Test
  void negativeClusterAnswersAreAuthoritativeWithTheZoneSoa() throws Exception {
    Message r = udp(query("nope.wire.svc.cluster.local.", Type.A));
    assertEquals(Rcode.NXDOMAIN, r.getRcode());
    assertTrue(r.getHeader().getFlag(Flags.AA));
    assertEquals(Type.SOA, r.getSection(Section.AUTHORITY).get(0).getType());
    Message nodata = udp(query("web.wire.svc.cluster.local.", Type.AAAA));
    assertEquals(Rcode.NOERROR, nodata.getRcode());
    assertTrue(nodata.getHeader().getFlag(Flags.AA));
    assertTrue(nodata.getSection(Section.ANSWER).isEmpty());
    assertEquals(Type.SOA, nodata.getSection(Section.AUTHORITY).get(0).getType());
  }

  @Test
  void zoneTransferOfTheClusterZoneIsRefusedOverTcp() throws Exception {
    try (Socket s = new Socket(addr.getAddress(), addr.getPort())) {
      s.setSoTimeout(REPLY_TIMEOUT_MS);
      Message r = new Message(tcpExchange(new DataOutputStream(s.getOutputStream()),
          new DataInputStream(s.getInputStream()), query("cluster.local.", Type.AXFR).toWire()));
      assertEquals(Rcode.REFUSED, r.getRcode());
    }
  }

  @Test
  void moreThanOneAnswerRecordInAQueryGetsFormerr() throws Exception {
    Message q = query("web.wire.svc.cluster.local.", Type.A);
    q.addRecord(new ARecord(Name.fromString("a.example."), DClass.IN, 1, InetAddress.getByName("192.0.2.1")),
        Section.ANSWER);
    q.addRecord(new ARecord(Name.fromString("b.example."), DClass.IN, 1, InetAddress.getByName("192.0.2.2")),
        Section.ANSWER);
    assertEquals(Rcode.FORMERR, new Message(udp(q.toWire())).getRcode());
  }

  /**
   * RFC 6891 6.1.1: more than one OPT, or an OPT in the answer or authority section, is a malformed query. It
   * gets FORMERR without an OPT in the reply, over UDP and TCP alike, and the connection keeps serving.
   */
  @Test
  void repeatedOrMisplacedOptGetsFormerrWithoutOpt() throws Exception {
    Message two = query("web.wire.svc.cluster.local.", Type.A);
    two.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
    two.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
    Message inAnswer = query("web.wire.svc.cluster.local.", Type.A);
    inAnswer.addRecord(new OPTRecord(1232, 0, 0), Section.ANSWER);
    Message inAuthority = query("web.wire.svc.cluster.local.", Type.A);
    inAuthority.addRecord(new OPTRecord(1232, 0, 0), Section.AUTHORITY);
    List<Message> bad = List.of(two, inAnswer, inAuthority);
    for (Message q : bad) {
      Message r = new Message(udp(q.toWire()));
      assertEquals(Rcode.FORMERR, r.getRcode(), "UDP: " + q);
      assertNull(r.getOPT(), "UDP: no OPT echoed for a bad OPT");
      assertEquals(q.getHeader().getID(), r.getHeader().getID());
    }
    try (Socket s = new Socket(addr.getAddress(), addr.getPort())) {
      s.setSoTimeout(REPLY_TIMEOUT_MS);
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      DataInputStream in = new DataInputStream(s.getInputStream());
      for (Message q : bad) {
        Message r = new Message(tcpExchange(out, in, q.toWire()));
        assertEquals(Rcode.FORMERR, r.getRcode(), "TCP: " + q);
        assertNull(r.getOPT(), "TCP: no OPT echoed for a bad OPT");
      }
      Message good = new Message(tcpExchange(out, in, query("web.wire.svc.cluster.local.", Type.A).toWire()));
      assertEquals(Rcode.NOERROR, good.getRcode());
    }
  }

  /**
   * Slowloris: a connection that keeps sending one byte at a time never goes idle, so only the deadline for a
   * whole query (TcpLimits.queryTimeout, 2 s by default) closes it; well before the 10 s idle timeout. A
   * query whose parts arrive a little apart, within that deadline, is still answered.
   */
  @Test
  void aQueryTricklingInIsCutOffButASlowWholeQueryIsAnswered() throws Exception {
    byte[] q = query("web.wire.svc.cluster.local.", Type.A).toWire();
    try (Socket s = new Socket(addr.getAddress(), addr.getPort())) {
      s.setSoTimeout(REPLY_TIMEOUT_MS);
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      out.writeShort(q.length);
      out.flush();
      Thread.sleep(300); // the stimulus: a pause inside one query, well within the deadline
      out.write(q);
      out.flush();
      DataInputStream in = new DataInputStream(s.getInputStream());
      byte[] r = new byte[in.readUnsignedShort()];
      in.readFully(r);
      assertEquals(Rcode.NOERROR, new Message(r).getRcode());
    }
    try (Socket s = new Socket(addr.getAddress(), addr.getPort())) {
      s.setSoTimeout(250);
      java.io.OutputStream out = s.getOutputStream();
      java.io.InputStream in = s.getInputStream();
      long start = System.nanoTime();
      long bound = start + 8_000_000_000L;
      boolean closed = false;
      out.write(new byte[] {0, 100}); // a 100-byte query announced, then one byte per 250 ms
      while (!closed && System.nanoTime() < bound) {
        try {
          out.write(0);
          out.flush();
          closed = in.read() == -1;
        } catch (java.net.SocketTimeoutException stillOpen) {
          // no reply and no close yet: send the next byte
        } catch (java.io.IOException reset) {
          closed = true;
        }
      }
      assertTrue(closed, "a query trickling in one byte at a time must be cut off before the idle timeout");
      assertTrue(System.nanoTime() - start >= 1_500_000_000L, "not before the deadline");
    }
  }

  @Test
  void queryWithoutOptGetsNoOpt() throws Exception {
    assertNull(udp(query("web.wire.svc.cluster.local.", Type.A)).getOPT());
  }

  @Test
  void ednsVersionOneGetsBadversWithVersionZeroOpt() throws Exception {
    Message q = query("web.wire.svc.cluster.local.", Type.A);
    q.addRecord(new OPTRecord(1232, 0, 1), Section.ADDITIONAL);
    Message r = udp(q);
    assertEquals(Rcode.BADVERS, r.getRcode());
    assertEquals(0, r.getOPT().getVersion());
    assertTrue(r.getSection(Section.ANSWER).isEmpty());
  }

  @Test
  void chaosClassIsRefused() throws Exception {
    Message q = Message.newQuery(Record.newRecord(Name.fromString("version.bind."), Type.TXT, DClass.CH));
    assertEquals(Rcode.REFUSED, udp(q).getRcode());
  }

  @Test
  void questionIsEchoedWithItsLetterCase() throws Exception {
    Message q = query("WeB.WiRe.SvC.ClUsTeR.LoCaL.", Type.A);
    byte[] sent = q.toWire();
    byte[] got = udp(sent);
    // Header is 12 bytes; the question follows byte for byte (behaviours.md 10.6).
    int qlen = q.getQuestion().getName().toWire().length + 4;
    assertArrayEquals(java.util.Arrays.copyOfRange(sent, 12, 12 + qlen), java.util.Arrays.copyOfRange(got, 12, 12 + qlen));
    assertEquals(q.getHeader().getID(), new Message(got).getHeader().getID());
  }

  @Test
  void garbageAfterAValidHeaderGetsFormerrWithTheQueryId() throws Exception {
    byte[] p = new byte[40];
    p[0] = 0x12;
    p[1] = 0x34;
    p[5] = 1; // QDCOUNT=1, then a question that runs off the end
    p[12] = 63;
    Message r = new Message(udp(p));
    assertEquals(0x1234, r.getHeader().getID());
    assertEquals(Rcode.FORMERR, r.getRcode());
    assertTrue(r.getHeader().getFlag(Flags.QR));
  }

  @Test
  void twoQuestionsGetFormerr() throws Exception {
    Message q = query("web.wire.svc.cluster.local.", Type.A);
    q.addRecord(Record.newRecord(Name.fromString("x.wire.svc.cluster.local."), Type.A, DClass.IN), Section.QUESTION);
    assertEquals(Rcode.FORMERR, new Message(udp(q.toWire())).getRcode());
  }

  @Test
  void otherOpcodesGetNotimp() throws Exception {
    Message q = query("web.wire.svc.cluster.local.", Type.A);
    q.getHeader().setOpcode(Opcode.STATUS);
    assertEquals(Rcode.NOTIMP, new Message(udp(q.toWire())).getRcode());
  }

  @Test
  void shortPacketsAndResponsesGetNoReplyAndTheServerKeepsAnswering() throws Exception {
    long before = server.pipeline().droppedPackets();
    byte[] shortPacket = {1, 2, 3, 4, 5};
    Message resp = query("web.wire.svc.cluster.local.", Type.A);
    resp.getHeader().setID(0x1111);
    resp.getHeader().setFlag(Flags.QR);
    Message good = query("web.wire.svc.cluster.local.", Type.A);
    good.getHeader().setID(0x2222);
    Message first = new Message(firstUdpReply(shortPacket, resp.toWire(), good.toWire()));
    assertEquals(0x2222, first.getHeader().getID(),
        "the first reply must answer the good query: a short packet and a response (QR=1) get none");
    assertEquals(Rcode.NOERROR, first.getRcode());
    assertEquals(before + 2, server.pipeline().droppedPackets());
  }

  @Test
  void tcpConnectionServesSeveralQueriesAndSurvivesAMalformedOne() throws Exception {
    try (Socket s = new Socket(addr.getAddress(), addr.getPort())) {
      s.setSoTimeout(REPLY_TIMEOUT_MS);
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      DataInputStream in = new DataInputStream(s.getInputStream());
      Message a = new Message(tcpExchange(out, in, query("web.wire.svc.cluster.local.", Type.A).toWire()));
      assertEquals(Rcode.NOERROR, a.getRcode());
      byte[] bad = new byte[20];
      bad[0] = 0x22;
      bad[1] = 0x22;
      bad[5] = 1;
      bad[12] = 60;
      Message f = new Message(tcpExchange(out, in, bad));
      assertEquals(Rcode.FORMERR, f.getRcode());
      Message b = new Message(tcpExchange(out, in, query("kubernetes.default.svc.cluster.local.", Type.A).toWire()));
      assertEquals(Rcode.NOERROR, b.getRcode());
      assertEquals(1, b.getSection(Section.ANSWER).size());
    }
  }

  private static Message tcp(Message q) throws Exception {
    try (Socket s = new Socket(addr.getAddress(), addr.getPort())) {
      s.setSoTimeout(REPLY_TIMEOUT_MS);
      return new Message(tcpExchange(new DataOutputStream(s.getOutputStream()),
          new DataInputStream(s.getInputStream()), q.toWire()));
    }
  }

  private static Message withOpt(Message q, org.xbill.DNS.EDNSOption... options) {
    q.addRecord(new OPTRecord(1232, 0, 0, 0, options), Section.ADDITIONAL);
    return q;
  }

  private static List<org.xbill.DNS.EDNSOption> keepalives(Message reply) {
    assertNotNull(reply.getOPT(), "the reply carries an OPT");
    return reply.getOPT().getOptions(org.xbill.DNS.EDNSOption.Code.TCP_KEEPALIVE);
  }

  /**
   * RFC 7828 3.3.2: a TCP query with edns-tcp-keepalive is told the connection's idle timeout (10 s, 100 units
   * of 100 ms). The same name without the option is answered from encoded bytes, and carries no option.
   */
  @Test
  void keepaliveOverTcpIsAnsweredWithTheIdleTimeout() throws Exception {
    Message r = tcp(withOpt(query("web.wire.svc.cluster.local.", Type.A), new org.xbill.DNS.TcpKeepaliveOption()));
    assertEquals(Rcode.NOERROR, r.getRcode());
    assertEquals(1, r.getSection(Section.ANSWER).size());
    List<org.xbill.DNS.EDNSOption> ka = keepalives(r);
    assertEquals(1, ka.size());
    assertEquals(java.util.OptionalInt.of(100), ((org.xbill.DNS.TcpKeepaliveOption) ka.get(0)).getTimeout());
    assertTrue(keepalives(tcp(withOpt(query("web.wire.svc.cluster.local.", Type.A)))).isEmpty());
  }

  /** RFC 7828 3.3.1: a server ignores the option in a UDP query, even one with a TIMEOUT; no reply carries it. */
  @Test
  void keepaliveOverUdpIsIgnored() throws Exception {
    for (org.xbill.DNS.TcpKeepaliveOption o : List.of(new org.xbill.DNS.TcpKeepaliveOption(),
        new org.xbill.DNS.TcpKeepaliveOption(50))) {
      Message r = udp(withOpt(query("web.wire.svc.cluster.local.", Type.A), o));
      assertEquals(Rcode.NOERROR, r.getRcode());
      assertEquals(1, r.getSection(Section.ANSWER).size());
      assertTrue(keepalives(r).isEmpty(), r.toString());
    }
  }

  /** RFC 7828 3.2.1: clients send the option without a TIMEOUT; one with a TIMEOUT over TCP is FORMERR. */
  @Test
  void keepaliveWithATimeoutFromAClientIsFormerrOverTcp() throws Exception {
    Message r = tcp(withOpt(query("web.wire.svc.cluster.local.", Type.A), new org.xbill.DNS.TcpKeepaliveOption(50)));
    assertEquals(Rcode.FORMERR, r.getRcode());
    assertTrue(keepalives(r).isEmpty());
  }

  @Test
  void secondServerOnTheSamePortFailsInsteadOfSharingIt() {
    KubernetesConfig k8s = KubernetesConfig.kubeadm("cluster.local", PodsMode.INSECURE, 30);
    ClusterDnsServer other = new ClusterDnsServer(k8s, new SnapshotPublisher(), List.of(),
        loops -> (q, tcp) -> CompletableFuture.failedFuture(new IllegalStateException()), QueryObserver.NONE, 2);
    java.net.BindException e = org.junit.jupiter.api.Assertions.assertThrows(java.net.BindException.class,
        () -> other.listen(List.of(addr)));
    assertTrue(e.getMessage().contains("already in use"), e.getMessage());
  }
}
