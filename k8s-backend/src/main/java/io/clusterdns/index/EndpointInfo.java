package io.clusterdns.index;

import java.util.List;

/**
 * One endpoint of an EndpointSlice.
 *
 * @param ready {@code conditions.ready}, where unset counts as ready (behaviours.md 5.2)
 * @param hostname {@code hostname}, or null
 * @param targetName {@code targetRef.name} when it refers to a Pod, else null (for {@code endpoint_pod_names})
 */
public record EndpointInfo(List<IpAddress> addresses, String hostname, boolean ready, String targetName) {
  public EndpointInfo {
    addresses = List.copyOf(addresses);
  }
}
