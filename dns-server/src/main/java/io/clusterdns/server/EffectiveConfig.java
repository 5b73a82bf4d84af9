package io.clusterdns.server;

import io.clusterdns.config.CacheConfig;
import io.clusterdns.config.ForwardConfig;
import io.clusterdns.config.HostPort;
import io.clusterdns.config.KubernetesConfig;
import io.clusterdns.config.PodsMode;
import io.clusterdns.config.WatchConfig;
import io.clusterdns.config.corefile.AutopathPlugin;
import io.clusterdns.config.corefile.Corefile;
import io.clusterdns.config.corefile.CorefileException;
import io.clusterdns.config.corefile.CorefileParser;
import io.clusterdns.config.corefile.CorefileWarning;
import io.clusterdns.config.corefile.ForwardBlock;
import io.clusterdns.config.corefile.HealthEndpoint;
import io.clusterdns.config.corefile.KubernetesBlock;
import io.clusterdns.config.corefile.RewritePlugin;
import io.clusterdns.config.corefile.ServerBlock;
import io.clusterdns.config.corefile.ErrorsPlugin;
import io.clusterdns.config.corefile.LogPlugin;
import io.clusterdns.config.corefile.ReloadSchedule;
import io.clusterdns.config.corefile.AclPlugin;
import io.clusterdns.server.query.Router;
import org.xbill.DNS.Type;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the server runs with: the flags, or a Corefile with the flags on top (cli.md "How flags and a Corefile
 * combine": an explicit flag wins; {@code --listen} replaces the blocks' addresses, {@code --upstream} the
 * default forward's targets, {@code --health}/{@code --ready}/{@code --metrics} those plugins' addresses).
 * Without a Corefile the kubeadm default Corefile is what the flags describe.
 *
 * @param forwards one per forwarded zone; the most specific zone wins per query (stub domains, behaviours.md
 *     11.3)
 * @param cache null when no {@code cache} is configured
 * @param health null when not served; likewise ready and metrics
 * @param lameduck how long DNS and /health keep answering after SIGTERM (behaviours.md 13.2)
 * @param loopCheck run the start-up forwarding-loop check ({@code loop})
 * @param loadbalance shuffle A/AAAA/MX records in answers ({@code loadbalance})
 * @param warnings Corefile lines accepted with a caveat, to log once at start-up
 * @param errors the {@code errors} plugin (any block's: clusterdns logs errors process-wide), or null
 * @param log the query log's rules, most specific zone first, or empty for no query log
 * @param plugins one {@code [server, zone, plugin]} per enabled plugin, for {@code coredns_plugin_enabled}
 * @param reload how often the Corefile is checked for changes, or null (no {@code reload}, or no Corefile)
 * @param checksum SHA-512 of the Corefile's text in hex, or null without a Corefile
 * @param routes every server block's zones with its {@code rewrite}, {@code acl}, {@code template} and
 *     {@code hosts}, in block order (the router sends each query to one of them)
 * @param search namespaces whose pods' search list expands short names (only the {@code dev} command sets
 *     it); empty for none
 * @param autopath the Corefile's {@code autopath @kubernetes} with the node's search domains already read, or null
 *     (the default: off)
 */
record EffectiveConfig(
    List<HostPort> listen,
    KubernetesConfig kubernetes,
    WatchConfig watch,
    List<ForwardConfig> forwards,
    CacheConfig cache,
    HostPort health,
    Duration lameduck,
    HostPort ready,
    HostPort metrics,
    boolean loopCheck,
    boolean loadbalance,
    String serverLabel,
    List<String> warnings,
    ErrorsPlugin errors,
    List<LogPlugin.Rule> log,
    List<List<String>> plugins,
    ReloadSchedule reload,
    String checksum,
    List<Router.Block> routes,
    List<String> search,
    AutopathPlugin autopath) {

  /** The plugins of the kubeadm Corefile, which the flags describe. */
  static final List<String> KUBEADM_PLUGINS = List.of("errors", "health", "ready", "kubernetes", "prometheus",
      "forward", "cache", "loop", "reload", "loadbalance");

  /** Where the default upstreams come from (CoreDNS {@code forward . /etc/resolv.conf}). */
  static final Path RESOLV_CONF = Path.of("/etc/resolv.conf");

  static EffectiveConfig resolve(ServerOptions o) throws Main.StartupException {
    return o.conf == null ? fromFlags(o) : fromCorefile(o);
  }

  /** The kubeadm default Corefile, as the flags describe it. */
  private static EffectiveConfig fromFlags(ServerOptions o) throws Main.StartupException {
    if (o.dnsPort != null) {
      throw new Main.StartupException("-dns.port only applies to a Corefile (--conf); use --listen");
    }
    KubernetesConfig k8s = KubernetesConfig.kubeadm(
        o.clusterDomain == null ? ServerOptions.DEFAULT_CLUSTER_DOMAIN : o.clusterDomain,
        o.pods == null ? PodsMode.INSECURE : o.pods,
        o.ttl == null ? KubernetesConfig.DEFAULT_TTL : o.ttl);
    List<HostPort> upstreams = o.upstream.isEmpty() ? resolvConf() : o.upstream;
    ForwardConfig forward;
    try {
      forward = ForwardConfig.defaults(upstreams);
    } catch (IllegalArgumentException e) {
      throw new Main.StartupException("--upstream: " + e.getMessage());
    }
    List<HostPort> listen = o.listen.isEmpty() ? List.of(ServerOptions.DEFAULT_LISTEN) : o.listen;
    return new EffectiveConfig(listen, k8s, watchConfig(o, k8s, WatchConfig.defaults(null, null, false)),
        List.of(forward), CacheConfig.kubeadm(k8s.clusterDomain()),
        endpoint(o.health, ServerOptions.DEFAULT_HEALTH), Duration.ZERO,
        endpoint(o.ready, ServerOptions.DEFAULT_READY), endpoint(o.metrics, ServerOptions.DEFAULT_METRICS),
        true, true, "dns://:" + listen.get(0).port(), List.of(), new ErrorsPlugin(List.of()), List.of(),
        KUBEADM_PLUGINS.stream().map(n -> List.of("dns://:" + listen.get(0).port(), ".", n)).toList(), null, null,
        List.of(), o.search, null);
  }

  private static EffectiveConfig fromCorefile(ServerOptions o) throws Main.StartupException {
    Corefile cf;
    String checksum;
    try {
      CorefileParser.Options opts = CorefileParser.Options.defaults();
      if (o.dnsPort != null) {
        opts = opts.withDefaultPort(o.dnsPort);
      }
      byte[] text = Files.readAllBytes(o.conf);
      checksum = sha512(text);
      Path abs = o.conf.toAbsolutePath();
      cf = CorefileParser.parse(new String(text, StandardCharsets.UTF_8), String.valueOf(o.conf.getFileName()),
          abs.getParent() == null ? opts : opts.withBaseDir(abs.getParent()));
    } catch (CorefileException e) {
      throw new Main.StartupException(e.getMessage());
    } catch (IOException e) {
      throw new Main.StartupException("--conf " + o.conf + ": cannot read: " + e.getMessage());
    }
    List<ServerBlock> blocks = cf.serverBlocks();
    if (blocks.isEmpty()) {
      throw new Main.StartupException(o.conf + ": no server block");
    }
    Set<Integer> ports = new LinkedHashSet<>(cf.ports());
    if (ports.size() > 1 && o.listen.isEmpty()) {
      throw new Main.StartupException(o.conf + ": server blocks on several ports " + ports
          + " are not supported; use one port, or --listen");
    }
    KubernetesBlock kb = cf.kubernetes().orElseThrow(() -> new Main.StartupException(
        o.conf + ": no kubernetes directive; clusterdns serves a cluster zone"));
    String where = o.conf.getFileName() + ":" + kb.line() + ": ";
    if (kb.noEndpoints() || kb.ignoreEmptyService()) {
      throw new Main.StartupException(where + "kubernetes "
          + (kb.noEndpoints() ? "noendpoints" : "ignore empty_service") + " is not supported yet");
    }
    if (kb.endpoint() != null || kb.tls() != null) {
      throw new Main.StartupException(where + "kubernetes endpoint/tls are not supported; point --kubeconfig at "
          + "the API server instead");
    }
    KubernetesConfig k8s = kb.config();
    if (o.clusterDomain != null || o.pods != null || o.ttl != null) {
      List<String> zones = new ArrayList<>(k8s.zones());
      if (o.clusterDomain != null) {
        zones.set(zones.indexOf(k8s.clusterDomain()), o.clusterDomain);
      }
      k8s = new KubernetesConfig(zones, o.pods == null ? k8s.pods() : o.pods, o.ttl == null ? k8s.ttl() : o.ttl,
          k8s.fallthrough(), k8s.endpointPodNames());
    }

    List<ForwardConfig> forwards = new ArrayList<>();
    for (ServerBlock b : blocks) {
      for (ForwardBlock f : b.forward()) {
        for (String zone : b.zones()) {
          forwards.add(forwardFor(o, zone, f));
        }
      }
    }
    if (!o.upstream.isEmpty() && forwards.stream().noneMatch(f -> f.zone().equals("."))) {
      forwards.add(ForwardConfig.defaults(o.upstream));
    }

    List<HostPort> listen = new ArrayList<>();
    if (!o.listen.isEmpty()) {
      listen.addAll(o.listen);
    } else {
      for (ServerBlock b : blocks) {
        for (HostPort hp : b.listenAddresses()) {
          if (!listen.contains(hp)) {
            listen.add(hp);
          }
        }
      }
    }
    ServerBlock main = blocks.stream().filter(b -> b.kubernetes().isPresent()).findFirst().orElse(blocks.get(0));
    HealthEndpoint health = cf.health().orElse(null);
    List<String> warnings = new ArrayList<>(cf.warnings().stream().map(CorefileWarning::toString).toList());
    for (ServerBlock b : blocks) {
      if (b != main && b.cache().isPresent()) {
        // One answer cache serves every forwarded name (the main block's); a stub block's own would be a second.
        warnings.add(o.conf.getFileName() + ":" + b.line() + ": the cache of server block " + b.zones()
            + " is not used: clusterdns runs one answer cache, the one of the block with kubernetes ("
            + main.zones() + ")" + (main.cache().isPresent() ? "" : ", which has none"));
      }
    }
    ErrorsPlugin errors = null;
    for (ServerBlock b : blocks) {
      if (b.errorsPlugin().isPresent()) {
        List<ErrorsPlugin.Consolidation> all = new ArrayList<>(errors == null ? List.of() : errors.consolidate());
        all.addAll(b.errorsPlugin().get().consolidate());
        errors = new ErrorsPlugin(all);
      }
    }
    List<List<String>> plugins = new ArrayList<>();
    for (ServerBlock b : blocks) {
      for (String zone : b.zones()) {
        for (String name : b.plugins()) {
          plugins.add(List.of(b.serverLabel(), zone, name));
        }
      }
    }
    return new EffectiveConfig(listen, k8s, watchConfig(o, k8s, kb.watch()), forwards,
        main.cache().orElse(null),
        endpoint(o.health, health == null ? null : health.address()),
        health == null ? Duration.ZERO : health.lameduck(),
        endpoint(o.ready, cf.ready().orElse(null)),
        endpoint(o.metrics, cf.prometheus().orElse(null)),
        blocks.stream().anyMatch(ServerBlock::loop), main.loadbalance(),
        main.serverLabel(), warnings, errors, logRules(blocks), plugins, cf.reload().orElse(null), checksum,
        routes(o, blocks), o.search, cf.autopath().orElse(null));
  }

  /**
   * Each server block's plugins for the router. An acl's query types and a {@code rewrite type}'s are checked
   * against dnsjava's table here, with the line, since the config module knows no RR types.
   */
  static List<Router.Block> routes(ServerOptions o, List<ServerBlock> blocks) throws Main.StartupException {
    List<Router.Block> out = new ArrayList<>();
    for (ServerBlock b : blocks) {
      for (AclPlugin a : b.acl()) {
        for (AclPlugin.Policy p : a.policies()) {
          for (String t : p.types()) {
            requireType(o, p.line(), "acl: unknown query type", t);
          }
        }
      }
      for (RewritePlugin.Rule r : b.rewrite().map(RewritePlugin::rules).orElse(List.of())) {
        if (r.field() == RewritePlugin.Field.TYPE) {
          for (String t : List.of(r.from(), r.to())) {
            requireType(o, r.line(), "rewrite type: unknown type", t);
          }
        }
      }
      out.add(new Router.Block(b.zones(), b.serverLabel(), b.rewrite().orElse(null), b.templates(),
          b.hosts().orElse(null), b.acl()));
    }
    return out;
  }

  /** Fails start-up with {@code FILE:LINE: what 'TYPE'} when dnsjava knows no RR type {@code type}. */
  private static void requireType(ServerOptions o, int line, String what, String type) throws Main.StartupException {
    if (Type.value(type) < 0) {
      throw new Main.StartupException(o.conf.getFileName() + ":" + line + ": " + what + " '" + type + "'");
    }
  }

  /**
   * The query log's rules as CoreDNS applies them: a query belongs to the block with the longest zone containing
   * it, and only that block's {@code log} rules (names limited to that zone) may log it. Each block zone, longest
   * first, contributes its block's rules and then a rule that logs nothing, so a query of a block without
   * {@code log} is never logged by another block's rule. Empty when no block has {@code log}.
   */
  static List<LogPlugin.Rule> logRules(List<ServerBlock> blocks) {
    if (blocks.stream().noneMatch(ServerBlock::log)) {
      return List.of();
    }
    record Scope(String zone, ServerBlock block) {}
    List<Scope> scopes = new ArrayList<>();
    for (ServerBlock b : blocks) {
      for (String z : b.zones()) {
        scopes.add(new Scope(z, b));
      }
    }
    scopes.sort((x, y) -> Integer.compare(labels(y.zone()), labels(x.zone())));
    List<LogPlugin.Rule> out = new ArrayList<>();
    for (Scope sc : scopes) {
      for (LogPlugin.Rule r : sc.block().logPlugin().map(LogPlugin::rules).orElse(List.of())) {
        List<String> names = new ArrayList<>();
        for (String n : r.names()) {
          if (under(n, sc.zone())) {
            names.add(n);
          } else if (under(sc.zone(), n)) {
            names.add(sc.zone());
          }
        }
        if (!names.isEmpty()) {
          out.add(new LogPlugin.Rule(names, r.format(), r.classes()));
        }
      }
      out.add(new LogPlugin.Rule(List.of(sc.zone()), "", Set.of()));
    }
    return out;
  }

  private static int labels(String zone) {
    return zone.equals(".") ? 0 : zone.split("\\.").length;
  }

  private static boolean under(String name, String zone) {
    return zone.equals(".") || name.equals(zone)
        || (name.endsWith(zone) && name.charAt(name.length() - zone.length() - 1) == '.');
  }

  static String sha512(byte[] text) {
    try {
      return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-512").digest(text));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-512", e);
    }
  }

  /** A forward of one block zone; {@code forward .} inside {@code acme.local} forwards acme.local. */
  private static ForwardConfig forwardFor(ServerOptions o, String blockZone, ForwardBlock f)
      throws Main.StartupException {
    String zone = f.from().equals(".") ? blockZone : f.from();
    try {
      ForwardConfig c = zone.equals(".") && !o.upstream.isEmpty() ? f.toConfig(o.upstream) : f.toConfig();
      return c.withZone(zone, c.upstreams());
    } catch (IOException | IllegalArgumentException e) {
      throw new Main.StartupException(o.conf.getFileName() + ":" + f.line() + ": forward " + f.from() + ": "
          + e.getMessage());
    }
  }

  /** The Corefile's (or default) watch settings with the command line's on top. */
  private static WatchConfig watchConfig(ServerOptions o, KubernetesConfig k8s, WatchConfig base) {
    return new WatchConfig(
        o.kubeconfig != null ? o.kubeconfig.toString() : base.kubeconfig(),
        o.context != null ? o.context : base.context(),
        o.namespaces.isEmpty() ? base.namespaces() : o.namespaces,
        o.namespaceLabels != null ? o.namespaceLabels : base.namespaceLabels(),
        o.labels != null ? o.labels : base.labels(),
        k8s.pods() == PodsMode.VERIFIED,
        k8s.endpointPodNames(),
        o.startupTimeoutSeconds != null
            ? Duration.ofMillis(Math.round(o.startupTimeoutSeconds * 1000)) : base.startupTimeout());
  }

  private static List<HostPort> resolvConf() throws Main.StartupException {
    try {
      return ForwardConfig.readResolvConf(RESOLV_CONF);
    } catch (IOException | IllegalArgumentException e) {
      throw new Main.StartupException("no --upstream given and " + RESOLV_CONF + " has no usable nameserver: "
          + e.getMessage());
    }
  }

  /**
   * An HTTP endpoint's address: the flag's when given ({@code off}: null, not served), else {@code fallback}
   * (the default, or the Corefile's plugin; null when the Corefile has none).
   */
  private static HostPort endpoint(HostPort flag, HostPort fallback) {
    if (ServerOptions.isOff(flag)) {
      return null;
    }
    return flag != null ? flag : fallback;
  }
}
