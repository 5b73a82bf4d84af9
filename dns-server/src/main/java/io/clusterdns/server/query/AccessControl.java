package io.clusterdns.server.query;

import io.clusterdns.config.corefile.AclPlugin;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * CoreDNS's {@code acl} (plugin/acl/acl.go), compiled once per configuration. A query belongs to the server block
 * with the longest zone containing its name (CoreDNS's server selection); only that block's acl directives judge
 * it, in written order. For each directive whose zones contain the name, the first policy matching both the query
 * type and the client's address decides: {@code allow} ends the check, {@code block}, {@code filter} and
 * {@code drop} answer at once; with no matching policy the next directive is tried, and a query that passes every
 * one is allowed. In CoreDNS's plugin order acl runs after {@code rewrite} and before {@code cache}, so it judges
 * the rewritten question and also guards cached answers.
 *
 * <p>Per query: a label walk over the lowercase wire name per zone, a scan of the policies' few types and a binary
 * search per prefix length ({@link SourcePrefixes}); no allocation, regex, locks or logging. The outcome is an
 * {@code int}: the action in the low two bits and the counter to bump above them, so the fast path can look
 * without counting and the full path count what it did. Immutable; shared by every event loop.
 */
public final class AccessControl {
  /** {@link #decide}'s answer for a query no acl directive covers: nothing to do and nothing to count. */
  static final int UNCHECKED = -1;

  /** Creates the counter of one outcome; the metrics live across reloads, so one instance makes them all. */
  public interface Counters {
    Counters NONE = (action, server, zone) -> () -> { };

    /**
     * Called while compiling, never per query.
     *
     * @param zone the matching acl zone; null for {@link AclPlugin.Action#ALLOW}, whose CoreDNS series has no
     *     zone label
     */
    Runnable counter(AclPlugin.Action action, String server, String zone);
  }

  /**
   * The acl directives of one server block zone, as configuration.
   *
   * @param zone the block's zone, absolute and lowercase
   * @param server the block's {@code server} metrics label
   * @param acl the block's acl directives; empty when the block has none (its queries are not judged)
   */
  public record Scope(String zone, String server, List<AclPlugin> acl) {
    public Scope {
      acl = List.copyOf(acl);
    }
  }

  private record Policy(int action, int[] types, SourcePrefixes sources) {}

  private record Rule(byte[][] zones, int[] zoneCounters, Policy[] policies) {}

  private record CompiledScope(byte[] zone, int allowCounter, Rule[] rules) {}

  private final CompiledScope[] scopes;
  private final Runnable[] counters;

  /** @param scopes every zone of every server block, any order */
  public AccessControl(List<Scope> scopes, Counters metrics) {
    List<Runnable> made = new ArrayList<>();
    List<Scope> sorted = new ArrayList<>(scopes);
    sorted.sort(Comparator.comparingInt((Scope s) -> wire(s.zone()).length).reversed());
    this.scopes = new CompiledScope[sorted.size()];
    for (int s = 0; s < sorted.size(); s++) {
      Scope scope = sorted.get(s);
      Rule[] rules = new Rule[scope.acl().size()];
      for (int r = 0; r < rules.length; r++) {
        rules[r] = rule(scope.acl().get(r), scope.server(), metrics, made);
      }
      int allow = -1;
      if (rules.length > 0) {
        allow = made.size();
        made.add(metrics.counter(AclPlugin.Action.ALLOW, scope.server(), null));
      }
      this.scopes[s] = new CompiledScope(wire(scope.zone()), allow, rules);
    }
    this.counters = made.toArray(new Runnable[0]);
  }

  private static Rule rule(AclPlugin acl, String server, Counters metrics, List<Runnable> made) {
    List<String> zones = new ArrayList<>(acl.zones());
    // Longest first: the first zone that contains the name is CoreDNS's plugin.Zones.Matches, the metrics label.
    zones.sort(Comparator.comparingInt((String z) -> wire(z).length).reversed());
    byte[][] wires = new byte[zones.size()][];
    int[] zoneCounters = new int[zones.size()];
    for (int z = 0; z < zones.size(); z++) {
      wires[z] = wire(zones.get(z));
      zoneCounters[z] = made.size();
      // One counter per non-allow action, in Action order after ALLOW: BLOCK, FILTER, DROP.
      made.add(metrics.counter(AclPlugin.Action.BLOCK, server, zones.get(z)));
      made.add(metrics.counter(AclPlugin.Action.FILTER, server, zones.get(z)));
      made.add(metrics.counter(AclPlugin.Action.DROP, server, zones.get(z)));
    }
    Policy[] policies = new Policy[acl.policies().size()];
    for (int p = 0; p < policies.length; p++) {
      AclPlugin.Policy c = acl.policies().get(p);
      int[] types = new int[c.types().size()];
      for (int t = 0; t < types.length; t++) {
        types[t] = Type.value(c.types().get(t));
        if (types[t] < 0) {
          throw new IllegalArgumentException("line " + c.line() + ": acl: unknown query type '" + c.types().get(t)
              + "'");
        }
      }
      policies[p] = new Policy(c.action().ordinal(), types,
          c.sources().isEmpty() ? null : new SourcePrefixes(c.sources()));
    }
    return new Rule(wires, zoneCounters, policies);
  }

  /**
   * The acl's verdict on one query, without counting it.
   *
   * @param name the question name in lowercase wire form, root label included
   * @param source the client's address, 4 or 16 bytes
   * @return {@link #UNCHECKED}, or a verdict for {@link #action} and {@link #count}
   */
  int decide(byte[] name, int qtype, byte[] source) {
    for (CompiledScope scope : scopes) {
      if (!under(name, scope.zone())) {
        continue;
      }
      if (scope.rules().length == 0) {
        return UNCHECKED;
      }
      for (Rule rule : scope.rules()) {
        int zone = zoneIndex(name, rule.zones());
        if (zone < 0) {
          continue;
        }
        for (Policy p : rule.policies()) {
          if (!matches(p, qtype, source)) {
            continue;
          }
          if (p.action() == ALLOW) {
            return scope.allowCounter() << 2 | ALLOW;
          }
          // BLOCK, FILTER, DROP are ordinals 1-3; their counters follow the zone's first one in that order.
          return (rule.zoneCounters()[zone] + p.action() - 1) << 2 | p.action();
        }
      }
      return scope.allowCounter() << 2 | ALLOW;
    }
    return UNCHECKED;
  }

  /** The action of a verdict: {@link #ALLOW}, {@link #BLOCK}, {@link #FILTER} or {@link #DROP}. */
  static int action(int verdict) {
    return verdict < 0 ? ALLOW : verdict & 3;
  }

  /** Bumps the verdict's counter (CoreDNS's coredns_acl_* series). */
  void count(int verdict) {
    if (verdict >= 0) {
      counters[verdict >>> 2].run();
    }
  }

  static final int ALLOW = 0;
  static final int BLOCK = 1;
  static final int FILTER = 2;
  static final int DROP = 3;

  private static boolean matches(Policy p, int qtype, byte[] source) {
    int[] types = p.types();
    if (types.length > 0) {
      boolean hit = false;
      for (int t : types) {
        if (t == qtype) {
          hit = true;
          break;
        }
      }
      if (!hit) {
        return false;
      }
    }
    return p.sources() == null || p.sources().contains(source);
  }

  private static int zoneIndex(byte[] name, byte[][] zones) {
    for (int i = 0; i < zones.length; i++) {
      if (under(name, zones[i])) {
        return i;
      }
    }
    return -1;
  }

  /** Whether the wire name ends with the wire zone at a label boundary (the root zone contains every name). */
  static boolean under(byte[] name, byte[] zone) {
    int start = name.length - zone.length;
    if (start < 0) {
      return false;
    }
    int pos = 0;
    while (pos < start) {
      pos += 1 + (name[pos] & 0xff);
    }
    return pos == start && java.util.Arrays.equals(name, start, name.length, zone, 0, zone.length);
  }

  private static byte[] wire(String zone) {
    try {
      return Name.fromString(zone.endsWith(".") ? zone : zone + ".").toWireCanonical();
    } catch (TextParseException e) {
      throw new IllegalArgumentException("acl: bad zone '" + zone + "'", e);
    }
  }
}
