package io.clusterdns.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class AddressMapTest {

  @Test
  void replacesWholeLiteralsAndTheirReverseNames() {
    AddressMap m = new AddressMap(Map.of("10.96.10.1", "10.100.0.7", "fd00:10:96::2", "fd12::9"), "cluster.local");
    assertEquals("x:10.100.0.7\tw 30 IN A 10.100.0.7 | 10.96.10.10 | 110.96.10.1",
        m.apply("x:10.96.10.1\tw 30 IN A 10.96.10.1 | 10.96.10.10 | 110.96.10.1"));
    assertEquals("7.0.100.10.IN-ADDR.ARPA", m.apply("1.10.96.10.IN-ADDR.ARPA"));
    assertEquals("a 30 IN AAAA fd12::9", m.apply("a 30 IN AAAA fd00:10:96::2"));
  }

  @Test
  void rewritesTheClusterDomain() {
    assertEquals("web.conf-a.svc.k8s.example.", AddressMap.identity("k8s.example").apply("web.conf-a.svc.cluster.local."));
  }

  @Test
  void reverseNamesAndCanonicalText() {
    assertEquals("1.10.96.10.in-addr.arpa.", ReverseName.of("10.96.10.1"));
    assertEquals("0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.3.0.0.0.4.4.2.0.0.1.0.0.0.0.d.f.ip6.arpa.",
        ReverseName.of("fd00:10:244:3::"));
    assertEquals("fd00:10:244:3::", ReverseName.canonical("fd00:0010:0244:0003:0:0:0:0"));
    assertEquals("2001:db8:0:1::1", ReverseName.canonical("2001:db8:0:1:0:0:0:1"));
    assertEquals("::1", ReverseName.canonical("0:0:0:0:0:0:0:1"));
  }
}
