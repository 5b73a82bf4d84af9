package io.clusterdns.index;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An endpoint named by its dashed address is matched without making the dashed string
 * ({@link IpAddress#isDashed}), and must match exactly the labels {@link IpAddress#dashed()} gives
 * (behaviours.md 4.3).
 */
class IpAddressTest {
  @Test
  void isDashedAgreesWithDashed() {
    List<String> labels = List.of("10-1-2-3", "10-1-2-30", "10-01-2-3", "10-1-2", "10-1-2-3-4", "10-1-2-3x",
        "10.1.2.3", "", "-10-1-2-3", "10-1--2-3", "1000-1-2-3", "0-0-0-0", "255-255-255-255", "10-1-2-03",
        "fd00--5", "FD00--5", "2001-db8--0");
    for (String address : List.of("10.1.2.3", "10.1.2.30", "0.0.0.0", "255.255.255.255", "fd00::5",
        "2001:db8::")) {
      IpAddress a = IpAddress.parse(address);
      for (String label : labels) {
        assertEquals(a.dashed().equalsIgnoreCase(label), a.isDashed(label), address + " vs " + label);
      }
    }
  }

  @Test
  void anEndpointWithoutAHostnameIsNamedByItsDashedAddress() {
    EndpointAddress e = new EndpointAddress(null, IpAddress.parse("10.244.2.2"), List.of(), "s");
    assertEquals("10-244-2-2", e.name());
    assertEquals(true, e.named("10-244-2-2"));
    assertEquals(false, e.named("web-0"));
    EndpointAddress named = new EndpointAddress("Web-0", IpAddress.parse("10.244.2.2"), List.of(), "s");
    assertEquals(true, named.named("web-0"));
    assertEquals(false, named.named("10-244-2-2"));
  }
}
