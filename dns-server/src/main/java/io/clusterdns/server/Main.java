package io.clusterdns.server;

import io.clusterdns.config.HostPort;
import io.clusterdns.config.PodsMode;
import io.clusterdns.server.explain.ExplainEndpoint;
import io.clusterdns.server.net.TcpLimits;
import io.clusterdns.server.ops.AclMetrics;
import io.clusterdns.server.ops.AutopathMetrics;
import io.clusterdns.server.ops.DnsMetrics;
import io.clusterdns.server.ops.ErrorLog;
import io.clusterdns.server.ops.HealthProbe;
import io.clusterdns.server.ops.LogFormat;
import io.clusterdns.server.ops.OpsServer;
import io.clusterdns.server.ops.ReloadMetrics;
import io.clusterdns.server.ops.ServerMetrics;
import io.clusterdns.server.query.QueryLog;
import io.clusterdns.server.query.QueryObserver;
import io.clusterdns.server.query.ResponseRateLimiter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.time.Duration;
import java.io.PrintWriter;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code java -jar clusterdns.jar [flags]}: parses the command line (cli.md), loads the cluster, starts the
 * listeners and serves until SIGTERM/SIGINT. Exit codes: 0 after a clean stop, 1 when start-up fails (a line
 * naming the cause on stderr), 2 for a bad command line.
 */
@Command(
    name = "clusterdns",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = "Cluster DNS server for Kubernetes: answers the cluster zone from an in-memory index and "
        + "forwards everything else.",
    subcommands = {DevCommand.class, ExplainCommand.class})
public final class Main implements Callable<Integer> {
  @Mixin ServerOptions options;

  private static final Logger LOG = Logger.getLogger("clusterdns");

  public static void main(String[] args) throws Exception {
    quietLeakDetection();
    System.exit(run(args));
  }

  /**
   * Netty samples one buffer in 128 for leak tracking by default and records a stack trace for each: 1-2 % of
   * the server's CPU under load in an async-profiler run of the peer rig (RESULTS.md, issue 16), for a
   * debugging aid. Off unless {@code -Dio.netty.leakDetection.level} asks for it.
   */
  private static void quietLeakDetection() {
    if (System.getProperty("io.netty.leakDetection.level") == null) {
      io.netty.util.ResourceLeakDetector.setLevel(io.netty.util.ResourceLeakDetector.Level.DISABLED);
    }
  }

  /** Runs the command line and returns the exit code; the process keeps serving until stopped. */
  public static int run(String... args) {
    CommandLine cmd = new CommandLine(new Main());
    cmd.setParameterExceptionHandler((ex, a) -> {
      PrintWriter err = ex.getCommandLine().getErr();
      err.println("clusterdns: " + ex.getMessage());
      if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
        err.println("Did you mean " + String.join(" or ", u.getSuggestions()) + "?");
      }
      err.println("Run '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for the flags.");
      return 2;
    });
    cmd.setExecutionExceptionHandler((ex, c, parseResult) -> {
      LogFormat.flush(); // the warnings logged before the failure come first
      c.getErr().println("clusterdns: " + describe(ex));
      return 1;
    });
    return cmd.execute(args);
  }

  @Override
  public Integer call() throws Exception {
    return serve(options, StartupHooks.NONE);
  }

  /**
   * The one start-up path, for the server and the {@code dev} command alike: validates {@code o}, resolves the
   * effective configuration, starts the listeners and serves until stopped.
   *
   * @param hooks what the calling command adds (the dev command's status and search list)
   */
  static int serve(ServerOptions o, StartupHooks hooks) throws Exception {
    long t0 = System.nanoTime();
    CountDownLatch stopped = new CountDownLatch(1);
    checkDataSource(o);
    if (o.startupTimeoutSeconds != null && (o.startupTimeoutSeconds < 0 || o.startupTimeoutSeconds > 600)) {
      throw new StartupException("--startup-timeout must be between 0 and 600 seconds, not " + o.startupTimeoutSeconds);
    }
    if (o.threads < 1 || o.threads > 256) {
      throw new StartupException("--threads must be between 1 and 256, not " + o.threads);
    }
    TcpLimits tcpLimits;
    try {
      tcpLimits = o.tcpLimits();
    } catch (IllegalArgumentException e) {
      throw new StartupException(e.getMessage());
    }
    ResponseRateLimiter rrl = rateLimiter(o);
    LogFormat.install(o.logFormat.equals("json"));
    EffectiveConfig cfg = EffectiveConfig.resolve(o);
    for (String w : cfg.warnings()) {
      LOG.warning(w);
    }
    PrometheusRegistry registry = new PrometheusRegistry();
    if (o.checkConfig) {
      String data = "an API server (not contacted by --check-config)";
      if (o.snapshot != null || o.demo) {
        try (ClusterSource source = ClusterSource.open(o, cfg, registry)) {
          data = source.describe();
        }
      }
      System.out.printf("configuration OK: zones %s, pods %s, ttl %d; listen %s; forward %s; data from %s%s%n",
          cfg.kubernetes().zones(), cfg.kubernetes().pods().name().toLowerCase(java.util.Locale.ROOT),
          cfg.kubernetes().ttl(), cfg.listen(),
          cfg.forwards().stream().map(f -> f.zone() + " -> " + f.upstreams()
              + (f.hedge().enabled() ? " (hedged)" : "")).toList(), data,
          cfg.autopath() == null ? "" : "; autopath @kubernetes in " + cfg.autopath().zones()
              + ", node search domains " + cfg.autopath().searchDomains());
      return 0;
    }
    if (!o.demo) { // the demo's 7 services are not a bulk read
      JitDirectives.installInBackground();
    }
    ServerMetrics.registerProcess(registry, Version.VERSION);
    ReloadMetrics reloadMetrics = new ReloadMetrics(registry);
    Upstreams.Metrics upstreamMetrics = new Upstreams.Metrics(registry);
    ClusterSource source = ClusterSource.open(o, cfg, registry, hooks.watchListener());
    List<ClusterSource.Other> others;
    try {
      others = ClusterSource.openOthers(o, cfg, hooks);
    } catch (Exception e) {
      source.close();
      throw e;
    }
    List<ClusterDnsServer.OtherCluster> otherZones = others.stream().map(ClusterSource.Other::cluster).toList();
    List<InetSocketAddress> addrs = socketAddresses(cfg.listen());
    DnsMetrics dnsMetrics = new DnsMetrics(registry, cfg.serverLabel(), ".");
    AclMetrics aclMetrics = new AclMetrics(registry);
    AutopathMetrics autopathMetrics = new AutopathMetrics(registry);
    ClusterDnsServer server = new ClusterDnsServer(cfg.kubernetes(), source.snapshots(), selfAddresses(),
        Upstreams.factory(cfg.forwards(), cfg.cache(), upstreamMetrics, cfg.serverLabel()),
        observer(dnsMetrics, cfg), o.threads, cfg.loadbalance(),
        plugins(cfg, aclMetrics, autopathMetrics, otherZones), rrl);
    server.queryLog(queryLog(cfg));
    server.closeWith(source);
    others.forEach(x -> server.closeWith(x.watch()));
    server.tcpLimits(tcpLimits);
    ServerMetrics.registerPipeline(registry, server.pipeline());
    ServerMetrics.registerTcp(registry, server.tcpConnections());
    ServerMetrics.registerRateLimit(registry, rrl);
    reloadMetrics.plugins(cfg.plugins());
    if (cfg.checksum() != null) {
      reloadMetrics.running(cfg.checksum());
    }
    AtomicBoolean shuttingDown = new AtomicBoolean();
    AtomicInteger exitStatus = new AtomicInteger();
    AtomicReference<EffectiveConfig> running = new AtomicReference<>(cfg);
    InetSocketAddress explainAt = o.explain == null || ServerOptions.isOff(o.explain) ? null : socketAddress(o.explain);
    try {
      server.listen(addrs);
      server.closeWith(OpsServer.start(
          cfg.health() == null ? null : socketAddress(cfg.health()),
          cfg.ready() == null ? null : socketAddress(cfg.ready()),
          cfg.metrics() == null ? null : socketAddress(cfg.metrics()),
          () -> shuttingDown.get() ? List.of("Shutting down")
              : source.snapshots().synced() && others.stream().allMatch(x -> x.watch().synced()) ? List.of()
              : List.of("kubernetes"),
          registry, explainAt,
          explainAt == null ? null : explainEndpoint(server, running, source, upstreamMetrics),
          ExplainEndpoint.CONCURRENT));
      server.closeWith(HealthProbe.start(registry, cfg.health() == null ? null : socketAddress(cfg.health())));
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
    Reloader reloader = new Reloader(o.conf, cfg, () -> EffectiveConfig.resolve(o), next -> {
      EffectiveConfig prev = running.get();
      for (String w : restartOnly(prev, next)) {
        LOG.warning(w);
      }
      // Built whole before anything serving changes; then the listeners, then one swap. A failure on the way
      // (an address that cannot be bound) leaves the running configuration as it was.
      // The series keep the server label of start-up: a registry takes each series once.
      ClusterDnsServer.Prepared built = server.prepare(next.kubernetes(),
          Upstreams.factory(next.forwards(), next.cache(), upstreamMetrics, prev.serverLabel()),
          observer(dnsMetrics, next), next.loadbalance(), queryLog(next),
          plugins(next, aclMetrics, autopathMetrics, otherZones));
      if (!next.listen().equals(prev.listen())) {
        try {
          server.rebind(socketAddresses(next.listen()));
        } catch (IOException | RuntimeException e) {
          server.discard(built);
          throw e;
        }
      }
      server.commit(built);
      reloadMetrics.plugins(next.plugins());
      for (String w : next.warnings()) {
        LOG.warning(w);
      }
      running.set(next);
      return next.reload();
    }, reloadMetrics);
    server.closeWith(reloader);
    reloader.start();
    handleHangup(reloader::hangup);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      // SIGTERM: /ready fails at once; DNS and /health keep answering for the lameduck period, so the
      // Service's endpoints drop this pod before it stops (behaviours.md 13.2).
      shuttingDown.set(true);
      try {
        Thread.sleep(running.get().lameduck().toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      server.close();
      stopped.countDown();
      // SIGTERM after a clean stop is a normal end: exit 0 (cli.md), not the JVM's 128+15. A loop detected at
      // start-up set its own status before it called exit.
      LogFormat.flush();
      Runtime.getRuntime().halt(exitStatus.get());
    }, "shutdown"));
    long ms = (System.nanoTime() - t0) / 1_000_000;
    LOG.info(String.format("clusterdns %s: serving %s from %s; listening on %s (%s, %d event loops); up in %d ms",
        Version.VERSION, cfg.kubernetes().clusterDomain(), source.describe(), describe(server.boundAddresses()),
        server.loops().epoll() ? "epoll" : "nio", o.threads, ms));
    hooks.serving(cfg, server.boundAddresses());
    if (Boolean.getBoolean(CDS_TRAINING)) {
      askOnce(server.boundAddresses().get(0), cfg.kubernetes().clusterDomain());
      System.exit(0);
    }
    if (cfg.loopCheck()) {
      // A forwarding loop (e.g. resolv.conf naming this server) turns every outside name into a storm: exit
      // non-zero so the orchestrator shows it (behaviours.md 11.6). Checked off the start-up path.
      String upstreamList = cfg.forwards().stream().flatMap(f -> f.upstreams().stream()).toList().toString();
      server.checkForwardingLoop(LOOP_CHECK_TIMEOUT).thenAccept(looped -> {
        if (looped) {
          LOG.severe(server.loopDetector().message(upstreamList));
          exitStatus.set(1);
          // Not on the event loop that saw the probe: the shutdown hook waits for the event loops to stop.
          Thread exit = new Thread(() -> System.exit(1), "loop-exit");
          exit.start();
        }
      });
    }
    stopped.await();
    return 0;
  }

  /** One source of cluster data: a snapshot, the demo, or an API server (the server's and explain's rule). */
  static void checkDataSource(ServerOptions o) throws StartupException {
    if (o.snapshot != null && o.demo) {
      throw new StartupException("--snapshot and --demo cannot be used together");
    }
    if ((o.snapshot != null || o.demo) && (o.kubeconfig != null || o.context != null)) {
      throw new StartupException("--kubeconfig/--context watch an API server; they cannot be combined with "
          + (o.demo ? "--demo" : "--snapshot"));
    }
  }

  /**
   * {@code /explain} of the running server: the configuration in force (after reloads), the primary cluster's
   * index, the server's own DNS listener, the answer cache of the pipeline in force, and the forwarders' word on
   * which upstream answered.
   */
  private static ExplainEndpoint explainEndpoint(ClusterDnsServer server, AtomicReference<EffectiveConfig> running,
      ClusterSource source, Upstreams.Metrics upstreamMetrics) {
    List<InetAddress> self = selfAddresses();
    return new ExplainEndpoint(
        () -> ExplainCommand.explainer(running.get(), source.snapshots(), self),
        () -> server.boundAddresses().get(0),
        (name, type) -> ExplainCommand.cacheState(server.pipeline().current().cache(), name, type),
        upstreamMetrics.forward().answers());
  }

  /** SIGHUP asks for a reload of the Corefile (cli.md); the JVM's default would end the process. */
  static void handleHangup(Runnable action) {
    try {
      sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> action.run());
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      // no SIGHUP on this platform
    }
  }

  /** The metrics observer, behind the {@code errors} log when configured. */
  private static QueryObserver observer(DnsMetrics metrics, EffectiveConfig cfg) {
    return cfg.errors() == null ? metrics : new ErrorLog(metrics, cfg.errors());
  }

  /** Response rate limiting from {@code --rrl}, or null when it is off (the default). */
  static ResponseRateLimiter rateLimiter(ServerOptions o) throws StartupException {
    if (o.rrl == null) {
      if (o.rrlSlip != null || o.rrlIpv4Prefix != null || o.rrlIpv6Prefix != null) {
        throw new StartupException("--rrl-slip, --rrl-ipv4-prefix and --rrl-ipv6-prefix need --rrl RATE");
      }
      return null;
    }
    try {
      return new ResponseRateLimiter(o.rrl,
          o.rrlSlip == null ? ResponseRateLimiter.DEFAULT_SLIP : o.rrlSlip,
          o.rrlIpv4Prefix == null ? ResponseRateLimiter.DEFAULT_IPV4_PREFIX : o.rrlIpv4Prefix,
          o.rrlIpv6Prefix == null ? ResponseRateLimiter.DEFAULT_IPV6_PREFIX : o.rrlIpv6Prefix);
    } catch (IllegalArgumentException e) {
      throw new StartupException("--rrl: " + e.getMessage());
    }
  }

  /**
   * The configuration's server blocks with their plugins and the search, with the further clusters (dev); the
   * acl counts on the process's one set of series.
   */
  private static ClusterDnsServer.Plugins plugins(EffectiveConfig cfg, AclMetrics aclMetrics,
      AutopathMetrics autopathMetrics, List<ClusterDnsServer.OtherCluster> others) {
    return new ClusterDnsServer.Plugins(cfg.routes(), aclMetrics, cfg.search(), others, cfg.autopath(),
        autopathMetrics.success(cfg.serverLabel()));
  }

  private static QueryLog queryLog(EffectiveConfig cfg) {
    return cfg.log().isEmpty() ? null : new QueryLog(cfg.log());
  }

  /**
   * What a reload cannot change in a running process, said once per reload that changes it: the watch's scope
   * (it decides which objects are in the index), the pods mode's switch to or from {@code verified} (which
   * watches Pods), and the HTTP endpoints' addresses.
   */
  static List<String> restartOnly(EffectiveConfig prev, EffectiveConfig next) {
    List<String> out = new ArrayList<>();
    boolean verifiedBefore = prev.kubernetes().pods() == PodsMode.VERIFIED;
    boolean verifiedAfter = next.kubernetes().pods() == PodsMode.VERIFIED;
    if (!prev.watch().equals(next.watch()) || verifiedBefore != verifiedAfter
        || prev.kubernetes().endpointPodNames() != next.kubernetes().endpointPodNames()) {
      out.add("reload: the kubernetes watch options changed (kubeconfig, namespaces, labels, pods verified, "
          + "endpoint_pod_names); they take effect after a restart, the rest of the new configuration is in force");
    }
    if (!java.util.Objects.equals(prev.health(), next.health()) || !java.util.Objects.equals(prev.ready(), next.ready())
        || !java.util.Objects.equals(prev.metrics(), next.metrics())) {
      out.add("reload: the health, ready or prometheus address changed; it takes effect after a restart");
    }
    return out;
  }

  private static List<InetSocketAddress> socketAddresses(List<HostPort> hps) throws java.net.UnknownHostException {
    List<InetSocketAddress> out = new ArrayList<>();
    for (HostPort hp : hps) {
      out.add(socketAddress(hp));
    }
    return out;
  }

  /**
   * System property of the build's class-data-sharing run (dns-server/src/main/launcher/package.sh): once up,
   * the server asks itself one question, so the query path's classes are archived too, and exits.
   */
  static final String CDS_TRAINING = "clusterdns.cds.train";

  /** One A query for {@code kubernetes.default.svc.<domain>} over UDP, waiting up to 5 s for the reply. */
  private static void askOnce(InetSocketAddress server, String domain) throws IOException {
    java.io.ByteArrayOutputStream q = new java.io.ByteArrayOutputStream();
    q.writeBytes(new byte[] {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0});
    for (String label : ("kubernetes.default.svc." + domain).split("\\.")) {
      q.write(label.length());
      q.writeBytes(label.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }
    q.writeBytes(new byte[] {0, 0, 1, 0, 1});
    InetSocketAddress to = server.getAddress().isAnyLocalAddress()
        ? new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getPort()) : server;
    try (java.net.DatagramSocket s = new java.net.DatagramSocket()) {
      s.setSoTimeout(5000);
      byte[] out = q.toByteArray();
      s.send(new java.net.DatagramPacket(out, out.length, to));
      s.receive(new java.net.DatagramPacket(new byte[512], 512));
    }
  }

  /** How long the start-up loop check waits for its probe (the forwarder's own budget is shorter). */
  static final Duration LOOP_CHECK_TIMEOUT = Duration.ofSeconds(10);

  private static InetSocketAddress socketAddress(HostPort hp) throws java.net.UnknownHostException {
    return hp.host().isEmpty()
        ? new InetSocketAddress(hp.port())
        : new InetSocketAddress(InetAddress.getByName(hp.host()), hp.port());
  }

  private static String describe(List<InetSocketAddress> addrs) {
    List<String> s = new ArrayList<>();
    for (InetSocketAddress a : addrs) {
      String h = a.getAddress().getHostAddress();
      s.add("udp+tcp " + (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + a.getPort());
    }
    return String.join(", ", s);
  }

  private static String describe(Throwable t) {
    if (t instanceof StartupException || t instanceof java.net.BindException) {
      return t.getMessage();
    }
    String m = t.getMessage();
    return m == null ? t.toString() : m;
  }

  /** The server's own non-loopback addresses: the glue of {@code ns.dns.<zone>} (behaviours.md 9.4). */
  static List<InetAddress> selfAddresses() {
    List<InetAddress> out = new ArrayList<>();
    try {
      for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nif.isUp() || nif.isLoopback()) {
          continue;
        }
        for (InetAddress a : Collections.list(nif.getInetAddresses())) {
          if (a.isLoopbackAddress() || a.isLinkLocalAddress()) {
            continue;
          }
          out.add(a instanceof Inet6Address v6 && v6.getScopeId() != 0
              ? InetAddress.getByAddress(v6.getAddress()) : a);
        }
      }
    } catch (SocketException | java.net.UnknownHostException e) {
      // No interfaces readable: ns.dns then has no address records.
    }
    return out;
  }

  /** A start-up failure whose message is the whole explanation (no stack trace). */
  public static final class StartupException extends Exception {
    public StartupException(String message) {
      super(message);
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    static final String VERSION = versionOf();

    private static String versionOf() {
      String v = Main.class.getPackage().getImplementationVersion();
      return v == null ? "dev" : v;
    }

    @Override
    public String[] getVersion() {
      return new String[] {"clusterdns " + VERSION + " (Java " + Runtime.version() + ")"};
    }
  }
}
