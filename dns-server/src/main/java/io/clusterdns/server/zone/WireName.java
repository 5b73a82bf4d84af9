package io.clusterdns.server.zone;

import java.util.Arrays;

/** Zone membership of names in uncompressed wire form, without building a dnsjava {@code Name} (the fast path). */
public final class WireName {
  private WireName() {}

  /**
   * Whether {@code name} is at or below {@code zone}: it ends with the zone's bytes starting at one of its own
   * label boundaries (the root zone contains every name). Both lowercase, root label included.
   */
  public static boolean under(byte[] name, byte[] zone) {
    int start = name.length - zone.length;
    if (start < 0) {
      return false;
    }
    int pos = 0;
    while (pos < start) {
      pos += 1 + (name[pos] & 0xff);
    }
    return pos == start && Arrays.equals(name, start, name.length, zone, 0, zone.length);
  }
}
