package io.clusterdns.conformance;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Loopback ports free for both TCP and UDP (a DNS listener needs both), for child processes that must be told
 * their ports. A picked port is released before the child binds it, so another process can take it in
 * between; {@link #startOn} starts again on fresh ports when that happened. Stateless.
 */
final class FreePorts {

  /** Starts tried before giving up on ports taken between the pick and the child's bind. */
  static final int START_ATTEMPTS = 4;

  private FreePorts() {}

  /** Something started on given ports; fails with {@link PortTakenException} when one of them was taken. */
  interface Start<T> {
    T on(List<Integer> ports) throws IOException;
  }

  /** A child process exited because a port it was given was in use. */
  static final class PortTakenException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    PortTakenException(String message) {
      super(message);
    }
  }

  /**
   * Runs {@code start} on {@code count} fresh ports, again on fresh ports (at most {@value #START_ATTEMPTS} times
   * in all) while it fails with {@link PortTakenException}.
   */
  static <T> T startOn(int count, Start<T> start) throws IOException {
    PortTakenException last = null;
    for (int attempt = 0; attempt < START_ATTEMPTS; attempt++) {
      try {
        return start.on(pick(count));
      } catch (PortTakenException e) {
        last = e;
      }
    }
    throw new IllegalStateException("a picked port was taken " + START_ATTEMPTS + " times in a row", last);
  }

  /**
   * {@code count} distinct ports. All are held until every one is found, so they differ from each other.
   * Bounded: gives up after 50 tries per port.
   */
  static List<Integer> pick(int count) {
    InetAddress lo = InetAddress.getLoopbackAddress();
    List<AutoCloseable> held = new ArrayList<>();
    List<Integer> ports = new ArrayList<>();
    try {
      for (int tries = 0; ports.size() < count; tries++) {
        if (tries >= 50 * count) {
          throw new IllegalStateException("no " + count + " free loopback ports for TCP and UDP after "
              + tries + " tries");
        }
        ServerSocket tcp = new ServerSocket();
        held.add(tcp);
        tcp.setReuseAddress(false); // skip ports still in TIME_WAIT, which a child's bind may refuse
        tcp.bind(new InetSocketAddress(lo, 0), 1);
        try {
          held.add(new DatagramSocket(new InetSocketAddress(lo, tcp.getLocalPort())));
          ports.add(tcp.getLocalPort());
        } catch (IOException udpTaken) {
          // The TCP socket stays held, so the next try gets another port.
        }
      }
      return ports;
    } catch (IOException e) {
      throw new IllegalStateException("cannot bind a loopback port", e);
    } finally {
      for (AutoCloseable c : held) {
        try {
          c.close();
        } catch (Exception ignored) {
          // a probe socket
        }
      }
    }
  }
}
