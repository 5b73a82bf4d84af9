package io.clusterdns.config;

import java.util.List;

/**
 * The cluster zones and how they answer: the {@code kubernetes} block of a Corefile, or the flags.
 *
 * @param zones absolute, lowercase zone names the server is authoritative for, first the cluster domain
 *     ({@code cluster.local.}), then reverse zones ({@code in-addr.arpa.}, {@code ip6.arpa.}, or narrower ones)
 * @param ttl TTL of cluster answers in seconds, 0-3600 (behaviours.md 9.5)
 * @param fallthrough zones whose misses go on to the forwarder instead of NXDOMAIN; kubeadm:
 *     {@code in-addr.arpa. ip6.arpa.} (behaviours.md 7.4)
 * @param endpointPodNames name endpoints without hostname by their pod name (behaviours.md 4.3)
 */
public record KubernetesConfig(
    List<String> zones, PodsMode pods, int ttl, List<String> fallthrough, boolean endpointPodNames) {

  /** TTL of cluster answers when nothing sets it; the kubeadm Corefile's {@code ttl 30}. */
  public static final int DEFAULT_TTL = 30;

  /** Highest TTL CoreDNS accepts for {@code ttl}. */
  public static final int MAX_TTL = 3600;

  public KubernetesConfig {
    zones = List.copyOf(zones);
    fallthrough = List.copyOf(fallthrough);
    if (zones.isEmpty()) {
      throw new IllegalArgumentException("at least one zone is needed");
    }
    if (ttl < 0 || ttl > MAX_TTL) {
      throw new IllegalArgumentException("ttl must be between 0 and " + MAX_TTL + " seconds, not " + ttl);
    }
  }

  /** The kubeadm default: the cluster domain plus both reverse trees, reverse misses falling through. */
  public static KubernetesConfig kubeadm(String clusterDomain, PodsMode pods, int ttl) {
    return new KubernetesConfig(
        List.of(absolute(clusterDomain), "in-addr.arpa.", "ip6.arpa."),
        pods,
        ttl,
        List.of("in-addr.arpa.", "ip6.arpa."),
        false);
  }

  /** The cluster domain: the first zone that is not a reverse zone. */
  public String clusterDomain() {
    for (String z : zones) {
      if (!z.endsWith("in-addr.arpa.") && !z.endsWith("ip6.arpa.")) {
        return z;
      }
    }
    return zones.get(0);
  }

  public static String absolute(String name) {
    String n = name.trim().toLowerCase(java.util.Locale.ROOT);
    return n.endsWith(".") ? n : n + ".";
  }
}
