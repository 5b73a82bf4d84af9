package io.clusterdns.config.corefile;

import io.clusterdns.config.CacheConfig;
import io.clusterdns.config.HostPort;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads a CoreDNS Corefile (the {@code coredns} ConfigMap of kube-system) into clusterdns's model. The
 * syntax is CoreDNS's Caddyfile dialect: server blocks {@code [dns://]ZONE...[:PORT] { ... }}, one
 * plugin per line with arguments and an optional {@code { ... }} block, quotes, {@code #} comments,
 * {@code {$ENV}} substitution, snippets and {@code import}. Every problem is reported as one line,
 * {@code SOURCE:LINE:COL: reason}; see {@code config/COREFILE.md} for what is accepted.
 *
 * <p>Stateless; each call parses on the calling thread.
 */
public final class CorefileParser {

  private CorefileParser() {}

  /**
   * What the text alone does not say.
   *
   * @param defaultPort port of server blocks whose keys name none (CoreDNS's {@code -dns.port}, 53)
   * @param environment lookup for {@code {$NAME}}; null results count as unset (empty)
   * @param baseDir directory that relative {@code import} patterns and resolv.conf paths resolve against
   */
  public record Options(int defaultPort, Function<String, String> environment, Path baseDir) {

    public Options {
      if (defaultPort < 1 || defaultPort > 65535) {
        throw new IllegalArgumentException("default port must be within 1-65535, not " + defaultPort);
      }
      Objects.requireNonNull(environment, "environment");
      Objects.requireNonNull(baseDir, "baseDir");
    }

    /** Port 53, the process environment, the working directory. */
    public static Options defaults() {
      return new Options(53, System::getenv, Path.of("").toAbsolutePath());
    }

    public Options withDefaultPort(int port) {
      return new Options(port, environment, baseDir);
    }

    public Options withEnvironment(Function<String, String> env) {
      return new Options(defaultPort, env, baseDir);
    }

    public Options withBaseDir(Path dir) {
      return new Options(defaultPort, environment, dir);
    }
  }

  /** Parses with {@link Options#defaults()}. */
  public static Corefile parse(String text, String sourceName) throws CorefileException {
    return parse(text, sourceName, Options.defaults());
  }

  /** Parses a file; errors name the file by its last path element (e.g. {@code Corefile:7:5: ...}). */
  public static Corefile parse(Path file) throws IOException, CorefileException {
    return parse(file, Options.defaults());
  }

  /** Parses a file; imports resolve against its directory. */
  public static Corefile parse(Path file, Options options) throws IOException, CorefileException {
    Path abs = file.toAbsolutePath();
    Path dir = abs.getParent() == null ? options.baseDir() : abs.getParent();
    return parse(Files.readString(file), String.valueOf(file.getFileName()), options.withBaseDir(dir));
  }

  public static Corefile parse(String text, String sourceName, Options options) throws CorefileException {
    List<Token> tokens = CorefileLexer.lex(text, sourceName, options.environment());
    List<CorefileSyntax.RawBlock> raw =
        new CorefileSyntax(tokens, options.baseDir(), options.environment()).serverBlocks();
    if (raw.isEmpty()) {
      throw new CorefileException(sourceName, 1, 1, "no server block: a Corefile needs at least one "
          + "ZONE { ... } block");
    }
    List<CorefileWarning> warnings = new ArrayList<>();
    List<ServerBlock> blocks = new ArrayList<>();
    Map<String, Token> served = new HashMap<>();
    Shared shared = new Shared();
    for (CorefileSyntax.RawBlock rb : raw) {
      Map<Integer, LinkedHashSet<String>> byPort = keys(rb, options.defaultPort(), served);
      LinkedHashSet<String> allZones = new LinkedHashSet<>();
      byPort.values().forEach(allZones::addAll);
      Plugins p = plugins(rb, new BlockContext(List.copyOf(allZones), warnings), options.baseDir(), shared);
      for (Map.Entry<Integer, LinkedHashSet<String>> e : byPort.entrySet()) {
        blocks.add(new ServerBlock(List.copyOf(e.getValue()), e.getKey(), p.bind, p.names,
            Optional.ofNullable(p.kubernetes), p.forward, Optional.ofNullable(p.cache),
            Optional.ofNullable(p.health), Optional.ofNullable(p.ready), Optional.ofNullable(p.prometheus),
            Optional.ofNullable(p.reload), Optional.ofNullable(p.errors),
            p.log.isEmpty() ? Optional.empty() : Optional.of(new LogPlugin(p.log)), p.loop, p.loadbalance, Optional.ofNullable(p.hosts), p.templates,
            p.rewrites.isEmpty() ? Optional.empty() : Optional.of(new RewritePlugin(p.rewrites)), p.acl,
            Optional.ofNullable(p.autopath), rb.keys().get(0).line()));
      }
    }
    return new Corefile(blocks, warnings);
  }

  // ---------------------------------------------------------------- server block keys

  /** Zones per port of one block's keys, checking each zone:port is served once in the whole file. */
  private static Map<Integer, LinkedHashSet<String>> keys(CorefileSyntax.RawBlock rb, int defaultPort,
      Map<String, Token> served) throws CorefileException {
    Map<Integer, LinkedHashSet<String>> byPort = new LinkedHashMap<>();
    for (Token k : rb.keys()) {
      String s = k.text();
      int scheme = s.indexOf("://");
      if (scheme >= 0) {
        String name = s.substring(0, scheme).toLowerCase(java.util.Locale.ROOT);
        if (!name.equals("dns")) {
          throw CorefileException.at(k, "scheme '" + name + "://' is not supported: clusterdns serves plain "
              + "DNS (dns://) only");
        }
        s = s.substring(scheme + 3);
      }
      int slash = s.indexOf('/');
      int colon = s.lastIndexOf(':');
      // In a CIDR key the port colon comes after the prefix length (fd00::/8:53); IPv6 colons come before.
      if (colon >= 0 && slash >= 0 && colon < slash) {
        colon = -1;
      }
      int port = defaultPort;
      String zoneText = s;
      if (colon >= 0) {
        zoneText = s.substring(0, colon);
        Token portTok = new Token(s.substring(colon + 1), false, k.source(), k.line(),
            k.column() + k.text().length() - (s.length() - colon - 1), k.group());
        port = CorefileValues.integer(portTok, "port", 1, 65535);
      }
      if (zoneText.isEmpty()) {
        zoneText = "."; // ":53" serves the root, like CoreDNS
      }
      Token zoneTok = new Token(zoneText, k.quoted(), k.source(), k.line(), k.column(), k.group());
      for (String zone : CorefileValues.zones(zoneTok)) {
        Token previous = served.putIfAbsent(zone + ":" + port, k);
        if (previous != null) {
          throw CorefileException.at(k, "zone " + zone + " on port " + port + " is already served by the "
              + "server block at line " + previous.line());
        }
        byPort.computeIfAbsent(port, x -> new LinkedHashSet<>()).add(zone);
      }
    }
    return byPort;
  }

  // ---------------------------------------------------------------- plugins

  /** The plugins of one server block while it is read. */
  private static final class Plugins {
    final List<String> names = new ArrayList<>();
    final List<String> bind = new ArrayList<>();
    final List<ForwardBlock> forward = new ArrayList<>();
    KubernetesBlock kubernetes;
    CacheConfig cache;
    HealthEndpoint health;
    HostPort ready;
    HostPort prometheus;
    ReloadSchedule reload;
    ErrorsPlugin errors;
    HostsPlugin hosts;
    AutopathPlugin autopath;
    Token autopathAt;
    final List<TemplatePlugin> templates = new ArrayList<>();
    final List<RewritePlugin.Rule> rewrites = new ArrayList<>();
    final List<LogPlugin.Rule> log = new ArrayList<>();
    final List<AclPlugin> acl = new ArrayList<>();
    boolean loop;
    boolean loadbalance;
  }

  /**
   * Process-wide settings seen so far: clusterdns runs one health, ready and metrics endpoint, one reload
   * schedule and one cluster index, so every block that names them must agree.
   */
  private static final class Shared {
    final Map<String, Object> values = new HashMap<>();
    final Map<String, Token> where = new HashMap<>();

    void agree(String plugin, Object value, Token at, String what) throws CorefileException {
      Object old = values.putIfAbsent(plugin, value);
      if (old != null && !old.equals(value)) {
        throw CorefileException.at(at, plugin + " is already configured with " + what(old) + " by the server "
            + "block at line " + where.get(plugin).line() + "; clusterdns runs one " + what + " for all blocks");
      }
      where.putIfAbsent(plugin, at);
    }

    private static String what(Object o) {
      if (o instanceof HostPort hp) {
        return "address " + hp;
      }
      if (o instanceof Duration d) {
        return CorefileValues.text(d);
      }
      if (o instanceof ReloadSchedule r) {
        return CorefileValues.text(r.interval()) + " " + CorefileValues.text(r.jitter());
      }
      return "the directive at " + o;
    }
  }

  /** Plugins that may appear once per server block. */
  private static final java.util.Set<String> ONCE = java.util.Set.of("kubernetes", "cache", "health", "ready",
      "prometheus", "reload", "loop", "loadbalance", "errors", "hosts", "autopath");

  private static Plugins plugins(CorefileSyntax.RawBlock rb, BlockContext ctx, Path baseDir, Shared shared)
      throws CorefileException {
    Plugins p = new Plugins();
    Map<String, Token> seen = new HashMap<>();
    Token whoami = null;
    for (Directive d : rb.body()) {
      String name = d.text();
      if (d.name().quoted()) {
        throw CorefileException.at(d.name(), "unknown plugin \"" + name + "\" (plugin names are not quoted)");
      }
      if (PluginCatalogue.SUPPORTED.contains(name)) {
        Token first = seen.putIfAbsent(name, d.name());
        if (first != null && ONCE.contains(name)) {
          throw CorefileException.at(d.name(), "plugin '" + name + "' appears twice in this server block "
              + "(first at line " + first.line() + ")");
        }
        supported(d, ctx, baseDir, shared, p);
      } else if (PluginCatalogue.REJECTED.containsKey(name)) {
        throw CorefileException.at(d.name(), "plugin '" + name + "' is not supported by clusterdns yet: "
            + PluginCatalogue.REJECTED.get(name));
      } else if (PluginCatalogue.IGNORED.containsKey(name)) {
        if (name.equals("whoami")) {
          whoami = d.name();
        } else {
          ctx.warn(d.name(), "plugin '" + name + "' is accepted but not acted on: "
              + PluginCatalogue.IGNORED.get(name));
        }
      } else {
        String near = PluginCatalogue.nearest(name);
        throw CorefileException.at(d.name(), "unknown plugin '" + name + "'"
            + (near == null ? "" : "; did you mean '" + near + "'?"));
      }
      if (!p.names.contains(name)) {
        p.names.add(name);
      }
    }
    if (p.autopath != null && p.kubernetes == null) {
      // CoreDNS finds no search path without the plugin named after '@' in the block, and autopaths nothing.
      ctx.warn(p.autopathAt, "autopath @kubernetes is accepted but not acted on: this server block has no "
          + "kubernetes");
      p.autopath = null;
    }
    if (whoami != null) {
      // whoami runs after forward in CoreDNS's chain: with a forward it never sees a query, without one it
      // answers everything, which clusterdns would not.
      if (p.forward.isEmpty()) {
        throw CorefileException.at(whoami, "plugin 'whoami' is not supported by clusterdns yet: without a "
            + "forward in this block it would answer every query");
      }
      ctx.warn(whoami, "plugin 'whoami' is accepted but not acted on: "
          + PluginCatalogue.IGNORED.get("whoami"));
    }
    return p;
  }

  private static void supported(Directive d, BlockContext ctx, Path baseDir, Shared shared, Plugins p)
      throws CorefileException {
    switch (d.text()) {
      case "kubernetes" -> {
        p.kubernetes = KubernetesOptions.parse(d, ctx);
        shared.agree("kubernetes", d.name().source() + ":" + d.name().line(), d.name(), "cluster index");
      }
      case "forward" -> {
        ForwardBlock f = ForwardOptions.parse(d, ctx, baseDir);
        for (ForwardBlock other : p.forward) {
          if (other.from().equals(f.from())) {
            throw CorefileException.at(d.name(), "a forward for " + f.from() + " is already at line "
                + other.line() + "; this one would never be used");
          }
        }
        p.forward.add(f);
      }
      case "cache" -> p.cache = CacheOptions.parse(d, ctx);
      case "health" -> {
        p.health = HealthOptions.parse(d);
        shared.agree("health", p.health.address(), d.name(), "health endpoint");
        shared.agree("lameduck", p.health.lameduck(), d.name(), "lameduck period");
      }
      case "ready" -> {
        p.ready = ReadyOptions.parse(d, ctx);
        shared.agree("ready", p.ready, d.name(), "ready endpoint");
      }
      case "prometheus" -> {
        BlockContext.noBlock(d);
        BlockContext.args(d, 0, 1);
        p.prometheus = d.args().isEmpty() ? ServerBlock.DEFAULT_PROMETHEUS
            : CorefileValues.listenAddress(d.args().get(0), "prometheus");
        shared.agree("prometheus", p.prometheus, d.name(), "metrics endpoint");
      }
      case "reload" -> {
        p.reload = ReloadOptions.parse(d);
        shared.agree("reload", p.reload, d.name(), "reload schedule");
      }
      case "errors" -> p.errors = ErrorsOptions.parse(d, ctx);
      case "hosts" -> p.hosts = HostsOptions.parse(d, ctx, baseDir);
      case "autopath" -> {
        p.autopath = AutopathOptions.parse(d, ctx, baseDir);
        p.autopathAt = d.name();
      }
      case "template" -> p.templates.add(TemplateOptions.parse(d, ctx));
      case "rewrite" -> p.rewrites.add(RewriteOptions.parse(d, ctx));
      case "log" -> p.log.add(LogOptions.parse(d, ctx));
      case "acl" -> p.acl.add(AclOptions.parse(d, ctx));
      case "loop" -> {
        BlockContext.noBlock(d);
        BlockContext.args(d, 0, 0);
        p.loop = true;
      }
      case "loadbalance" -> {
        LoadbalanceOptions.parse(d);
        p.loadbalance = true;
      }
      case "bind" -> BindOptions.parse(d, ctx, p.bind);
      default -> throw new IllegalStateException("no reader for supported plugin " + d.text());
    }
  }
}
