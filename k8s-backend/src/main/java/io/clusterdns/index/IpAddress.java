package io.clusterdns.index;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 or IPv6 address held as primitives: the index keeps hundreds of thousands of them, and an
 * {@link InetAddress} costs several objects each. An IPv4 address is its own class holding one int (16 bytes
 * an object instead of 32: 4.6 MB at 100,000 services + 100,000 pods); seen through {@link #hi()} and
 * {@link #lo()}, IPv4 lives in the low 32 bits of {@code lo}. Equality and hashing are by value, so slim
 * records that hold addresses compare by content.
 */
public abstract sealed class IpAddress implements Comparable<IpAddress> permits IpAddress.V4, IpAddress.V6 {

  private IpAddress() {}

  /** The address with these bits: IPv4 in the low 32 bits of {@code lo} (and {@code hi} 0). */
  public static IpAddress of(boolean v6, long hi, long lo) {
    return v6 ? new V6(hi, lo) : new V4((int) lo);
  }

  public abstract boolean v6();

  public abstract long hi();

  public abstract long lo();

  @Override
  public final boolean equals(Object o) {
    return o instanceof IpAddress a && a.v6() == v6() && a.hi() == hi() && a.lo() == lo();
  }

  @Override
  public final int hashCode() {
    return (Long.hashCode(hi()) * 31 + Long.hashCode(lo())) * 2 + (v6() ? 1 : 0);
  }

  static final class V4 extends IpAddress {
    private final int bits;

    V4(int bits) {
      this.bits = bits;
    }

    @Override
    public boolean v6() {
      return false;
    }

    @Override
    public long hi() {
      return 0;
    }

    @Override
    public long lo() {
      return bits & 0xffffffffL;
    }
  }

  static final class V6 extends IpAddress {
    private final long hi;
    private final long lo;

    V6(long hi, long lo) {
      this.hi = hi;
      this.lo = lo;
    }

    @Override
    public boolean v6() {
      return true;
    }

    @Override
    public long hi() {
      return hi;
    }

    @Override
    public long lo() {
      return lo;
    }
  }

  /** Parses a textual IPv4 or IPv6 literal; never resolves a name. Returns null if it is not a literal. */
  public static IpAddress parse(String text) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    if (text.indexOf(':') < 0) {
      return parseV4(text);
    }
    return parseV6(text);
  }

  public static IpAddress ofBytes(byte[] b) {
    if (b.length == 4) {
      long v = ((b[0] & 0xffL) << 24) | ((b[1] & 0xffL) << 16) | ((b[2] & 0xffL) << 8) | (b[3] & 0xffL);
      return new V4((int) v);
    }
    if (b.length == 16) {
      long h = 0;
      long l = 0;
      for (int i = 0; i < 8; i++) {
        h = (h << 8) | (b[i] & 0xffL);
        l = (l << 8) | (b[i + 8] & 0xffL);
      }
      return new V6(h, l);
    }
    throw new IllegalArgumentException("address must be 4 or 16 bytes, got " + b.length);
  }

  private static IpAddress parseV4(String s) {
    long v = 0;
    int parts = 0;
    int i = 0;
    int n = s.length();
    while (i < n) {
      int start = i;
      int octet = 0;
      while (i < n && s.charAt(i) != '.') {
        char c = s.charAt(i);
        if (c < '0' || c > '9' || i - start >= 3) {
          return null;
        }
        octet = octet * 10 + (c - '0');
        i++;
      }
      if (i == start || octet > 255 || (i - start > 1 && s.charAt(start) == '0')) {
        return null;
      }
      v = (v << 8) | octet;
      parts++;
      if (i < n) {
        i++; // skip '.'
        if (i == n) {
          return null;
        }
      }
    }
    return parts == 4 ? new V4((int) v) : null;
  }

  private static IpAddress parseV6(String s) {
    // Only literal syntax is accepted (no zone ids); InetAddress does not resolve literals it recognises.
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
      if (!ok) {
        return null;
      }
    }
    try {
      byte[] b = InetAddress.getByName(s).getAddress();
      if (b.length == 4) {
        // An IPv4-mapped literal such as ::ffff:1.2.3.4 comes back as 4 bytes; keep it IPv6.
        byte[] m = new byte[16];
        m[10] = (byte) 0xff;
        m[11] = (byte) 0xff;
        System.arraycopy(b, 0, m, 12, 4);
        return ofBytes(m);
      }
      return ofBytes(b);
    } catch (UnknownHostException | RuntimeException e) {
      return null;
    }
  }

  public byte[] toBytes() {
    if (!v6()) {
      return new byte[] {(byte) (lo() >>> 24), (byte) (lo() >>> 16), (byte) (lo() >>> 8), (byte) lo()};
    }
    byte[] b = new byte[16];
    for (int i = 0; i < 8; i++) {
      b[i] = (byte) (hi() >>> (56 - 8 * i));
      b[i + 8] = (byte) (lo() >>> (56 - 8 * i));
    }
    return b;
  }

  public InetAddress toInetAddress() {
    try {
      return InetAddress.getByAddress(toBytes());
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e); // cannot happen for 4 or 16 bytes
    }
  }

  /**
   * The endpoint-name form of this address (behaviours.md 4.3): IPv4 dots become dashes; IPv6 colons
   * become dashes in the compressed text form, and a leading or trailing dash gets a {@code 0} so the label
   * is a valid hostname ({@code 2001:db8::} becomes {@code 2001-db8--0}).
   */
  public String dashed() {
    String t = toString();
    if (!v6()) {
      return t.replace('.', '-');
    }
    String d = t.replace(':', '-');
    if (d.startsWith("-")) {
      d = "0" + d;
    }
    if (d.endsWith("-")) {
      d = d + "0";
    }
    return d;
  }

  /** Whether {@code label} is {@link #dashed()}, ignoring case; for IPv4 without making the string. */
  public boolean isDashed(String label) {
    if (v6()) {
      return dashed().equalsIgnoreCase(label);
    }
    int i = 0;
    int n = label.length();
    for (int shift = 24; shift >= 0; shift -= 8) {
      int v = 0;
      int digits = 0;
      while (i < n && label.charAt(i) >= '0' && label.charAt(i) <= '9') {
        v = v * 10 + label.charAt(i++) - '0';
        if (++digits > 3) {
          return false;
        }
      }
      // as toString() writes them: no leading zeros
      if (digits == 0 || v != ((lo() >>> shift) & 0xff) || (digits > 1 && label.charAt(i - digits) == '0')) {
        return false;
      }
      if (shift > 0) {
        if (i >= n || label.charAt(i++) != '-') {
          return false;
        }
      }
    }
    return i == n;
  }

  /** Compressed textual form (RFC 5952 for IPv6). */
  @Override
  public String toString() {
    if (!v6()) {
      return ((lo() >>> 24) & 0xff) + "." + ((lo() >>> 16) & 0xff) + "." + ((lo() >>> 8) & 0xff) + "." + (lo() & 0xff);
    }
    int[] g = new int[8];
    for (int i = 0; i < 4; i++) {
      g[i] = (int) ((hi() >>> (48 - 16 * i)) & 0xffff);
      g[i + 4] = (int) ((lo() >>> (48 - 16 * i)) & 0xffff);
    }
    // RFC 5952 4.2: the longest run of two or more zero groups, the first one on a tie, becomes "::".
    int bestStart = -1;
    int bestLen = 1;
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
    StringBuilder sb = new StringBuilder(39);
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

  @Override
  public int compareTo(IpAddress o) {
    if (v6() != o.v6()) {
      return v6() ? 1 : -1;
    }
    int c = Long.compareUnsigned(hi(), o.hi());
    return c != 0 ? c : Long.compareUnsigned(lo(), o.lo());
  }
}
