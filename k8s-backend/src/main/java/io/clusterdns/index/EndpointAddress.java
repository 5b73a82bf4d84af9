package io.clusterdns.index;

import java.util.List;

/**
 * One address of a service's endpoints, as DNS sees it: the endpoint name it is reachable under
 * ({@code hostname}, else the dashed address; behaviours.md 4.3), the ports of the slice it came from, and that
 * slice's name (what {@code clusterdns explain} cites; the string the state holds anyway, so no copy).
 */
public record EndpointAddress(String name, IpAddress address, List<PortInfo> ports, String slice) {
  public EndpointAddress {
    ports = List.copyOf(ports);
  }
}
