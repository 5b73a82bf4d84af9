package io.clusterdns.server.zone;

import io.clusterdns.index.IpAddress;
import org.xbill.DNS.Name;

/**
 * Reads the address out of a reverse name: {@code d.c.b.a.in-addr.arpa.} (exactly four decimal labels,
 * 0-255, no leading zeros) or {@code <32 nibbles>.ip6.arpa.}. Anything else is not an address, which the
 * caller treats as a miss (behaviours.md 7.5). Stateless; any thread.
 */
public final class ReverseName {
  static final Name IN_ADDR_ARPA = Name.fromConstantString("in-addr.arpa.");
  static final Name IP6_ARPA = Name.fromConstantString("ip6.arpa.");

  /** Labels of a full IPv4 reverse name: four octets, {@code in-addr}, {@code arpa}, root. */
  private static final int V4_LABELS = 7;

  /** Labels of a full IPv6 reverse name: 32 nibbles, {@code ip6}, {@code arpa}, root. */
  private static final int V6_LABELS = 35;

  private ReverseName() {}

  /** The address {@code name} stands for, or null if it is not a complete, well-formed reverse name. */
  public static IpAddress parse(Name name) {
    int labels = name.labels();
    if (labels == V4_LABELS && name.subdomain(IN_ADDR_ARPA)) {
      long v = 0;
      for (int i = 3; i >= 0; i--) { // the leftmost label is the last octet
        int octet = octet(name.getLabel(i));
        if (octet < 0) {
          return null;
        }
        v = (v << 8) | octet;
      }
      return IpAddress.of(false, 0, v);
    }
    if (labels == V6_LABELS && name.subdomain(IP6_ARPA)) {
      long hi = 0;
      long lo = 0;
      for (int i = 31; i >= 0; i--) { // label 31 is the most significant nibble
        int nibble = nibble(name.getLabel(i));
        if (nibble < 0) {
          return null;
        }
        if (i >= 16) {
          hi = (hi << 4) | nibble;
        } else {
          lo = (lo << 4) | nibble;
        }
      }
      return IpAddress.of(true, hi, lo);
    }
    return null;
  }

  /** A decimal 0-255 without leading zeros ({@code 010} is malformed, CoreDNS dnsutil/reverse.go), or -1. */
  private static int octet(byte[] label) {
    int len = label[0];
    if (len < 1 || len > 3 || (len > 1 && label[1] == '0')) {
      return -1;
    }
    int v = 0;
    for (int i = 1; i <= len; i++) {
      int c = label[i];
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v <= 255 ? v : -1;
  }

  /** One hexadecimal digit, either case, or -1. */
  private static int nibble(byte[] label) {
    if (label[0] != 1) {
      return -1;
    }
    int c = label[1];
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }
}
