package io.clusterdns.config.corefile;

import io.clusterdns.config.HostPort;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Readers for the argument types plugins share: Go-style durations, bounded integers, zones (with
 * CoreDNS's CIDR-to-reverse-zone rule) and IP addresses. Every failure names the token.
 *
 * <p>Stateless.
 */
final class CorefileValues {

  private CorefileValues() {}

  /** Most reverse zones one CIDR may expand to (a /17 becomes 128 /24 zones). */
  private static final int MAX_CIDR_ZONES = 256;

  /**
   * A Go {@code time.ParseDuration} value ({@code 5s}, {@code 1m30s}, {@code 500ms}, {@code 1.5h}; a bare
   * {@code 0}), which is what every CoreDNS duration option takes.
   */
  static Duration duration(Token t, String what) throws CorefileException {
    String s = t.text();
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    long nanos = 0;
    int i = 0;
    boolean any = false;
    try {
      while (i < s.length()) {
        int start = i;
        while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
          i++;
        }
        int unitStart = i;
        while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
          i++;
        }
        if (start == unitStart || unitStart == i) {
          throw new NumberFormatException();
        }
        BigDecimal number = new BigDecimal(s.substring(start, unitStart));
        long unit = switch (s.substring(unitStart, i)) {
          case "ns" -> 1L;
          case "us", "\u00b5s", "\u03bcs" -> 1_000L;
          case "ms" -> 1_000_000L;
          case "s" -> 1_000_000_000L;
          case "m" -> 60_000_000_000L;
          case "h" -> 3_600_000_000_000L;
          default -> throw new NumberFormatException();
        };
        nanos = Math.addExact(nanos, number.multiply(BigDecimal.valueOf(unit)).longValueExact());
        any = true;
      }
    } catch (NumberFormatException | ArithmeticException e) {
      any = false;
    }
    if (!any) {
      throw CorefileException.at(t, "bad duration '" + s + "' for " + what
          + " (expected e.g. 5s, 500ms, 1m30s)");
    }
    return Duration.ofNanos(nanos);
  }

  /** A duration of at least {@code min}. */
  static Duration duration(Token t, String what, Duration min) throws CorefileException {
    Duration d = duration(t, what);
    if (d.compareTo(min) < 0) {
      throw CorefileException.at(t, what + " must be at least " + text(min) + ", not " + t.text());
    }
    return d;
  }

  static int integer(Token t, String what, int min, int max) throws CorefileException {
    long v;
    try {
      v = Long.parseLong(t.text());
    } catch (NumberFormatException e) {
      throw CorefileException.at(t, what + " must be a whole number, not '" + t.text() + "'");
    }
    if (v < min || v > max) {
      throw CorefileException.at(t, what + " must be between " + min + " and " + max + ", not " + v);
    }
    return (int) v;
  }

  /** True if the text is a whole decimal number (as CoreDNS's {@code strconv.Atoi} would accept). */
  static boolean isInteger(String s) {
    if (s.isEmpty() || s.length() > 9) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (!Character.isDigit(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /**
   * The zone(s) a zone argument names: absolute and lowercase; a CIDR ({@code 10.0.0.0/17}) becomes its
   * reverse zones, the prefix rounded up to a label boundary (8 bits for IPv4, 4 for IPv6), as CoreDNS's
   * {@code plugin.Host.NormalizeExact} does.
   */
  static List<String> zones(Token t) throws CorefileException {
    String s = t.text();
    int slash = s.indexOf('/');
    if (slash < 0) {
      return List.of(zone(t, s));
    }
    String ip = s.substring(0, slash);
    int bits;
    try {
      bits = Integer.parseInt(s.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw CorefileException.at(t, "bad CIDR '" + s + "': prefix length is not a number");
    }
    byte[] addr = ipBytes(ip);
    if (addr == null || bits < 0 || bits > addr.length * 8) {
      throw CorefileException.at(t, "bad CIDR '" + s + "'");
    }
    int step = addr.length == 4 ? 8 : 4;
    int rounded = (bits + step - 1) / step * step;
    int count = 1 << (rounded - bits);
    if (count > MAX_CIDR_ZONES) {
      throw CorefileException.at(t, "CIDR '" + s + "' expands to " + count + " reverse zones; at most "
          + MAX_CIDR_ZONES + " are allowed");
    }
    List<String> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      byte[] a = addr.clone();
      // clear host bits beyond the given prefix, then set the i-th sub-network
      for (int b = bits; b < a.length * 8; b++) {
        a[b / 8] &= (byte) ~(0x80 >>> (b % 8));
      }
      for (int b = 0; b < rounded - bits; b++) {
        if ((i >>> (rounded - bits - 1 - b) & 1) != 0) {
          int bit = bits + b;
          a[bit / 8] |= (byte) (0x80 >>> (bit % 8));
        }
      }
      out.add(reverseZone(a, rounded));
    }
    return out;
  }

  private static String reverseZone(byte[] a, int prefix) {
    StringBuilder b = new StringBuilder();
    if (a.length == 4) {
      for (int i = prefix / 8 - 1; i >= 0; i--) {
        b.append(a[i] & 0xff).append('.');
      }
      return b.append("in-addr.arpa.").toString();
    }
    for (int n = prefix / 4 - 1; n >= 0; n--) {
      int nibble = (a[n / 2] >>> (n % 2 == 0 ? 4 : 0)) & 0xf;
      b.append(Character.forDigit(nibble, 16)).append('.');
    }
    return b.append("ip6.arpa.").toString();
  }

  /** One DNS name made absolute and lowercase, with a basic shape check. */
  static String zone(Token t, String s) throws CorefileException {
    String n = s.toLowerCase(Locale.ROOT);
    if (n.equals(".")) {
      return n;
    }
    String body = n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    if (body.isEmpty() || body.length() > 253) {
      throw CorefileException.at(t, "bad zone '" + s + "'");
    }
    for (String label : body.split("\\.", -1)) {
      if (label.isEmpty() || label.length() > 63) {
        throw CorefileException.at(t, "bad zone '" + s + "': empty or over-long label");
      }
      for (int i = 0; i < label.length(); i++) {
        char c = label.charAt(i);
        if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '*')) {
          throw CorefileException.at(t, "bad zone '" + s + "': character '" + c + "' is not allowed");
        }
      }
    }
    return body + ".";
  }

  /** A listen address: {@code HOST:PORT}, {@code :PORT}, {@code [V6]:PORT}; the port is required. */
  static HostPort listenAddress(Token t, String what) throws CorefileException {
    HostPort hp;
    try {
      hp = HostPort.parse(t.text(), -1);
    } catch (IllegalArgumentException e) {
      throw CorefileException.at(t, "bad address '" + t.text() + "' for " + what + ": " + e.getMessage());
    } catch (RuntimeException e) {
      throw CorefileException.at(t, "bad address '" + t.text() + "' for " + what);
    }
    if (hp.port() <= 0) {
      throw CorefileException.at(t, "bad address '" + t.text() + "' for " + what + ": expected HOST:PORT or :PORT");
    }
    return hp;
  }

  /** The 4 or 16 bytes of an IP literal (IPv6 zone id allowed and ignored), or null if it is not one. */
  static byte[] ipBytes(String s) {
    int pct = s.indexOf('%');
    String ip = pct >= 0 ? s.substring(0, pct) : s;
    if (ip.indexOf(':') < 0) {
      return ipv4(ip);
    }
    return ipv6(ip);
  }

  private static byte[] ipv4(String s) {
    String[] parts = s.split("\\.", -1);
    if (parts.length != 4) {
      return null;
    }
    byte[] out = new byte[4];
    for (int i = 0; i < 4; i++) {
      String p = parts[i];
      if (p.isEmpty() || p.length() > 3 || !isInteger(p)) {
        return null;
      }
      int v = Integer.parseInt(p);
      if (v > 255) {
        return null;
      }
      out[i] = (byte) v;
    }
    return out;
  }

  private static byte[] ipv6(String s) {
    int dbl = s.indexOf("::");
    if (dbl >= 0 && s.indexOf("::", dbl + 1) >= 0) {
      return null;
    }
    List<Integer> head = new ArrayList<>();
    List<Integer> tail = new ArrayList<>();
    if (dbl >= 0) {
      if (!groups(s.substring(0, dbl), head) || !groups(s.substring(dbl + 2), tail)) {
        return null;
      }
    } else if (!groups(s, head)) {
      return null;
    }
    int total = head.size() + tail.size();
    if (total > 8 || (dbl < 0 && total != 8) || (dbl >= 0 && total == 8)) {
      return null;
    }
    byte[] out = new byte[16];
    for (int i = 0; i < head.size(); i++) {
      out[2 * i] = (byte) (head.get(i) >>> 8);
      out[2 * i + 1] = (byte) (int) head.get(i);
    }
    for (int i = 0; i < tail.size(); i++) {
      int g = 8 - tail.size() + i;
      out[2 * g] = (byte) (tail.get(i) >>> 8);
      out[2 * g + 1] = (byte) (int) tail.get(i);
    }
    return out;
  }

  /** 16-bit groups of one side of an IPv6 literal; a trailing dotted quad counts as two groups. */
  private static boolean groups(String s, List<Integer> out) {
    if (s.isEmpty()) {
      return true;
    }
    String[] parts = s.split(":", -1);
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i];
      if (i == parts.length - 1 && p.indexOf('.') >= 0) {
        byte[] v4 = ipv4(p);
        if (v4 == null) {
          return false;
        }
        out.add((v4[0] & 0xff) << 8 | (v4[1] & 0xff));
        out.add((v4[2] & 0xff) << 8 | (v4[3] & 0xff));
        continue;
      }
      if (p.isEmpty() || p.length() > 4 || Character.digit(p.charAt(0), 16) < 0) {
        return false;
      }
      try {
        out.add(Integer.parseInt(p, 16));
      } catch (NumberFormatException e) {
        return false;
      }
    }
    return true;
  }

  /** A duration as an operator writes it, for messages. */
  static String text(Duration d) {
    if (d.toMillis() % 1000 != 0) {
      return d.toMillis() + "ms";
    }
    return d.toSeconds() + "s";
  }
}
