package io.clusterdns.server.query;

import io.clusterdns.config.corefile.AclPlugin;
import io.clusterdns.server.zone.WireName;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.xbill.DNS.Type;

/**
 * CoreDNS's {@code acl} (plugin/acl/acl.go) of one server block, compiled once per configuration; the
 * {@link Router} hands it only the queries routed to its block (CoreDNS's server selection). Its directives judge
 * a query in written order: for each directive whose zones contain the name, the first policy matching both the
 * query type and the client's address decides: {@code allow} ends the check, {@code block}, {@code filter} and
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
  /** The verdict on a query no acl judges (its block has none): nothing to do and nothing to count. */
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

  private record Policy(int action, int[] types, SourcePrefixes sources) {}

  private record Rule(byte[][] zones, int[] zoneCounters, Policy[] policies) {}

  private final Rule[] rules;
  private final int allowCounter;
  private final Runnable[] counters;

  /**
   * @param server the block's {@code server} metrics label
   * @param acl the block's acl directives, at least one
   */
  public AccessControl(String server, List<AclPlugin> acl, Counters metrics) {
    List<Runnable> made = new ArrayList<>();
    this.rules = new Rule[acl.size()];
    for (int r = 0; r < rules.length; r++) {
      rules[r] = rule(acl.get(r), server, metrics, made);
    }
    this.allowCounter = made.size();
    made.add(metrics.counter(AclPlugin.Action.ALLOW, server, null));
    this.counters = made.toArray(new Runnable[0]);
  }

  private static Rule rule(AclPlugin acl, String server, Counters metrics, List<Runnable> made) {
    List<String> zones = new ArrayList<>(acl.zones());
    // Longest first: the first zone that contains the name is CoreDNS's plugin.Zones.Matches, the metrics label.
    zones.sort(Comparator.comparingInt((String z) -> Router.wire(z).length).reversed());
    byte[][] wires = new byte[zones.size()][];
    int[] zoneCounters = new int[zones.size()];
    for (int z = 0; z < zones.size(); z++) {
      wires[z] = Router.wire(zones.get(z));
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
   * @return a verdict for {@link #action} and {@link #count}
   */
  int decide(byte[] name, int qtype, byte[] source) {
    for (Rule rule : rules) {
      int zone = zoneIndex(name, rule.zones());
      if (zone < 0) {
        continue;
      }
      for (Policy p : rule.policies()) {
        if (!matches(p, qtype, source)) {
          continue;
        }
        if (p.action() == ALLOW) {
          return allowCounter << 2 | ALLOW;
        }
        // BLOCK, FILTER, DROP are ordinals 1-3; their counters follow the zone's first one in that order.
        return (rule.zoneCounters()[zone] + p.action() - 1) << 2 | p.action();
      }
    }
    return allowCounter << 2 | ALLOW;
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
      if (WireName.under(name, zones[i])) {
        return i;
      }
    }
    return -1;
  }
}
