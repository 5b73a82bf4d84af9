package io.clusterdns.config.corefile;

import io.clusterdns.config.CacheConfig;
import io.clusterdns.config.HostPort;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One server block, {@code [dns://]ZONE... [:PORT] { PLUGINS }}: the zones it serves on one port and the
 * plugins clusterdns acts on. A block whose keys use two ports becomes two ServerBlocks with the same
 * plugins. A query goes to the block (on its port) with the longest zone that contains the name (CoreDNS;
 * behaviours.md 11.3), see {@link Corefile#blockFor}.
 *
 * @param zones the block's zones, absolute and lowercase ({@code .} for everything)
 * @param port the listen port (53 unless the key or {@code -dns.port} says otherwise)
 * @param bind {@code bind} addresses (IPs or interface names); empty = all addresses
 * @param plugins names of every plugin in the block, in written order (for {@code coredns_plugin_enabled})
 * @param kubernetes the {@code kubernetes} directive
 * @param forward {@code forward} directives in written order (the first whose FROM matches wins)
 * @param cache the {@code cache} directive
 * @param health the {@code health} directive
 * @param ready {@code ready [ADDRESS]} ({@code :8181} by default)
 * @param prometheus {@code prometheus [ADDRESS]} ({@code :9153} by default)
 * @param reload the {@code reload} directive
 * @param errorsPlugin the {@code errors} directive
 * @param logPlugin the block's {@code log} directives, one rule each
 * @param loop {@code loop} present
 * @param loadbalance {@code loadbalance} present (round robin of A/AAAA/MX)
 * @param hosts the {@code hosts} directive
 * @param templates the {@code template} directives in written order (the first that matches answers)
 * @param rewrite the block's {@code rewrite} rules
 * @param acl the block's {@code acl} directives in written order
 * @param autopath the {@code autopath} directive, present only in a block that also has {@code kubernetes}
 * @param line line of the block's first key
 */
public record ServerBlock(
    List<String> zones,
    int port,
    List<String> bind,
    List<String> plugins,
    Optional<KubernetesBlock> kubernetes,
    List<ForwardBlock> forward,
    Optional<CacheConfig> cache,
    Optional<HealthEndpoint> health,
    Optional<HostPort> ready,
    Optional<HostPort> prometheus,
    Optional<ReloadSchedule> reload,
    Optional<ErrorsPlugin> errorsPlugin,
    Optional<LogPlugin> logPlugin,
    boolean loop,
    boolean loadbalance,
    Optional<HostsPlugin> hosts,
    List<TemplatePlugin> templates,
    Optional<RewritePlugin> rewrite,
    List<AclPlugin> acl,
    Optional<AutopathPlugin> autopath,
    int line) {

  /** CoreDNS's ready address. */
  public static final HostPort DEFAULT_READY = new HostPort("", 8181);

  /** CoreDNS's metrics address. */
  public static final HostPort DEFAULT_PROMETHEUS = new HostPort("", 9153);

  public ServerBlock {
    zones = List.copyOf(zones);
    bind = List.copyOf(bind);
    plugins = List.copyOf(plugins);
    forward = List.copyOf(forward);
    templates = List.copyOf(templates);
    acl = List.copyOf(acl);
  }

  /** {@code errors} present. */
  public boolean errors() {
    return errorsPlugin.isPresent();
  }

  /** {@code log} present. */
  public boolean log() {
    return logPlugin.isPresent();
  }

  /** Where to listen (UDP and TCP): each bind address on {@link #port}, or all addresses. */
  public List<HostPort> listenAddresses() {
    if (bind.isEmpty()) {
      return List.of(new HostPort("", port));
    }
    List<HostPort> out = new ArrayList<>();
    for (String b : bind) {
      out.add(new HostPort(b, port));
    }
    return out;
  }

  /** The {@code server} label of CoreDNS's metrics for this block, e.g. {@code dns://:53}. */
  public String serverLabel() {
    String host = bind.isEmpty() ? "" : bind.get(0);
    return "dns://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  /**
   * The longest of this block's zones that contains {@code name} (absolute, lowercase), or null. Meant
   * for building routing tables at start-up, not for the query path.
   */
  public String zoneFor(String name) {
    String best = null;
    for (String z : zones) {
      if (isSubdomain(name, z) && (best == null || z.length() > best.length())) {
        best = z;
      }
    }
    return best;
  }

  static boolean isSubdomain(String name, String zone) {
    if (zone.equals(".")) {
      return true;
    }
    return name.equals(zone) || (name.endsWith(zone) && name.charAt(name.length() - zone.length() - 1) == '.');
  }
}
