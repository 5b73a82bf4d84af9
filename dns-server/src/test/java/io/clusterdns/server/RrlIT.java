package io.clusterdns.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * Response rate limiting against the built jar ({@code --rrl 5 --rrl-slip 2}): a burst of UDP queries from 127.0.0.1
 * gets its bucket's five answers, then every second limited reply truncated and the others dropped; TCP queries are
 * all answered meanwhile; the real dig, limited over UDP, gets a truncated reply and its answer over TCP; and once the
 * bucket has refilled, UDP answers resume. The clusterdns_rrl_* series count exactly what the client saw.
 */
class RrlIT {
  private static final int RATE = 5;
  private static final int BURST = 40;
  private static final String NAME = "kubernetes.default.svc.cluster.local.";
  /** How long a burst's replies may take to arrive on loopback once the first has. */
  private static final int QUIET_MILLIS = 1000;

  private static byte[] query(int id) throws IOException {
    Message q = Message.newQuery(Record.newRecord(Name.fromString(NAME), Type.A, DClass.IN));
    q.getHeader().setID(id);
    return q.toWire();
  }

  /** Counts of one burst's replies: full answers and truncated ones. */
  private record Burst(int answered, int truncated) {}

  private static Burst burst(DatagramSocket socket, InetSocketAddress server) throws IOException {
    for (int id = 1; id <= BURST; id++) {
      byte[] q = query(id);
      socket.send(new DatagramPacket(q, q.length, server));
    }
    int answered = 0;
    int truncated = 0;
    socket.setSoTimeout(QUIET_MILLIS);
    byte[] buf = new byte[1232];
    for (int received = 0; received < BURST; received++) { // at most one reply per query
      DatagramPacket p = new DatagramPacket(buf, buf.length);
      try {
        socket.receive(p);
      } catch (SocketTimeoutException e) {
        break; // the rest were dropped
      }
      Message m = new Message(java.util.Arrays.copyOf(p.getData(), p.getLength()));
      if (m.getHeader().getFlag(Flags.TC)) {
        assertTrue(m.getSection(Section.ANSWER).isEmpty(), "a slipped reply carries no records");
        assertEquals(NAME, m.getQuestion().getName().toString());
        truncated++;
      } else {
        assertEquals(1, m.getSection(Section.ANSWER).size(), m.toString());
        answered++;
      }
    }
    return new Burst(answered, truncated);
  }

  /** True once one UDP query is answered in full within {@code deadline}; each try waits for its reply. */
  private static boolean answeredOverUdpWithin(DatagramSocket socket, InetSocketAddress server, Duration deadline)
      throws IOException {
    long end = System.nanoTime() + deadline.toNanos();
    socket.setSoTimeout(250);
    byte[] buf = new byte[1232];
    for (int id = 1000; System.nanoTime() < end; id++) {
      byte[] q = query(id);
      socket.send(new DatagramPacket(q, q.length, server));
      try {
        while (true) { // skip late replies to earlier tries
          DatagramPacket p = new DatagramPacket(buf, buf.length);
          socket.receive(p);
          Message m = new Message(java.util.Arrays.copyOf(p.getData(), p.getLength()));
          if (m.getHeader().getID() == id && !m.getHeader().getFlag(Flags.TC)) {
            return true;
          }
          if (m.getHeader().getID() == id) {
            break;
          }
        }
      } catch (SocketTimeoutException e) {
        // dropped: try again until the deadline
      }
    }
    return false;
  }

  private static long counter(String metrics, String name) {
    for (String line : metrics.split("\n")) {
      if (line.startsWith(name + " ")) {
        return (long) Double.parseDouble(line.substring(name.length() + 1).trim());
      }
    }
    throw new AssertionError(name + " not in /metrics:\n" + metrics);
  }

  @Test
  void udpBeyondTheRateIsDroppedOrSlippedWhileTcpIsAlwaysAnswered() throws Exception {
    try (ServerProcess server = ServerProcess.start(List.of("-Xmx128m"), Map.of(),
        p -> List.of("--demo", "--rrl", Integer.toString(RATE), "--rrl-slip", "2"));
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      server.awaitReady(ServerProcess.START_DEADLINE);
      InetSocketAddress dns = server.dns();

      Burst b = burst(socket, dns);
      int limited = BURST - b.answered();
      // The bucket's RATE, plus at most a few tokens refilled while the burst was being answered.
      assertTrue(b.answered() >= RATE && b.answered() <= 2 * RATE, "answered " + b);
      assertEquals(limited / 2, b.truncated(), "every second limited reply slips: " + b);
      String metrics = server.metrics();
      assertEquals(b.truncated(), counter(metrics, "clusterdns_rrl_slipped_responses_total"));
      assertEquals(limited - b.truncated(), counter(metrics, "clusterdns_rrl_dropped_responses_total"));

      SimpleResolver tcp = new SimpleResolver(dns);
      tcp.setTCP(true);
      tcp.setTimeout(Duration.ofSeconds(10));
      for (int i = 0; i < 2 * BURST; i++) {
        Message r = tcp.send(Message.newQuery(Record.newRecord(Name.fromString(NAME), Type.A, DClass.IN)));
        assertEquals(Rcode.NOERROR, r.getRcode());
        assertFalse(r.getHeader().getFlag(Flags.TC), "TCP is never limited");
        assertEquals(1, r.getSection(Section.ANSWER).size());
      }

      // A real client over UDP: limited, it is dropped at most once before a truncated reply sends it to TCP.
      String dig = Dig.run(dns, "+time=1", "+tries=3", "+noedns", NAME, "A");
      assertTrue(dig.contains("10.96.0.1"), dig);

      assertTrue(answeredOverUdpWithin(socket, dns, Duration.ofSeconds(10)), "UDP answers resume once refilled");
    }
  }
}
