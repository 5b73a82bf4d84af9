package io.clusterdns.server;

import io.clusterdns.config.ForwardConfig;
import io.clusterdns.config.HostPort;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code clusterdns dev} (issue 21): the server with a developer laptop's defaults. It reads the kubeconfig the
 * way kubectl does, listens on {@value #DEFAULT_LISTEN_TEXT}, forwards to the laptop's own resolvers, opens no
 * HTTP port unless asked, and shows a status ({@link DevStatus}). It only fills in {@link ServerOptions} and runs
 * {@link Main#serve}: there is one server, started one way.
 */
@Command(
    name = "dev",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
        "Cluster DNS on your laptop: serves the cluster zone of your kubeconfig's cluster from a live watch, "
            + "forwards every other name to your own resolvers, caches, and opens no HTTP port unless asked. "
            + "Prints a status on start and when it changes.",
        "",
        "Try: dig @127.0.0.1 -p 5353 kubernetes.default.svc.cluster.local"})
final class DevCommand implements Callable<Integer> {
  /** Where the dev resolver listens by default: loopback only, an unprivileged port (no root, no collision). */
  static final String DEFAULT_LISTEN_TEXT = "127.0.0.1:5353";

  static final HostPort DEFAULT_LISTEN = new HostPort("127.0.0.1", 5353);

  /** systemd-resolved's stub listener, which /etc/resolv.conf names when it is in use. */
  static final String RESOLVED_STUB = "127.0.0.53";

  /** systemd-resolved's list of the real upstream nameservers. */
  static final Path RESOLVED_UPSTREAMS = Path.of("/run/systemd/resolve/resolv.conf");

  /** Event loops: a laptop's queries need one; two keep a slow forward from holding up a cluster answer. */
  static final int THREADS = 2;

  /** A namespace name (RFC 1123 label), as {@code --search} takes it. */
  private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  @Spec CommandSpec spec;

  @Option(names = "--kubeconfig", paramLabel = "FILE",
      description = "kubeconfig to read. Default: $KUBECONFIG (its first existing file), else ~/.kube/config.")
  Path kubeconfig;

  @Option(names = "--context", paramLabel = "NAME[=ZONE]",
      description = "kubeconfig context; repeatable to serve several clusters: the first under the cluster zone, "
          + "each further one under NAME.<cluster zone>, or under ZONE when given as NAME=ZONE. Default: the "
          + "current context.")
  List<String> contexts = new ArrayList<>();

  @Option(names = "--listen", paramLabel = "HOST:PORT", converter = ServerOptions.ListenConverter.class,
      description = "UDP and TCP listener; repeatable. Default: " + DEFAULT_LISTEN_TEXT + ".")
  List<HostPort> listen = new ArrayList<>();

  @Option(names = "--upstream", paramLabel = "HOST:PORT", converter = ServerOptions.UpstreamConverter.class,
      description = "Forward names outside the cluster zone here; repeatable. Default: the nameservers of "
          + "/etc/resolv.conf, or of " + "/run/systemd/resolve/resolv.conf when that names only systemd-resolved's "
          + "stub 127.0.0.53 (so a split-DNS drop-in cannot make a loop).")
  List<HostPort> upstream = new ArrayList<>();

  @Option(names = "--search", paramLabel = "NAMESPACE", split = ",",
      description = "Resolve short names (api.payments, api) as a pod in these namespaces does: NAME.<ns>.svc.<zone>, "
          + "NAME.svc.<zone>, NAME.<zone> in order; the answer is a CNAME to the name found. Default: off.")
  List<String> search = new ArrayList<>();

  @Option(names = "--cluster-domain", paramLabel = "NAME", converter = ServerOptions.DomainConverter.class,
      description = "Cluster zone. Default: cluster.local.")
  String clusterDomain;

  @Option(names = "--health", paramLabel = "HOST:PORT", converter = ServerOptions.EndpointConverter.class,
      description = "Serve GET /health here. Default: not served.")
  HostPort health;

  @Option(names = "--ready", paramLabel = "HOST:PORT", converter = ServerOptions.EndpointConverter.class,
      description = "Serve GET /ready here. Default: not served.")
  HostPort ready;

  @Option(names = "--metrics", paramLabel = "HOST:PORT", converter = ServerOptions.EndpointConverter.class,
      description = "Serve GET /metrics here. Default: not served.")
  HostPort metrics;

  @Option(names = "--print-resolver-config",
      description = "Print what to add to systemd-resolved, macOS or /etc/resolv.conf so every program resolves "
          + "the cluster zone here (for --listen and --cluster-domain), and exit.")
  boolean printResolverConfig;

  @Override
  public Integer call() throws Exception {
    for (String ns : search) {
      if (!NAMESPACE.matcher(ns).matches()) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "Invalid value for option '--search': '" + ns + "' is not a namespace name");
      }
    }
    List<HostPort> listenOn = listen.isEmpty() ? List.of(DEFAULT_LISTEN) : listen;
    String zone = clusterDomain == null ? ServerOptions.DEFAULT_CLUSTER_DOMAIN : clusterDomain;
    String context = null;
    List<ServerOptions.OtherContext> others = new ArrayList<>();
    for (int i = 0; i < contexts.size(); i++) {
      String c = contexts.get(i);
      int eq = c.indexOf('=');
      String name = eq < 0 ? c : c.substring(0, eq);
      String named = eq < 0 ? null : zoneOf(c, c.substring(eq + 1));
      if (name.isBlank()) {
        throw flagError("'" + c + "' names no context");
      }
      if (i == 0) {
        if (named != null && clusterDomain != null && !named.equals(clusterDomain)) {
          throw flagError("'" + c + "' and --cluster-domain " + clusterDomain + " name two zones for the first "
              + "cluster");
        }
        context = name;
        zone = named != null ? named : zone;
        continue;
      }
      if (named == null) {
        String label = name.toLowerCase(java.util.Locale.ROOT);
        if (!NAMESPACE.matcher(label).matches()) {
          throw flagError("context '" + name + "' is not a DNS label; name its zone: --context " + name + "=ZONE");
        }
      }
      others.add(new ServerOptions.OtherContext(name,
          named != null ? named : name.toLowerCase(java.util.Locale.ROOT) + "." + zone));
    }
    List<String> zones = new ArrayList<>(List.of(zone));
    for (ServerOptions.OtherContext oc : others) {
      for (String z : zones) {
        if (z.equals(oc.zone()) || z.endsWith("." + oc.zone())) {
          throw flagError("--context " + oc.context() + ": its zone " + oc.zone() + (z.equals(oc.zone())
              ? " is already served" : " would contain " + z + "; give it a zone of its own with NAME=ZONE"));
        }
      }
      zones.add(oc.zone());
    }
    if (printResolverConfig) {
      spec.commandLine().getOut().print(ResolverConfig.text(listenOn.get(0), zones));
      spec.commandLine().getOut().flush();
      return 0;
    }
    ServerOptions o = new ServerOptions();
    o.kubeconfig = kubeconfig(kubeconfig, System.getenv("KUBECONFIG"),
        Path.of(System.getProperty("user.home"), ".kube", "config"));
    o.context = context;
    o.otherClusters = List.copyOf(others);
    o.listen = new ArrayList<>(listenOn);
    o.upstream = upstream.isEmpty() ? laptopResolvers(EffectiveConfig.RESOLV_CONF, RESOLVED_UPSTREAMS) : upstream;
    o.clusterDomain = zone;
    o.health = health == null ? ServerOptions.OFF : health;
    o.ready = ready == null ? ServerOptions.OFF : ready;
    o.metrics = metrics == null ? ServerOptions.OFF : metrics;
    o.search = List.copyOf(search);
    o.threads = Math.min(THREADS, Runtime.getRuntime().availableProcessors());
    return Main.serve(o, new DevStatus(System.out, o.kubeconfig, o.search));
  }

  private CommandLine.ParameterException flagError(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), "Invalid value for option '--context': " + message);
  }

  /** The zone of {@code --context NAME=ZONE}, absolute and lowercase. */
  private String zoneOf(String flag, String zone) {
    try {
      return new ServerOptions.DomainConverter().convert(zone);
    } catch (CommandLine.TypeConversionException e) {
      throw flagError("'" + flag + "': " + e.getMessage());
    }
  }

  /**
   * The kubeconfig as kubectl finds it: the flag, else the first existing file of {@code $KUBECONFIG} (a list
   * separated like PATH), else {@code ~/.kube/config}. Never the in-cluster account: on a laptop its absence is
   * a mistake to name, not a fallback.
   */
  static Path kubeconfig(Path flag, String env, Path home) throws Main.StartupException {
    if (flag != null) {
      return flag;
    }
    if (env != null && !env.isBlank()) {
      for (String p : env.split(Pattern.quote(File.pathSeparator))) {
        if (!p.isBlank() && Files.isRegularFile(Path.of(p))) {
          return Path.of(p);
        }
      }
      throw new Main.StartupException("KUBECONFIG=" + env + " names no existing file; set it, or pass --kubeconfig");
    }
    if (Files.isRegularFile(home)) {
      return home;
    }
    throw new Main.StartupException("no kubeconfig: pass --kubeconfig FILE, set KUBECONFIG, or create " + home
        + " (kubectl config view shows what kubectl uses)");
  }

  /**
   * The laptop's resolvers: the nameservers of {@code resolvConf}, or, when it names only systemd-resolved's
   * stub, those systemd-resolved itself uses ({@code resolvedUpstreams}). Forwarding to the stub would loop once
   * a drop-in sends {@code ~cluster.local} here, since systemd-resolved may ask this server any name.
   */
  static List<HostPort> laptopResolvers(Path resolvConf, Path resolvedUpstreams) throws Main.StartupException {
    List<HostPort> servers;
    try {
      servers = ForwardConfig.readResolvConf(resolvConf);
    } catch (IOException | IllegalArgumentException e) {
      throw new Main.StartupException("no --upstream given and " + resolvConf + " has no usable nameserver: "
          + e.getMessage());
    }
    if (servers.stream().allMatch(s -> s.host().equals(RESOLVED_STUB)) && Files.isReadable(resolvedUpstreams)) {
      try {
        return ForwardConfig.readResolvConf(resolvedUpstreams);
      } catch (IOException | IllegalArgumentException e) {
        // systemd-resolved has no upstream of its own (offline): the stub is all there is
      }
    }
    return servers;
  }
}
