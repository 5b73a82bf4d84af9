package io.clusterdns.conformance;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The conformance runner's command line. Three targets: {@code --server} (any cluster DNS already serving
 * the fixture), {@code --start-clusterdns} (the built jar on the fixture via {@code --snapshot}), and
 * {@code --kubeconfig} (apply the fixture to a real cluster, then query {@code --server}). Exit status 0
 * only when every selected case passed. Runs on the main thread.
 */
@Command(name = "clusterdns-conformance", mixinStandardHelpOptions = true,
    description = "Checks exact cluster DNS answers with dig against the conformance fixture.")
public final class ConformanceCommand implements Callable<Integer> {

  /** Bound for mode 3: how long the cluster's DNS may take to show the applied fixture. */
  static final Duration PROGRAMMING_DEADLINE = Duration.ofSeconds(120);

  @Option(names = "--server", paramLabel = "HOST:PORT",
      description = "DNS server to query (mode 1, and mode 3's target).")
  String server;

  @Option(names = "--start-clusterdns", description = "Mode 2: start the built jar on the fixture.")
  boolean startClusterDns;

  @Option(names = "--kubeconfig", paramLabel = "FILE",
      description = "Mode 3: apply the fixture to this cluster, query --server, delete the fixture.")
  Path kubeconfig;

  @Option(names = "--in-cluster",
      description = "Mode 3 from a pod: like --kubeconfig, with the pod's ServiceAccount credentials.")
  boolean inCluster;

  @Option(names = "--jar", paramLabel = "PATH", defaultValue = "dns-server/target/clusterdns.jar",
      description = "clusterdns jar for mode 2 (default: ${DEFAULT-VALUE}).")
  Path jar;

  @Option(names = "--tags", split = ",", paramLabel = "TAG",
      description = "Run only cases with one of these tags (or ids).")
  List<String> tags = new ArrayList<>();

  @Option(names = "--exclude-tags", split = ",", paramLabel = "TAG",
      description = "Skip cases with any of these tags (or ids).")
  List<String> excludeTags = new ArrayList<>();

  @Option(names = "--junit-xml", paramLabel = "PATH", description = "Write a JUnit XML report here.")
  Path junitXml;

  @Option(names = "--cases", paramLabel = "FILE",
      description = "Case table (default: ./cases.tsv, ./conformance/cases.tsv, else the packaged copy).")
  Path cases;

  @Option(names = "--fixture", paramLabel = "DIR",
      description = "Fixture manifests (default: ./fixture, ./conformance/fixture, else the packaged copy).")
  Path fixtureDir;

  @Option(names = "--pods", defaultValue = "insecure", paramLabel = "MODE",
      description = "Pods mode the server under test runs with in modes 1 and 3 (default: ${DEFAULT-VALUE}).")
  String pods;

  @Option(names = "--upstream-port", defaultValue = "0", paramLabel = "PORT",
      description = "Mode 1: start the Knot upstream fixture on 127.0.0.1:PORT (the server under test "
          + "must forward to it) and run the cases tagged upstream.")
  int upstreamPort;

  @Option(names = "--no-upstream", description = "Mode 2: do not start Knot; skip cases tagged upstream.")
  boolean noUpstream;

  @Option(names = "--cluster-domain", defaultValue = "cluster.local", paramLabel = "NAME",
      description = "Cluster domain of the server under test (default: ${DEFAULT-VALUE}).")
  String clusterDomain;

  @Option(names = "--dig", defaultValue = "dig", paramLabel = "PATH", description = "dig executable.")
  String digPath;

  @Option(names = "--knotd", defaultValue = "", paramLabel = "PATH",
      description = "knotd executable (default: knotd on PATH, else /usr/sbin/knotd).")
  String knotdPath;

  @Option(names = "--work-dir", paramLabel = "DIR",
      description = "Directory for generated files and logs (default: a new temp dir).")
  Path workDir;

  public static void main(String[] args) {
    CommandLine cli = new CommandLine(new ConformanceCommand());
    // Set-up failures (jar missing, server not ready, cluster unreachable) are one message, exit 2.
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      cmd.getErr().println("conformance: " + e.getMessage());
      return 2;
    });
    System.exit(cli.execute(args));
  }

  @Override
  public Integer call() throws Exception {
    long start = System.nanoTime();
    List<CaseResult> results = execute(System.out);
    Report.print(results, System.out);
    if (junitXml != null) {
      Report.writeJunitXml(results, junitXml, (System.nanoTime() - start) / 1e9);
      System.out.println("JUnit XML: " + junitXml.toAbsolutePath());
    }
    boolean ok = results.stream().noneMatch(CaseResult::failed)
        && results.stream().anyMatch(CaseResult::passed);
    return ok ? 0 : 1;
  }

  /** Sets up the chosen target, runs the selected cases, tears everything down, returns the results. */
  public List<CaseResult> execute(PrintStream out) throws IOException {
    boolean mode3 = kubeconfig != null || inCluster;
    int modes = (server != null && !mode3 ? 1 : 0) + (startClusterDns ? 1 : 0) + (mode3 ? 1 : 0);
    if (modes != 1) {
      throw new CommandLine.ParameterException(new CommandLine(this),
          "choose exactly one of --server, --start-clusterdns, --kubeconfig (with --server)");
    }
    if (mode3 && server == null) {
      throw new CommandLine.ParameterException(new CommandLine(this), "--kubeconfig/--in-cluster need --server");
    }
    Path dir = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("conformance");
    Dig dig = new Dig(digPath);
    Fixture fixture = Fixture.load(firstExisting(fixtureDir, Path.of("fixture"), Path.of("conformance", "fixture")));
    String table = Fixture.loadCases(firstExisting(cases, Path.of("cases.tsv"), Path.of("conformance", "cases.tsv")));

    if (startClusterDns) {
      return runMode2(out, dir, dig, fixture, table);
    }
    if (mode3) {
      return runMode3(out, dig, fixture, table);
    }
    return runMode1(out, dir, dig, table);
  }

  private List<CaseResult> runMode1(PrintStream out, Path dir, Dig dig, String table) throws IOException {
    List<DigCase> selected = select(table, AddressMap.identity(clusterDomain));
    Map<String, String> unavailable = new HashMap<>();
    KnotUpstream knot = null;
    try {
      if (upstreamPort > 0) {
        knot = KnotUpstream.start(knotd(), upstreamPort, dir, dig);
        out.println("conformance: upstream fixture (knotd) on " + knot.address());
      } else {
        unavailable.put("upstream", "needs --upstream-port (the Knot fixture the server forwards to)");
      }
      Environment env = new Environment(Map.of(pods, ServerAddress.parse(server)), pods, unavailable);
      return new SuiteRunner(dig).run(selected, env);
    } finally {
      if (knot != null) {
        knot.close();
      }
    }
  }

  private List<CaseResult> runMode2(PrintStream out, Path dir, Dig dig, Fixture fixture, String table)
      throws IOException {
    List<DigCase> selected = select(table, AddressMap.identity(clusterDomain));
    Path snapshot = dir.resolve("fixture-snapshot.yaml");
    String yaml = fixture.concatenated(true);
    if (!clusterDomain.equals("cluster.local")) {
      yaml = yaml.replace("cluster.local", clusterDomain);
    }
    Files.writeString(snapshot, yaml, StandardCharsets.UTF_8);
    Set<String> modes = new LinkedHashSet<>(List.of("insecure"));
    for (DigCase c : selected) {
      if (c.podsMode() != null) {
        modes.add(c.podsMode());
      }
    }
    Map<String, String> unavailable = new HashMap<>();
    List<AutoCloseable> started = new ArrayList<>();
    try {
      ServerAddress upstream = null;
      if (noUpstream) {
        unavailable.put("upstream", "--no-upstream");
      } else {
        KnotUpstream knot = KnotUpstream.start(knotd(), 0, dir, dig);
        started.add(knot);
        upstream = knot.address();
        out.println("conformance: upstream fixture (knotd) on " + upstream);
      }
      Map<String, ServerAddress> servers = new LinkedHashMap<>();
      for (String mode : modes) {
        ClusterDnsProcess p = ClusterDnsProcess.start(jar, snapshot, mode, upstream, clusterDomain, dir, dig);
        started.add(p);
        servers.put(mode, p.address());
        out.println("conformance: clusterdns --pods " + mode + " pid " + p.pid() + " on " + p.address());
      }
      Environment env = new Environment(servers, "insecure", unavailable);
      return new SuiteRunner(dig).run(selected, env);
    } finally {
      for (int i = started.size() - 1; i >= 0; i--) {
        try {
          started.get(i).close();
        } catch (Exception e) {
          out.println("conformance: stopping a child process failed: " + e);
        }
      }
    }
  }

  private List<CaseResult> runMode3(PrintStream out, Dig dig, Fixture fixture, String table) throws IOException {
    // Without --kubeconfig, fabric8's auto-configuration finds the pod's ServiceAccount.
    Config config = kubeconfig != null
        ? Config.fromKubeconfig(Files.readString(kubeconfig, StandardCharsets.UTF_8)) : Config.autoConfigure(null);
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
      return runAgainstCluster(client, out, dig, fixture, table);
    }
  }

  /** Mode 3 with a given client (the mock API server in tests). */
  List<CaseResult> runAgainstCluster(KubernetesClient client, PrintStream out, Dig dig, Fixture fixture,
      String table) {
    try (ClusterFixture applied = ClusterFixture.apply(client, fixture, out)) {
      out.println("conformance: applied " + applied.created().size() + " objects; ClusterIPs "
          + applied.addresses());
      Map<String, String> unavailable = new HashMap<>();
      unavailable.put("upstream", "mode 3: the cluster's DNS forwards to its own upstreams");
      unavailable.put("standalone", "mode 3: the server is a pod behind a Service (NS/ns.dns differ)");
      if (!applied.unmapped().isEmpty()) {
        unavailable.put("dualstack", "the cluster allocated no ClusterIP for " + applied.unmapped());
      }
      List<DigCase> selected = select(table, new AddressMap(applied.addresses(), clusterDomain));
      ServerAddress target = ServerAddress.parse(server);
      awaitProgrammed(dig, target);
      Environment env = new Environment(Map.of(pods, target), pods, unavailable);
      return new SuiteRunner(dig).run(selected, env);
    }
  }

  /** Waits (bounded) until the cluster's DNS shows the last-created fixture objects. */
  private void awaitProgrammed(Dig dig, ServerAddress target) {
    long end = System.nanoTime() + PROGRAMMING_DEADLINE.toNanos();
    while (System.nanoTime() < end) {
      DigReply big = dig.query(target, "big.conf-a.svc." + clusterDomain + ".", "A", List.of("+tcp"));
      DigReply db = dig.query(target, "db.conf-b.svc." + clusterDomain + ".", "A", List.of());
      if (big.answer().size() == 40 && "NOERROR".equals(db.status()) && !db.answer().isEmpty()) {
        return;
      }
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    throw new IllegalStateException("the DNS server at " + target + " did not show the fixture within "
        + PROGRAMMING_DEADLINE.toSeconds() + " s");
  }

  private List<DigCase> select(String table, AddressMap rewrite) {
    return SuiteRunner.select(CaseTable.parse(table, rewrite), tags, excludeTags);
  }

  private String knotd() {
    if (!knotdPath.isEmpty()) {
      return knotdPath;
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "knotd"))) {
        return Path.of(dir, "knotd").toString();
      }
    }
    return "/usr/sbin/knotd";
  }

  private static Path firstExisting(Path given, Path... defaults) {
    if (given != null) {
      return given;
    }
    for (Path p : defaults) {
      if (Files.exists(p)) {
        return p;
      }
    }
    return null;
  }
}
