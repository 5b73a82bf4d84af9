package io.clusterdns.bench.watch;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * A plain UDP DNS client on one loopback socket (dnsjava builds and parses the messages): one query at a
 * time, replies matched by ID, so a late reply to a timed-out query is skipped. Used by one thread at a time.
 */
final class DnsProbe implements AutoCloseable {
  /** Gap between two polls: a change is seen at most about this long after it became visible. */
  static final long POLL_NANOS = 1_000_000;

  /** What one reply said, and when it arrived (System.nanoTime). */
  record Reply(int rcode, List<String> addresses, long receivedNanos) {
    boolean nxdomain() {
      return rcode == Rcode.NXDOMAIN;
    }

    boolean noerror() {
      return rcode == Rcode.NOERROR;
    }

    @Override
    public String toString() {
      return Rcode.string(rcode) + " " + addresses;
    }
  }

  /**
   * The outcome of polling until a condition holds.
   *
   * @param seenNanos receipt time of the first reply that satisfied it, or -1 if none did in time
   * @param queries how many queries were sent
   * @param last the last reply (null if none came)
   */
  record Poll(long seenNanos, int queries, Reply last) {
    boolean seen() {
      return seenNanos >= 0;
    }
  }

  private final DatagramSocket socket;
  private final byte[] buffer = new byte[4096];
  private int nextId = 1;

  DnsProbe(InetSocketAddress server) throws IOException {
    socket = new DatagramSocket(new InetSocketAddress(server.getAddress(), 0));
    socket.connect(server);
    socket.setSoTimeout(200);
  }

  /** One A (or other type) query; null if no reply within 200 ms. */
  Reply query(String name, int type) throws IOException {
    int id = nextId++ & 0xffff;
    Message q = Message.newQuery(Record.newRecord(Name.fromString(name.endsWith(".") ? name : name + "."), type,
        DClass.IN));
    q.getHeader().setID(id);
    byte[] wire = q.toWire();
    socket.send(new DatagramPacket(wire, wire.length));
    long deadline = System.nanoTime() + 200_000_000L;
    while (true) {
      DatagramPacket p = new DatagramPacket(buffer, buffer.length);
      try {
        socket.receive(p);
      } catch (SocketTimeoutException e) {
        return null;
      }
      long now = System.nanoTime();
      Message m = new Message(java.util.Arrays.copyOf(p.getData(), p.getLength()));
      if (m.getHeader().getID() == id) {
        List<String> addrs = new ArrayList<>();
        for (Record r : m.getSection(Section.ANSWER)) {
          if (r instanceof ARecord a) {
            addrs.add(a.getAddress().getHostAddress());
          }
        }
        addrs.sort(null);
        return new Reply(m.getRcode(), addrs, now);
      }
      if (now > deadline) {
        return null;
      }
    }
  }

  Reply a(String name) throws IOException {
    return query(name, Type.A);
  }

  /** Queries about every {@link #POLL_NANOS} until {@code done} holds for a reply, at most {@code timeoutNanos}. */
  Poll await(String name, Predicate<Reply> done, long timeoutNanos) throws IOException {
    long start = System.nanoTime();
    int n = 0;
    Reply last = null;
    while (true) {
      long sent = System.nanoTime();
      Reply r = a(name);
      n++;
      if (r != null) {
        last = r;
        if (done.test(r)) {
          return new Poll(r.receivedNanos(), n, r);
        }
      }
      if (System.nanoTime() - start > timeoutNanos) {
        return new Poll(-1, n, last);
      }
      long wait = sent + POLL_NANOS - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
    }
  }

  static Predicate<Reply> answers(String... ips) {
    List<String> want = new ArrayList<>(List.of(ips));
    want.sort(null);
    return r -> r.noerror() && r.addresses().equals(want);
  }

  @Override
  public void close() {
    socket.close();
  }
}
