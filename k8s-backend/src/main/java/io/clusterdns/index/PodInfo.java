package io.clusterdns.index;

import java.util.List;

/**
 * The slim form of a Pod, kept only in {@code pods verified} mode.
 *
 * @param ips {@code status.podIPs}
 * @param terminating a deletion timestamp is set (such pods do not verify, behaviours.md 8.3)
 */
public record PodInfo(String namespace, String name, List<IpAddress> ips, boolean terminating) {
  public PodInfo {
    namespace = Interner.name(namespace);
    ips = List.copyOf(ips);
  }
}
