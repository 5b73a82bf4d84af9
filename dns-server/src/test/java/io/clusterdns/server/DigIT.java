package io.clusterdns.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The same wire behaviour as DnsWireIT, seen through the client operators debug with: the real dig. */
class DigIT {
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

  @Test
  void udpAndTcpGiveTheSameAnswer() throws Exception {
    List<String> udp = Dig.lines(Dig.run(addr, "+noall", "+answer", "web.wire.svc.cluster.local", "A"));
    List<String> tcp = Dig.lines(Dig.run(addr, "+tcp", "+noall", "+answer", "web.wire.svc.cluster.local", "A"));
    assertEquals(List.of("web.wire.svc.cluster.local. 30 IN A 10.96.5.5"), udp);
    assertEquals(udp, tcp);
  }

  @Test
  void truncatedUdpAnswerMakesDigRetryOverTcpAndGetEverything() throws Exception {
    String out = Dig.run(addr, "+noedns", "big.wire.svc.cluster.local", "A");
    assertTrue(out.contains("Truncated, retrying in TCP mode"), out);
    assertTrue(out.contains("ANSWER: " + TestCluster.BIG_ENDPOINTS + ","), out);
  }

  @Test
  void ignoreShowsTheTruncatedUdpReplyWithTcFlag() throws Exception {
    String out = Dig.run(addr, "+noedns", "+ignore", "big.wire.svc.cluster.local", "A");
    assertTrue(out.matches("(?s).*flags: qr aa tc rd;.*"), out);
    int size = Integer.parseInt(out.replaceAll("(?s).*MSG SIZE\\s+rcvd: (\\d+).*", "$1"));
    assertTrue(size <= 512, "reply of " + size + " bytes over plain UDP");
  }

  @Test
  void largeEdnsBufferCarriesTheWholeAnswerOverUdp() throws Exception {
    String out = Dig.run(addr, "+bufsize=4096", "+ignore", "big.wire.svc.cluster.local", "A");
    assertFalse(out.contains(" tc "), out);
    assertTrue(out.contains("ANSWER: " + TestCluster.BIG_ENDPOINTS + ","), out);
    assertTrue(out.contains("OPT PSEUDOSECTION"), out);
  }

  @Test
  void noEdnsQueryGetsNoOptRecord() throws Exception {
    String out = Dig.run(addr, "+noedns", "web.wire.svc.cluster.local", "A");
    assertFalse(out.contains("OPT PSEUDOSECTION"), out);
    assertTrue(out.contains("status: NOERROR"), out);
  }

  @Test
  void ednsVersionOneGetsBadvers() throws Exception {
    String out = Dig.run(addr, "+edns=1", "+noednsnegotiation", "web.wire.svc.cluster.local", "A");
    assertTrue(out.contains("status: BADVERS"), out);
    assertTrue(out.contains("EDNS: version: 0"), out);
  }

  /** dig +keepalive (RFC 7828): over TCP the reply names the idle timeout, over UDP nothing. */
  @Test
  void keepaliveIsAnsweredOverTcpOnly() throws Exception {
    String tcp = Dig.run(addr, "+tcp", "+keepalive", "web.wire.svc.cluster.local", "A");
    assertTrue(tcp.contains("status: NOERROR"), tcp);
    assertTrue(tcp.contains("TCP KEEPALIVE: 10.0 secs"), tcp);
    String udp = Dig.run(addr, "+keepalive", "web.wire.svc.cluster.local", "A");
    assertTrue(udp.contains("status: NOERROR"), udp);
    assertTrue(udp.contains("OPT PSEUDOSECTION"), udp);
    assertFalse(udp.contains("KEEPALIVE"), udp);
  }

  @Test
  void chaosVersionBindIsRefused() throws Exception {
    String out = Dig.run(addr, "version.bind", "CH", "TXT");
    assertTrue(out.contains("status: REFUSED"), out);
  }
}
