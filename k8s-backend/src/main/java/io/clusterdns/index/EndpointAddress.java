package io.clusterdns.index;

import java.util.List;

/**
 * One ready address of a service's endpoints, as DNS sees it: the endpoint name it is reachable under
 * ({@code hostname}, else the dashed address; behaviours.md 4.3) and the ports of the slice it came from.
 */
public record EndpointAddress(String name, IpAddress address, List<PortInfo> ports) {
  public EndpointAddress {
    ports = List.copyOf(ports);
  }
}
