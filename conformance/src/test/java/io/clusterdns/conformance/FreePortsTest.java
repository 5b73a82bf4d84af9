package io.clusterdns.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Ports for child processes: distinct, free for UDP and TCP, and picked again when a child found one taken. */
class FreePortsTest {

  @Test
  void picksDistinctPortsFreeForBothUdpAndTcp() throws IOException {
    List<Integer> ports = FreePorts.pick(4);
    assertEquals(4, new HashSet<>(ports).size(), ports.toString());
    InetAddress lo = InetAddress.getLoopbackAddress();
    for (int p : ports) {
      try (ServerSocket tcp = new ServerSocket(p, 1, lo);
          DatagramSocket udp = new DatagramSocket(new InetSocketAddress(lo, p))) {
        assertEquals(p, udp.getLocalPort());
      }
    }
  }

  @Test
  void aStartThatFoundItsPortTakenIsRetriedOnFreshPorts() throws IOException {
    List<List<Integer>> tried = new ArrayList<>();
    String result = FreePorts.startOn(2, ports -> {
      tried.add(ports);
      if (tried.size() == 1) {
        throw new FreePorts.PortTakenException("cannot listen on 127.0.0.1:" + ports.get(0)
            + ": address already in use");
      }
      return "started";
    });
    assertEquals("started", result);
    assertEquals(2, tried.size());
    assertNotEquals(tried.get(0), tried.get(1));
  }

  @Test
  void otherStartFailuresAreNotRetriedAndRetriesAreBounded() {
    List<List<Integer>> tried = new ArrayList<>();
    assertThrows(IllegalArgumentException.class, () -> FreePorts.startOn(1, ports -> {
      tried.add(ports);
      throw new IllegalArgumentException("bad flag");
    }));
    assertEquals(1, tried.size());

    tried.clear();
    assertThrows(IllegalStateException.class, () -> FreePorts.startOn(1, ports -> {
      tried.add(ports);
      throw new FreePorts.PortTakenException("address already in use");
    }));
    assertEquals(FreePorts.START_ATTEMPTS, tried.size());
  }
}
