package io.clusterdns.config;

/** How {@code <dashed-ip>.<ns>.pod.<zone>} names are answered (CoreDNS {@code pods}; behaviours.md 8.3). */
public enum PodsMode {
  /** Answer the parsed address for any existing namespace, without looking at pods (kubeadm default). */
  INSECURE,
  /** Answer only if a non-terminating pod in that namespace has that IP; needs a Pod watch. */
  VERIFIED,
  /** No pod records: NXDOMAIN. */
  DISABLED;

  public static PodsMode parse(String text) {
    for (PodsMode m : values()) {
      if (m.name().equalsIgnoreCase(text)) {
        return m;
      }
    }
    throw new IllegalArgumentException("pods must be insecure, verified or disabled, not '" + text + "'");
  }
}
