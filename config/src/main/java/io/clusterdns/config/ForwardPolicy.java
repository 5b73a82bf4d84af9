package io.clusterdns.config;

/** Order in which a forwarder tries its upstreams (CoreDNS {@code forward ... policy}; behaviours.md 11.1). */
public enum ForwardPolicy {
  /** A fresh random order per query (CoreDNS default). */
  RANDOM,
  /** Each query starts one upstream further than the previous one. */
  ROUND_ROBIN,
  /** Always in configured order: the first healthy upstream gets every query. */
  SEQUENTIAL;

  /** Parses the Corefile spelling ({@code random}, {@code round_robin}, {@code sequential}). */
  public static ForwardPolicy parse(String text) {
    for (ForwardPolicy p : values()) {
      if (p.name().equalsIgnoreCase(text)) {
        return p;
      }
    }
    throw new IllegalArgumentException(
        "policy must be random, round_robin or sequential, not '" + text + "'");
  }
}
