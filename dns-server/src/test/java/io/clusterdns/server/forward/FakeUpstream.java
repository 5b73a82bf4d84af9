package io.clusterdns.server.forward;

import io.clusterdns.config.HostPort;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/**
 * An in-process upstream with fault switches (STYLE.md example 5): UDP and TCP on one loopback port, each
 * query answered by a {@link Script} that may return nothing (drop), several datagrams (a spoofed one first),
 * a wrong question, a SERVFAIL, a truncated reply; {@link #hold()} keeps every answer back until the test
 * calls {@link #release()} (a slow upstream whose reply arrives exactly when the test wants it, not after a
 * delay a loaded machine may stretch). Test threads only: one for UDP, one accepting TCP, one per TCP
 * connection; all end on {@link #close()}.
 */
public final class FakeUpstream implements AutoCloseable {

  /** Answers one query with zero or more wire messages, sent in order. */
  public interface Script {
    List<byte[]> answer(Message query, boolean tcp) throws IOException;
  }

  /** Longest a held answer waits for {@link #release()}, seconds. */
  private static final int HOLD_LIMIT_SECONDS = 60;

  private final DatagramSocket udp;
  private final ServerSocket tcp;
  private final List<Socket> connections = new CopyOnWriteArrayList<>();
  private final AtomicInteger udpQueries = new AtomicInteger();
  private final AtomicInteger tcpQueries = new AtomicInteger();
  private final AtomicInteger tcpConnections = new AtomicInteger();
  private final AtomicInteger tcpClosedByPeer = new AtomicInteger();
  private final List<Message> seen = new CopyOnWriteArrayList<>();
  public volatile Script script;
  /** Null while answers flow; between {@link #hold()} and {@link #release()} the latch answers wait on. */
  private volatile CountDownLatch gate;
  /** Closes each TCP connection right after answering (an upstream with a short idle timeout). */
  volatile boolean closeTcpAfterAnswer;

  public FakeUpstream(Script script) throws IOException {
    this.script = script;
    // Both sockets stay bound from the start, so nothing can take the port between picking and binding;
    // when the TCP side of a new UDP port is taken, another UDP port is tried.
    DatagramSocket boundUdp;
    ServerSocket boundTcp = new ServerSocket();
    for (int attempt = 1; ; attempt++) {
      boundUdp = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
      try {
        boundTcp.bind(new InetSocketAddress("127.0.0.1", boundUdp.getLocalPort()));
        break;
      } catch (IOException busy) {
        boundUdp.close();
        boundTcp.close();
        if (attempt == 50) {
          throw busy;
        }
        boundTcp = new ServerSocket();
      }
    }
    this.udp = boundUdp;
    this.tcp = boundTcp;
    Thread u = new Thread(this::serveUdp, "fake-upstream-udp");
    u.setDaemon(true);
    u.start();
    Thread t = new Thread(this::acceptTcp, "fake-upstream-tcp");
    t.setDaemon(true);
    t.start();
  }

  public HostPort hostPort() {
    return new HostPort("127.0.0.1", udp.getLocalPort());
  }

  public int udpQueries() {
    return udpQueries.get();
  }

  public int tcpQueries() {
    return tcpQueries.get();
  }

  int tcpConnections() {
    return tcpConnections.get();
  }

  /** TCP connections the client closed (end of stream between queries). */
  int tcpClosedByPeer() {
    return tcpClosedByPeer.get();
  }

  /** From now on, answers wait until {@link #release()} (queries are still read and counted). */
  public void hold() {
    gate = new CountDownLatch(1);
  }

  /** Lets every held answer go, in the order the queries came, and stops holding. */
  public void release() {
    CountDownLatch g = gate;
    gate = null;
    if (g != null) {
      g.countDown();
    }
  }

  List<Message> seen() {
    return seen;
  }

  private void serveUdp() {
    byte[] buf = new byte[65535];
    while (!udp.isClosed()) {
      DatagramPacket in = new DatagramPacket(buf, buf.length);
      try {
        udp.receive(in);
        Message q = new Message(Arrays.copyOf(buf, in.getLength()));
        udpQueries.incrementAndGet();
        seen.add(q);
        pause();
        for (byte[] out : script.answer(q, false)) {
          udp.send(new DatagramPacket(out, out.length, in.getSocketAddress()));
        }
      } catch (IOException e) {
        // closed, or a malformed query: keep serving until closed
      }
    }
  }

  private void acceptTcp() {
    while (!tcp.isClosed()) {
      try {
        Socket s = tcp.accept();
        tcpConnections.incrementAndGet();
        connections.add(s);
        Thread t = new Thread(() -> serveTcp(s), "fake-upstream-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serveTcp(Socket s) {
    try (s;
        DataInputStream in = new DataInputStream(s.getInputStream());
        DataOutputStream out = new DataOutputStream(s.getOutputStream())) {
      while (true) {
        int len;
        try {
          len = in.readUnsignedShort();
        } catch (EOFException closed) {
          tcpClosedByPeer.incrementAndGet();
          return;
        }
        byte[] wire = in.readNBytes(len);
        Message q = new Message(wire);
        tcpQueries.incrementAndGet();
        seen.add(q);
        pause();
        for (byte[] r : script.answer(q, true)) {
          out.writeShort(r.length);
          out.write(r);
          out.flush();
        }
        if (closeTcpAfterAnswer) {
          return;
        }
      }
    } catch (IOException e) {
      // connection closed
    }
  }

  private void pause() {
    CountDownLatch g = gate;
    if (g != null) {
      try {
        // Bounded so that a test that fails before release() does not leave the thread waiting for good.
        g.await(HOLD_LIMIT_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void close() throws IOException {
    release();
    udp.close();
    tcp.close();
    for (Socket s : connections) {
      s.close();
    }
  }

  // ------------------------------------------------------------------ reply builders for scripts

  /** A reply to {@code q} with the rcode and answer records given. */
  public static Message reply(Message q, int rcode, Record... answers) {
    Message r = new Message(q.getHeader().getID());
    r.getHeader().setFlag(Flags.QR);
    r.getHeader().setFlag(Flags.RD);
    r.getHeader().setFlag(Flags.RA);
    r.getHeader().setRcode(rcode);
    r.addRecord(q.getQuestion(), Section.QUESTION);
    for (Record a : answers) {
      r.addRecord(a, Section.ANSWER);
    }
    return r;
  }

  static byte[] wire(Message m) {
    return m.toWire();
  }

  /** Answers every query with one A record, 192.0.2.1, TTL 60. */
  public static Script answering() {
    return answering("192.0.2.1");
  }

  /** Answers every query with one A record, {@code address}, TTL 60 (tells upstreams apart). */
  public static Script answering(String address) {
    return (q, tcp) -> List.of(reply(q, Rcode.NOERROR, org.xbill.DNS.Record.fromString(
        q.getQuestion().getName(), org.xbill.DNS.Type.A, org.xbill.DNS.DClass.IN, 60, address, null))
        .toWire());
  }

  /** Never answers. */
  public static Script silent() {
    return (q, tcp) -> List.of();
  }

  /** Queries seen for {@code name} (health probes ask for the root). */
  public long seenFor(String name) {
    return seen.stream().filter(m -> m.getQuestion().getName().toString().equalsIgnoreCase(name)).count();
  }

  public static byte[] servfail(Message q) {
    return reply(q, Rcode.SERVFAIL).toWire();
  }
}
