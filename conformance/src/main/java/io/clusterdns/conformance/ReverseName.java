package io.clusterdns.conformance;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Reverse-lookup names and RFC 5952 text for address literals. Stateless. */
final class ReverseName {

  private ReverseName() {}

  /** {@code 10.96.10.1} gives {@code 1.10.96.10.in-addr.arpa.}; IPv6 gives the 32-nibble ip6.arpa name. */
  static String of(String literal) {
    byte[] b = bytes(literal);
    StringBuilder sb = new StringBuilder();
    if (b.length == 4) {
      for (int i = 3; i >= 0; i--) {
        sb.append(b[i] & 0xff).append('.');
      }
      return sb.append("in-addr.arpa.").toString();
    }
    for (int i = 15; i >= 0; i--) {
      sb.append(Character.forDigit(b[i] & 0xf, 16)).append('.');
      sb.append(Character.forDigit((b[i] >> 4) & 0xf, 16)).append('.');
    }
    return sb.append("ip6.arpa.").toString();
  }

  /** RFC 5952 text (lowercase, longest zero run compressed), the form dig prints. */
  static String canonical(String literal) {
    byte[] b = bytes(literal);
    if (b.length == 4) {
      return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + "." + (b[3] & 0xff);
    }
    int[] g = new int[8];
    for (int i = 0; i < 8; i++) {
      g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLen = 1; // a single zero group is not compressed (RFC 5952 4.2.2)
    for (int i = 0; i < 8; ) {
      if (g[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && g[j] == 0) {
        j++;
      }
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        sb.append("::");
        i += bestLen - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
        sb.append(':');
      }
      sb.append(Integer.toHexString(g[i]));
    }
    return sb.toString();
  }

  static boolean isLiteral(String s) {
    try {
      bytes(s);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static byte[] bytes(String literal) {
    // Only literal syntax reaches InetAddress, so it never turns into a name lookup.
    boolean v6 = literal.indexOf(':') >= 0
        && literal.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':');
    boolean v4 = literal.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    if (!v6 && !v4) {
      throw new IllegalArgumentException("not an address literal: " + literal);
    }
    try {
      return InetAddress.getByName(literal).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an address literal: " + literal, e);
    }
  }
}
