package io.clusterdns.server.query;

import io.clusterdns.config.corefile.AclPlugin;
import io.clusterdns.config.corefile.HostsPlugin;
import io.clusterdns.config.corefile.RewritePlugin;
import io.clusterdns.config.corefile.TemplatePlugin;
import io.clusterdns.server.zone.HostsTable;
import io.clusterdns.server.zone.TemplateSet;
import io.clusterdns.server.zone.WireName;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/**
 * Sends each query to its server block once, as CoreDNS does before any plugin runs: the block with the longest
 * zone that contains the client's question name (core/dnsserver/server.go). The block's own {@code rewrite},
 * {@code acl}, {@code template} and {@code hosts} then see the query in CoreDNS's plugin order; another block's
 * never do. Built once per configuration (start-up, reload), immutable, shared by every event loop; a lookup is a
 * label-boundary suffix compare per zone on the lowercase wire name, with no allocation.
 */
public final class Router {
  /**
   * One server block's plugins as configured.
   *
   * @param zones the block's zones
   * @param server the block's {@code server} metrics label
   * @param rewrite its {@code rewrite} rules, or null
   * @param templates its {@code template} rules in written order, empty for none
   * @param hosts its {@code hosts}, or null
   * @param acl its {@code acl} directives in written order, empty for none
   */
  public record Block(List<String> zones, String server, RewritePlugin rewrite, List<TemplatePlugin> templates,
      HostsPlugin hosts, List<AclPlugin> acl) {
    public Block {
      zones = List.copyOf(zones);
      templates = List.copyOf(templates);
      acl = List.copyOf(acl);
    }

    boolean plain() {
      return rewrite == null && templates.isEmpty() && hosts == null && acl.isEmpty();
    }
  }

  /**
   * The stages of one block, each null when the block has none; shared by all the block's zones.
   *
   * @param server the block's {@code server} label
   */
  public record Route(String server, QueryRewrite rewrite, AccessControl acl, TemplateSet templates,
      HostsTable hosts) {
    /**
     * Whether a stage other than the acl may answer or change this query (wire name in lowercase): then it takes
     * the full path, which asks them in order.
     */
    boolean claims(byte[] name, int qtype) {
      return (rewrite != null && rewrite.claims(name, qtype))
          || (templates != null && templates.claims(name))
          || (hosts != null && hosts.claims(name, qtype));
    }
  }

  private final byte[][] zones;
  private final Route[] routes;
  private final boolean judgesClients;

  private Router(byte[][] zones, Route[] routes) {
    this.zones = zones;
    this.routes = routes;
    boolean acl = false;
    for (Route r : routes) {
      acl |= r.acl() != null;
    }
    this.judgesClients = acl;
  }

  /** Whether some block has an {@code acl}: only then does a query need its client's address. */
  public boolean judgesClients() {
    return judgesClients;
  }

  /**
   * The router of a configuration, or null when no block has any of these plugins (then the query path asks no
   * router at all: the kubeadm Corefile's case).
   *
   * @param owned receives the hosts tables, which watch their files until closed
   */
  public static Router of(List<Block> blocks, AccessControl.Counters aclMetrics, List<AutoCloseable> owned) {
    if (blocks.stream().allMatch(Block::plain)) {
      return null;
    }
    record Entry(byte[] zone, Route route) {}
    List<Entry> entries = new ArrayList<>();
    for (Block b : blocks) {
      HostsTable hosts = b.hosts() == null ? null : new HostsTable(b.hosts());
      if (hosts != null) {
        owned.add(hosts);
      }
      Route route = new Route(b.server(),
          b.rewrite() == null ? null : new QueryRewrite(b.rewrite()),
          b.acl().isEmpty() ? null : new AccessControl(b.server(), b.acl(), aclMetrics),
          b.templates().isEmpty() ? null : new TemplateSet(b.templates()),
          hosts);
      for (String z : b.zones()) {
        entries.add(new Entry(wire(z), route));
      }
    }
    // Longest zone first, so the first that contains a name is CoreDNS's choice; the sort is stable, so a zone two
    // blocks list (on different ports, which clusterdns serves as one) goes to the first written.
    entries.sort(Comparator.comparingInt((Entry e) -> e.zone().length).reversed());
    byte[][] zones = new byte[entries.size()][];
    Route[] routes = new Route[entries.size()];
    for (int i = 0; i < zones.length; i++) {
      zones[i] = entries.get(i).zone();
      routes[i] = entries.get(i).route();
    }
    return new Router(zones, routes);
  }

  /** The route of a lowercase wire-form name, root label included; null when no block's zone contains it. */
  public Route route(byte[] name) {
    for (int i = 0; i < zones.length; i++) {
      if (WireName.under(name, zones[i])) {
        return routes[i];
      }
    }
    return null;
  }

  /** The route of a name as dnsjava holds it (the full path). */
  public Route route(Name name) {
    return route(name.toWireCanonical());
  }

  static byte[] wire(String zone) {
    try {
      return Name.fromString(zone.endsWith(".") ? zone : zone + ".").toWireCanonical();
    } catch (TextParseException e) {
      throw new IllegalArgumentException("bad zone '" + zone + "'", e);
    }
  }
}
