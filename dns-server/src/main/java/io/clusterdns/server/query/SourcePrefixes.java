package io.clusterdns.server.query;

import io.clusterdns.config.corefile.AclPlugin;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * A set of IPv4 and IPv6 prefixes built once from configuration, asked per query whether a client address lies in
 * one of them ({@code acl}'s {@code net} sources). Per family the networks are grouped by prefix length; each group
 * is a sorted array of masked networks, so a lookup is one mask and one binary search per distinct length (a
 * handful), with no allocation, hashing of objects or locks. IPv4 clients never match IPv6 prefixes and the other
 * way round, as in CoreDNS's {@code iptree}.
 *
 * <p>Immutable; shared by every event loop.
 */
final class SourcePrefixes {
  /** Per distinct IPv4 prefix length, longest first: the netmask and the sorted masked networks. */
  private final int[] v4Masks;
  private final int[][] v4Networks;
  /** Per distinct IPv6 prefix length, longest first: the two 64-bit halves of the mask and the networks. */
  private final long[] v6MaskHi;
  private final long[] v6MaskLo;
  /** Networks of one IPv6 length as (hi, lo) pairs sorted by hi then lo (unsigned), flattened. */
  private final long[][] v6Networks;

  SourcePrefixes(List<AclPlugin.Prefix> prefixes) {
    TreeMap<Integer, List<Integer>> v4 = new TreeMap<>((a, b) -> b - a);
    TreeMap<Integer, List<long[]>> v6 = new TreeMap<>((a, b) -> b - a);
    for (AclPlugin.Prefix p : prefixes) {
      byte[] n = p.network();
      if (n.length == 4) {
        v4.computeIfAbsent(p.length(), k -> new ArrayList<>()).add(v4(n));
      } else {
        v6.computeIfAbsent(p.length(), k -> new ArrayList<>()).add(new long[] {half(n, 0), half(n, 8)});
      }
    }
    v4Masks = new int[v4.size()];
    v4Networks = new int[v4.size()][];
    int i = 0;
    for (var e : v4.entrySet()) {
      v4Masks[i] = v4Mask(e.getKey());
      v4Networks[i] = e.getValue().stream().mapToInt(Integer::intValue).sorted().distinct().toArray();
      i++;
    }
    v6MaskHi = new long[v6.size()];
    v6MaskLo = new long[v6.size()];
    v6Networks = new long[v6.size()][];
    i = 0;
    for (var e : v6.entrySet()) {
      int len = e.getKey();
      v6MaskHi[i] = len == 0 ? 0 : len >= 64 ? -1L : -1L << (64 - len);
      v6MaskLo[i] = len <= 64 ? 0 : len == 128 ? -1L : -1L << (128 - len);
      List<long[]> nets = new ArrayList<>(e.getValue());
      nets.sort(SourcePrefixes::compare);
      long[] flat = new long[nets.size() * 2];
      for (int k = 0; k < nets.size(); k++) {
        flat[2 * k] = nets.get(k)[0];
        flat[2 * k + 1] = nets.get(k)[1];
      }
      v6Networks[i] = flat;
      i++;
    }
  }

  /** @param address 4 or 16 bytes, as {@link java.net.InetAddress#getAddress()} gives them */
  boolean contains(byte[] address) {
    if (address.length == 4) {
      int a = v4(address);
      for (int i = 0; i < v4Masks.length; i++) {
        if (Arrays.binarySearch(v4Networks[i], a & v4Masks[i]) >= 0) {
          return true;
        }
      }
      return false;
    }
    long hi = half(address, 0);
    long lo = half(address, 8);
    for (int i = 0; i < v6MaskHi.length; i++) {
      if (search(v6Networks[i], hi & v6MaskHi[i], lo & v6MaskLo[i])) {
        return true;
      }
    }
    return false;
  }

  /** Binary search over (hi, lo) pairs. */
  private static boolean search(long[] pairs, long hi, long lo) {
    int low = 0;
    int high = pairs.length / 2 - 1;
    while (low <= high) {
      int mid = (low + high) >>> 1;
      int c = compare(pairs[2 * mid], pairs[2 * mid + 1], hi, lo);
      if (c < 0) {
        low = mid + 1;
      } else if (c > 0) {
        high = mid - 1;
      } else {
        return true;
      }
    }
    return false;
  }

  private static int compare(long[] a, long[] b) {
    return compare(a[0], a[1], b[0], b[1]);
  }

  private static int compare(long aHi, long aLo, long bHi, long bLo) {
    int c = Long.compareUnsigned(aHi, bHi);
    return c != 0 ? c : Long.compareUnsigned(aLo, bLo);
  }

  static int v4(byte[] a) {
    return (a[0] & 0xff) << 24 | (a[1] & 0xff) << 16 | (a[2] & 0xff) << 8 | (a[3] & 0xff);
  }

  static int v4Mask(int length) {
    return length == 0 ? 0 : -1 << (32 - length);
  }

  /** The big-endian 64-bit value of 8 address bytes from {@code off}. */
  static long half(byte[] a, int off) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = v << 8 | (a[off + i] & 0xff);
    }
    return v;
  }
}
