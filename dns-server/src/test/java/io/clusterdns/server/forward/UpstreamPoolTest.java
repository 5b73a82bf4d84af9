package io.clusterdns.server.forward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clusterdns.config.ForwardPolicy;
import io.clusterdns.config.HostPort;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UpstreamPoolTest {

  private static final List<HostPort> THREE = List.of(
      new HostPort("192.0.2.1", 53), new HostPort("192.0.2.2", 53), new HostPort("192.0.2.3", 53));

  private static List<String> labels(Upstream[] order) {
    return java.util.Arrays.stream(order).map(Upstream::label).toList();
  }

  @Test
  void sequentialAlwaysTriesInConfiguredOrder() {
    UpstreamPool p = new UpstreamPool(THREE, ForwardPolicy.SEQUENTIAL, ForwardMetrics.unregistered());
    for (int i = 0; i < 3; i++) {
      assertEquals(List.of("192.0.2.1:53", "192.0.2.2:53", "192.0.2.3:53"), labels(p.order()));
    }
  }

  @Test
  void roundRobinStartsOneFurtherEachQuery() {
    UpstreamPool p = new UpstreamPool(THREE, ForwardPolicy.ROUND_ROBIN, ForwardMetrics.unregistered());
    assertEquals(List.of("192.0.2.1:53", "192.0.2.2:53", "192.0.2.3:53"), labels(p.order()));
    assertEquals(List.of("192.0.2.2:53", "192.0.2.3:53", "192.0.2.1:53"), labels(p.order()));
    assertEquals(List.of("192.0.2.3:53", "192.0.2.1:53", "192.0.2.2:53"), labels(p.order()));
    assertEquals(List.of("192.0.2.1:53", "192.0.2.2:53", "192.0.2.3:53"), labels(p.order()));
  }

  @Test
  void randomPutsEveryUpstreamFirstSometimesAndNeverDropsOne() {
    UpstreamPool p = new UpstreamPool(THREE, ForwardPolicy.RANDOM, ForwardMetrics.unregistered());
    Set<String> firsts = new HashSet<>();
    for (int i = 0; i < 300; i++) {
      List<String> order = labels(p.order());
      assertEquals(3, new HashSet<>(order).size());
      firsts.add(order.get(0));
    }
    assertEquals(3, firsts.size(), "each upstream goes first at times: " + firsts);
  }

  @Test
  void downUpstreamsAreLeftOutUnlessAllAreDown() {
    UpstreamPool p = new UpstreamPool(THREE, ForwardPolicy.SEQUENTIAL, ForwardMetrics.unregistered());
    Upstream first = p.upstreams().get(0);
    first.recordFailure();
    first.recordFailure();
    assertEquals(List.of("192.0.2.2:53", "192.0.2.3:53"), labels(p.order(2)));
    assertEquals(3, p.order(0).length, "max_fails 0 disables health: nobody is down");
    for (Upstream u : p.upstreams()) {
      u.recordFailure();
      u.recordFailure();
    }
    assertTrue(p.allDown(2));
    assertArrayEquals(p.order(), p.order(2), "all down: try them all anyway");
    first.recordSuccess();
    assertEquals(List.of("192.0.2.1:53"), labels(p.order(2)));
  }

  @Test
  void upstreamMustBeAnIpAddress() {
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> new Upstream(new HostPort("dns.google", 53), 0, ForwardMetrics.unregistered()));
    assertTrue(e.getMessage().contains("must be an IP address"));
  }
}
