package io.clusterdns.index;

import java.util.List;

/**
 * One address of a service's endpoints, as DNS sees it: the endpoint name it is reachable under
 * ({@code hostname}, else the dashed address; behaviours.md 4.3), the ports of the slice it came from, and that
 * slice's name (what {@code clusterdns explain} cites; the string the state holds anyway, so no copy).
 *
 * @param name the hostname (or pod name) the endpoint is named by, or null when it is named by its dashed
 *     address: {@link #name()} makes that form when asked, so 100,000 endpoints keep no 100,000 strings
 */
public record EndpointAddress(String name, IpAddress address, List<PortInfo> ports, String slice) {
  public EndpointAddress {
    ports = List.copyOf(ports);
  }

  /** The label this endpoint is reachable under: the stored name, else the dashed address. */
  @Override
  public String name() {
    return name != null ? name : address.dashed();
  }

  /** Whether {@link #name()} equals {@code label}, ignoring case, without making the dashed form. */
  public boolean named(String label) {
    return name != null ? name.equalsIgnoreCase(label) : address.isDashed(label);
  }
}
