package io.clusterdns.config.corefile;

import java.util.Arrays;
import java.util.List;

/**
 * One {@code acl [ZONES...] { ACTION [type QTYPE...] [net SOURCE...] ... }} directive (CoreDNS's {@code plugin/acl}):
 * for a query whose name is under {@link #zones}, the first policy whose types and source prefixes both match
 * decides. {@code allow} lets the query on and ends every acl of the block; {@code block} answers REFUSED,
 * {@code filter} NOERROR with no records, {@code drop} nothing at all. A query no policy matches goes on to the next
 * acl of the block, and is allowed after the last one. A block may hold several acl directives, checked in written
 * order.
 *
 * @param zones absolute, lowercase; the block's zones when none are given
 * @param policies in written order
 * @param line line of the {@code acl} word
 */
public record AclPlugin(List<String> zones, List<Policy> policies, int line) {

  public AclPlugin {
    zones = List.copyOf(zones);
    policies = List.copyOf(policies);
  }

  /** What a matching policy does with the query. */
  public enum Action { ALLOW, BLOCK, FILTER, DROP }

  /**
   * One line of the acl block.
   *
   * @param action what happens to a matching query
   * @param types query type mnemonics in upper case ({@code A}, {@code AAAA}, {@code TYPE65}); empty = every type
   *     ({@code type *} or no {@code type} section)
   * @param sources source prefixes; empty = every IPv4 and IPv6 address ({@code net *} or no {@code net} section)
   * @param line line of the action word
   */
  public record Policy(Action action, List<String> types, List<Prefix> sources, int line) {
    public Policy {
      types = List.copyOf(types);
      sources = List.copyOf(sources);
    }
  }

  /**
   * An address prefix, host bits cleared (Go's {@code net.ParseCIDR} masks them the same way).
   *
   * @param network 4 or 16 bytes
   * @param length prefix length in bits, 0-32 or 0-128
   */
  public record Prefix(byte[] network, int length) {
    public Prefix {
      network = network.clone();
      if (length < 0 || length > network.length * 8) {
        throw new IllegalArgumentException("prefix length " + length + " out of range for " + network.length
            + " bytes");
      }
      for (int b = length; b < network.length * 8; b++) {
        network[b / 8] &= (byte) ~(0x80 >>> (b % 8));
      }
    }

    @Override
    public byte[] network() {
      return network.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Prefix p && p.length == length && Arrays.equals(p.network, network);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(network) * 31 + length;
    }

    @Override
    public String toString() {
      StringBuilder b = new StringBuilder();
      if (network.length == 4) {
        for (int i = 0; i < 4; i++) {
          b.append(i == 0 ? "" : ".").append(network[i] & 0xff);
        }
      } else {
        for (int i = 0; i < 16; i += 2) {
          b.append(i == 0 ? "" : ":").append(Integer.toHexString((network[i] & 0xff) << 8 | (network[i + 1] & 0xff)));
        }
      }
      return b.append('/').append(length).toString();
    }
  }
}
