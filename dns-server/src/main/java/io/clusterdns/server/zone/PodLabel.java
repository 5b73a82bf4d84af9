package io.clusterdns.server.zone;

import io.clusterdns.index.IpAddress;

/**
 * Reads the address out of the first label of {@code <dashed-ip>.<ns>.pod.<zone>} (behaviours.md 8.2):
 * exactly three {@code -} and no {@code --} is IPv4, otherwise every {@code -} becomes {@code :} and the text
 * must be an IPv6 literal. Stateless; any thread.
 */
public final class PodLabel {
  /** Longest IPv6 text form with embedded IPv4 ({@code ffff:...:255.255.255.255}) is 45 characters. */
  private static final int MAX_TEXT = 45;

  private PodLabel() {}

  /** The address, or null if the label is not a dashed IP (the caller answers NXDOMAIN). */
  public static IpAddress parse(String label) {
    int n = label.length();
    if (n == 0 || n > MAX_TEXT) {
      return null;
    }
    int dashes = 0;
    boolean doubleDash = false;
    for (int i = 0; i < n; i++) {
      char c = label.charAt(i);
      if (c == '-') {
        dashes++;
        if (i > 0 && label.charAt(i - 1) == '-') {
          doubleDash = true;
        }
      } else if (!isHex(c)) {
        // Only digits and hex letters can be part of an address; checking here also keeps anything that
        // is not a literal away from InetAddress, which would otherwise try to resolve it as a host name.
        return null;
      }
    }
    if (dashes == 3 && !doubleDash) {
      return IpAddress.parse(label.replace('-', '.'));
    }
    if (dashes < 2) {
      return null; // an IPv6 literal has at least two colons
    }
    return IpAddress.parse(label.replace('-', ':'));
  }

  private static boolean isHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }
}
