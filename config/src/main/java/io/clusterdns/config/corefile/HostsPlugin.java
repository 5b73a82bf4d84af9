package io.clusterdns.config.corefile;

import java.time.Duration;
import java.util.List;

/**
 * {@code hosts [FILE [ZONES...]] { INLINE...; ttl; no_reverse; reload; fallthrough }}: A, AAAA and PTR records from
 * {@code /etc/hosts}-style lines (CoreDNS's {@code plugin/hosts}, behaviours.md 11.9).
 *
 * @param file the hosts file, or null when only inline entries are used (CoreDNS reads {@code /etc/hosts} then,
 *     and serves nothing from it if it is missing; so does clusterdns)
 * @param zones names outside these zones are not answered (the block's zones by default)
 * @param inline entries written in the block, in order
 * @param ttl TTL of the records, seconds (default 3600)
 * @param noReverse no PTR records from the entries
 * @param reload how often the file is checked for changes; zero = never (default 5s)
 * @param fallthrough null = names in the zones that hosts does not know get SERVFAIL (CoreDNS has no SOA for
 *     an NXDOMAIN); empty = every such name goes on; else only names under these zones
 */
public record HostsPlugin(String file, List<String> zones, List<Entry> inline, int ttl, boolean noReverse,
    Duration reload, List<String> fallthrough) {

  /** CoreDNS's TTL of hosts records, seconds. */
  public static final int DEFAULT_TTL = 3600;

  /** CoreDNS's interval of hosts file checks. */
  public static final Duration DEFAULT_RELOAD = Duration.ofSeconds(5);

  public HostsPlugin {
    zones = List.copyOf(zones);
    inline = List.copyOf(inline);
    fallthrough = fallthrough == null ? null : List.copyOf(fallthrough);
  }

  /**
   * One line: an address and the names that resolve to it.
   *
   * @param address the IP address as 4 or 16 bytes
   * @param names absolute, lowercase
   */
  public record Entry(byte[] address, List<String> names) {
    public Entry {
      address = address.clone();
      names = List.copyOf(names);
    }

    @Override
    public byte[] address() {
      return address.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Entry e && java.util.Arrays.equals(address, e.address) && names.equals(e.names);
    }

    @Override
    public int hashCode() {
      return java.util.Arrays.hashCode(address) * 31 + names.hashCode();
    }
  }

  /**
   * Reads hosts-file text: {@code IP NAME...} per line, {@code #} comments; lines that do not start with an IP
   * address are skipped (as CoreDNS does), and so are names outside {@code zones}.
   */
  public static List<Entry> parseHostsFile(String text, List<String> zones) {
    List<Entry> out = new java.util.ArrayList<>();
    for (String line : text.split("\n")) {
      int hash = line.indexOf('#');
      if (hash >= 0) {
        line = line.substring(0, hash);
      }
      String[] f = line.trim().split("\\s+");
      if (f.length < 2) {
        continue;
      }
      byte[] ip = CorefileValues.ipBytes(f[0]);
      if (ip == null) {
        continue;
      }
      List<String> names = new java.util.ArrayList<>();
      for (int i = 1; i < f.length; i++) {
        String n = f[i].toLowerCase(java.util.Locale.ROOT);
        n = n.endsWith(".") ? n : n + ".";
        if (inZones(n, zones)) {
          names.add(n);
        }
      }
      if (!names.isEmpty()) {
        out.add(new Entry(ip, names));
      }
    }
    return out;
  }

  static boolean inZones(String name, List<String> zones) {
    for (String z : zones) {
      if (ServerBlock.isSubdomain(name, z)) {
        return true;
      }
    }
    return false;
  }
}
