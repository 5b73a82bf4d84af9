package io.clusterdns.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Picks loopback ports free for both TCP and UDP (a DNS listener needs both). Stateless. */
final class FreePorts {

  private FreePorts() {}

  /** Bounded: gives up after 50 tries. The port is released before return, so a small race remains. */
  static int pick() {
    InetAddress lo = InetAddress.getLoopbackAddress();
    for (int i = 0; i < 50; i++) {
      try (ServerSocket tcp = new ServerSocket(0, 1, lo)) {
        int port = tcp.getLocalPort();
        try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(lo, port))) {
          return port;
        } catch (IOException busy) {
          // UDP side taken: try another port.
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    throw new IllegalStateException("no free loopback port for TCP and UDP after 50 tries");
  }
}
