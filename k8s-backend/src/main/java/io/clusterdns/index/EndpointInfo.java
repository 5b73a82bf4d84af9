package io.clusterdns.index;

import java.util.List;
import java.util.Objects;

/**
 * One endpoint of an EndpointSlice. A class rather than a record so that its one address is held without a
 * list ({@link OneOrMany}); equality is by value.
 */
public final class EndpointInfo {
  private final Object addresses;
  private final String hostname;
  private final boolean ready;
  private final String targetName;

  /**
   * @param ready {@code conditions.ready}, where unset counts as ready (behaviours.md 5.2)
   * @param hostname {@code hostname}, or null
   * @param targetName {@code targetRef.name} when it refers to a Pod, else null (for {@code endpoint_pod_names})
   */
  public EndpointInfo(List<IpAddress> addresses, String hostname, boolean ready, String targetName) {
    this.addresses = OneOrMany.of(addresses);
    this.hostname = hostname;
    this.ready = ready;
    this.targetName = targetName;
  }

  public List<IpAddress> addresses() {
    return OneOrMany.list(addresses);
  }

  public String hostname() {
    return hostname;
  }

  public boolean ready() {
    return ready;
  }

  public String targetName() {
    return targetName;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EndpointInfo e && ready == e.ready && addresses.equals(e.addresses)
        && Objects.equals(hostname, e.hostname) && Objects.equals(targetName, e.targetName);
  }

  @Override
  public int hashCode() {
    return Objects.hash(addresses, hostname, ready, targetName);
  }

  @Override
  public String toString() {
    return "EndpointInfo[addresses=" + addresses() + ", hostname=" + hostname + ", ready=" + ready
        + ", targetName=" + targetName + "]";
  }
}
