package io.clusterdns.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.clusterdns.server.forward.FakeUpstream;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code clusterdns dev} (issue 21) run as a developer runs it, {@code java -jar clusterdns.jar dev}, against
 * fabric8's mock API server in CRUD mode with a generated kubeconfig and a fake upstream on loopback: a service
 * answered from the watch, an outside name forwarded, no HTTP port opened, the status on standard output, short
 * names with {@code --search}, 401 and 403 named within the start-up timeout and the recovery reported, and
 * {@code --print-resolver-config}.
 */
class DevCommandIT {
  /** Longest wait for the watch to sync or recover; the watch's retries back off to 30 s. */
  private static final Duration CONVERGE = Duration.ofSeconds(90);

  /** Longest a command that prints and exits may take. */
  private static final Duration EXIT_DEADLINE = Duration.ofSeconds(60);

  private static DenyingDispatcher dispatcher;
  private static KubernetesMockServer api;
  private static KubernetesClient client;
  private static FakeUpstream upstream;
  private static ServerProcess dev;
  private static Path dir;

  /** The CRUD dispatcher with a switch: while {@link #deny} is non-zero every request gets that status. */
  static final class DenyingDispatcher extends KubernetesCrudDispatcher {
    volatile int deny;

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      int code = deny;
      if (code == 0) {
        return super.dispatch(request);
      }
      String reason = code == 401 ? "Unauthorized" : "Forbidden";
      return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json")
          .setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":\"" + reason
              + "\",\"reason\":\"" + reason + "\",\"code\":" + code + "}");
    }
  }

  /** A mock API server in CRUD mode holding default/kubernetes and payments/api. */
  static KubernetesMockServer apiServer(DenyingDispatcher d) {
    KubernetesMockServer s = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), d, false);
    s.init(InetAddress.getLoopbackAddress(), 0);
    try (KubernetesClient c = s.createClient()) {
      for (String ns : List.of("default", "payments")) {
        c.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
            .create();
      }
      c.services().inNamespace("default").resource(service("default", "kubernetes", "10.96.0.1")).create();
      c.services().inNamespace("payments").resource(service("payments", "api", "10.96.7.7")).create();
    }
    return s;
  }

  private static io.fabric8.kubernetes.api.model.Service service(String ns, String name, String ip) {
    return new ServiceBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
        .withNewSpec().withClusterIP(ip).withClusterIPs(ip)
        .addNewPort().withName("https").withPort(443).withProtocol("TCP").endPort().endSpec().build();
  }

  static Path kubeconfig(Path in, String context, int port) throws IOException {
    return TestKubeconfig.write(in.resolve("kubeconfig-" + context), context, "http://127.0.0.1:" + port, "dummy");
  }

  @BeforeAll
  static void start() throws Exception {
    dispatcher = new DenyingDispatcher();
    api = apiServer(dispatcher);
    client = api.createClient();
    upstream = new FakeUpstream(FakeUpstream.answering("192.0.2.7"));
    dir = Files.createTempDirectory("dev-command");
    Path kc = kubeconfig(dir, "laptop", api.getPort());
    dev = ServerProcess.startWithoutEndpoints(List.of("-Xmx256m"), Map.of(),
        p -> List.of("dev", "--kubeconfig", kc.toString(), "--upstream", upstream.hostPort().toString(),
            "--search", "payments"));
    await(() -> dig("+short", "kubernetes.default.svc.cluster.local"), o -> o.contains("10.96.0.1"), dev);
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (dev != null) {
        dev.close();
      }
      if (client != null) {
        client.close();
      }
      if (upstream != null) {
        upstream.close();
      }
    } finally {
      MockApiServers.stop(api);
    }
  }

  private static String dig(String... args) {
    try {
      return Dig.run(dev.dns(), args);
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Polls {@code probe} until {@code done} holds, at most {@link #CONVERGE}; returns the last value. */
  private static String await(Supplier<String> probe, Predicate<String> done, ServerProcess server)
      throws InterruptedException {
    long deadline = System.nanoTime() + CONVERGE.toNanos();
    String out = probe.get();
    while (!done.test(out)) {
      if (System.nanoTime() > deadline) {
        fail("not within " + CONVERGE.toSeconds() + " s; last:\n" + out + "\noutput:\n" + server.output());
      }
      Thread.sleep(100);
      out = probe.get();
    }
    return out;
  }

  @Test
  void answersAServiceOfTheWatchedCluster() {
    assertEquals(List.of("10.96.7.7"), Dig.lines(dig("+short", "api.payments.svc.cluster.local")));
  }

  @Test
  void forwardsOutsideNamesToTheUpstream() {
    int before = upstream.udpQueries();
    assertEquals(List.of("192.0.2.7"), Dig.lines(dig("+short", "www.example.org")));
    assertTrue(upstream.udpQueries() > before, "asked the upstream");
  }

  @Test
  void opensNoHealthReadyOrMetricsPort() throws IOException {
    assertEquals(Set.of(dev.ports().dns()), listeningTcpPorts(dev.process().pid()),
        "the only TCP port listened on is DNS:\n" + dev.output());
  }

  @Test
  void statusNamesContextCountsListenAddressAndTheDigLine() throws InterruptedException {
    String dns = "127.0.0.1:" + dev.ports().dns();
    await(dev::output, o -> o.contains("synced, watching 2 namespaces, 2 services"), dev);
    String out = dev.output();
    assertTrue(out.contains("first sync with the API server at http://127.0.0.1:" + api.getPort() + "/ ..."), out);
    assertTrue(out.contains("context     laptop (kubeconfig "), out);
    assertTrue(out.contains("API server  http://127.0.0.1:" + api.getPort() + "/"), out);
    assertTrue(out.contains("listening   udp+tcp " + dns + "; no health/ready/metrics port"), out);
    assertTrue(out.contains("try         dig @127.0.0.1 -p " + dev.ports().dns()
        + " kubernetes.default.svc.cluster.local"), out);
    assertTrue(out.contains("upstream    " + upstream.hostPort() + " for every other name; cached"), out);
    assertTrue(out.contains("short names searched in payments, then svc.cluster.local, cluster.local"), out);
    // It listens only after the first sync, so no block that shows it listening may say the sync is running.
    for (String block : out.split("---- clusterdns dev status")) {
      assertTrue(!block.contains("listening   udp+tcp") || !block.contains("first sync running"), block);
    }
  }

  /** A new service shows up in the status once its count changes (at most every 10 s). */
  @Test
  void statusFollowsTheCluster() throws InterruptedException {
    client.services().inNamespace("payments").resource(service("payments", "ledger", "10.96.7.8")).create();
    await(() -> dig("+short", "ledger.payments.svc.cluster.local"), o -> o.contains("10.96.7.8"), dev);
    await(dev::output, o -> o.contains("synced, watching 2 namespaces, 3 services"), dev);
  }

  /** The answer keeps the question's spelling (a client matching 0x20-randomised case accepts it). */
  @ParameterizedTest
  @CsvSource({
      "api,          api.payments.svc.cluster.local., 10.96.7.7",
      "api.payments, api.payments.svc.cluster.local., 10.96.7.7",
      "API.Payments, api.payments.svc.cluster.local., 10.96.7.7",
      "kubernetes.default, kubernetes.default.svc.cluster.local., 10.96.0.1"})
  void searchAnswersShortNamesWithACnameToTheServiceName(String shortName, String target, String ip) {
    List<String> answer = Dig.lines(dig("+noall", "+answer", shortName));
    assertEquals(2, answer.size(), answer.toString());
    String cname = answer.get(0).toLowerCase(Locale.ROOT);
    assertTrue(cname.startsWith(shortName.toLowerCase(Locale.ROOT) + ". ") && cname.endsWith(" in cname " + target),
        answer.toString());
    String a = answer.get(1).toLowerCase(Locale.ROOT);
    assertTrue(a.startsWith(target) && a.endsWith(" in a " + ip), answer.toString());
  }

  @Test
  void searchLeavesNamesNotInTheClusterToTheUpstream() {
    assertEquals(List.of("192.0.2.7"), Dig.lines(dig("+short", "nosuchservice")));
    assertEquals(List.of("192.0.2.7"), Dig.lines(dig("+short", "example.com")));
  }

  /**
   * Rejected or denied credentials: the status names the API server and the cause before the server listens
   * (that is, within the 5 s start-up timeout), and says when the API server answers again; the service is
   * then answered.
   */
  @ParameterizedTest
  @CsvSource({
      "401, rejected the credentials (401 Unauthorized)",
      "403, denied listing namespaces (403 Forbidden"})
  void deniedApiIsNamedAtOnceAndRecoveryIsReported(int code, String cause, @TempDir Path tmp) throws Exception {
    DenyingDispatcher d = new DenyingDispatcher();
    KubernetesMockServer denying = apiServer(d);
    d.deny = code;
    Path kc = kubeconfig(tmp, "denied", denying.getPort());
    try (ServerProcess server = ServerProcess.startWithoutEndpoints(List.of("-Xmx256m"), Map.of(),
        p -> List.of("dev", "--kubeconfig", kc.toString(), "--upstream", upstream.hostPort().toString()))) {
      String url = "http://127.0.0.1:" + denying.getPort() + "/";
      List<String> lines = server.output().lines().toList();
      int named = indexOf(lines, "API server problem: the API server at " + url + " " + cause);
      int listening = indexOf(lines, "listening on");
      assertTrue(named >= 0 && named < listening, "named before listening:\n" + server.output());
      assertTrue(server.output().contains("state       API server NOT USABLE: the API server at " + url),
          server.output());
      d.deny = 0;
      await(server::output, o -> o.contains("recovered: the API server at " + url + " answers"), server);
      await(() -> {
        try {
          return Dig.run(server.dns(), "+short", "kubernetes.default.svc.cluster.local");
        } catch (IOException | InterruptedException e) {
          throw new IllegalStateException(e);
        }
      }, o -> o.contains("10.96.0.1"), server);
      await(server::output, o -> o.contains("synced, watching 2 namespaces, 2 services"), server);
    } finally {
      MockApiServers.stop(denying);
    }
  }

  /**
   * Two clusters at once: the first context under cluster.local, the second under {@code <context>.cluster.local},
   * a third (the second's cluster again) under the zone it names; each answers from its own watch.
   */
  @Test
  void severalContextsAreServedEachUnderItsOwnZone(@TempDir Path tmp) throws Exception {
    DenyingDispatcher d = new DenyingDispatcher();
    KubernetesMockServer second = apiServer(d);
    try (KubernetesClient c = second.createClient()) {
      c.services().inNamespace("default").withName("kubernetes").delete();
      c.services().inNamespace("default").resource(service("default", "kubernetes", "10.100.0.1")).create();
      Path kc = tmp.resolve("kubeconfig");
      Files.writeString(kc, String.join("\n",
          "apiVersion: v1",
          "kind: Config",
          "clusters:",
          "- name: one",
          "  cluster: {server: 'http://127.0.0.1:" + api.getPort() + "'}",
          "- name: two",
          "  cluster: {server: 'http://127.0.0.1:" + second.getPort() + "'}",
          "users:",
          "- name: u",
          "  user: {token: dummy}",
          "contexts:",
          "- name: laptop",
          "  context: {cluster: one, user: u}",
          "- name: staging",
          "  context: {cluster: two, user: u}",
          "current-context: laptop",
          ""));
      try (ServerProcess server = ServerProcess.startWithoutEndpoints(List.of("-Xmx256m"), Map.of(),
          p -> List.of("dev", "--kubeconfig", kc.toString(), "--upstream", upstream.hostPort().toString(),
              "--context", "laptop", "--context", "staging", "--context", "staging=stage.test"))) {
        Supplier<String> one = () -> digAt(server, "kubernetes.default.svc.cluster.local");
        Supplier<String> two = () -> digAt(server, "kubernetes.default.svc.staging.cluster.local");
        Supplier<String> named = () -> digAt(server, "kubernetes.default.svc.stage.test");
        await(one, o -> o.contains("10.96.0.1"), server);
        await(two, o -> o.contains("10.100.0.1"), server);
        await(named, o -> o.contains("10.100.0.1"), server);
        assertEquals(List.of("10.96.7.7"), Dig.lines(digAt(server, "api.payments.svc.staging.cluster.local")));
        assertEquals(List.of("192.0.2.7"), Dig.lines(digAt(server, "example.com")), "others still forwarded");
        await(server::output, o -> o.contains("also        staging.cluster.local from context staging, API server "
            + "http://127.0.0.1:" + second.getPort() + "/: synced, watching 2 namespaces, 2 services"), server);
        assertTrue(server.output().contains("dig @127.0.0.1 -p " + server.ports().dns()
            + " kubernetes.default.svc.stage.test"), server.output());
      }
    } finally {
      MockApiServers.stop(second);
    }
  }

  @Test
  void aContextWhoseZoneIsTakenIsAFlagError() throws Exception {
    String out = runToExit(List.of("dev", "--context", "a", "--context", "b=cluster.local"), 2);
    assertTrue(out.contains("its zone cluster.local. is already served"), out);
    String parent = runToExit(List.of("dev", "--context", "a", "--context", "b=local"), 2);
    assertTrue(parent.contains("would contain cluster.local."), parent);
    String label = runToExit(List.of("dev", "--context", "a", "--context", "gke_p_z_c"), 2);
    assertTrue(label.contains("context 'gke_p_z_c' is not a DNS label; name its zone: --context gke_p_z_c=ZONE"),
        label);
  }

  private static String digAt(ServerProcess server, String name) {
    try {
      return Dig.run(server.dns(), "+short", name);
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void printsTheResolverConfigurationForTheListenAddress() throws Exception {
    String out = runToExit(List.of("dev", "--print-resolver-config", "--listen", "127.0.0.1:5454"), 0);
    for (String expected : List.of(
        "/etc/systemd/resolved.conf.d/clusterdns.conf", "[Resolve]\nDNS=127.0.0.1:5454\nDomains=~cluster.local\n",
        "/etc/resolver/cluster.local", "nameserver 127.0.0.1\nport 5454\n",
        "sudo rm /etc/resolver/cluster.local", "sudo rm /etc/systemd/resolved.conf.d/clusterdns.conf",
        "nameserver 127.0.0.1\n# Undo:")) {
      assertTrue(out.contains(expected), "'" + expected + "' in:\n" + out);
    }
    String other = runToExit(List.of("dev", "--print-resolver-config", "--cluster-domain", "corp.internal"), 0);
    assertTrue(other.contains("DNS=127.0.0.1:5353\nDomains=~corp.internal\n"), other);
    assertTrue(other.contains("/etc/resolver/corp.internal"), other);
    String several = runToExit(List.of("dev", "--print-resolver-config", "--context", "a", "--context", "b",
        "--context", "c=stage.test"), 0);
    assertTrue(several.contains("Domains=~cluster.local ~stage.test\n"), several);
    assertTrue(several.contains("/etc/resolver/stage.test:\nnameserver 127.0.0.1\nport 5353\n"), several);
  }

  @Test
  void helpOfDevListsItsFlagsAndTheServersHelpListsDev() throws Exception {
    String help = runToExit(List.of("dev", "--help"), 0);
    for (String flag : List.of("--kubeconfig", "--context", "--listen", "--upstream", "--search", "--health",
        "--ready", "--metrics", "--print-resolver-config", "127.0.0.1:5353")) {
      assertTrue(help.contains(flag), flag + " in:\n" + help);
    }
    assertTrue(runToExit(List.of("--help"), 0).contains("dev "), "the server's --help lists dev");
  }

  @Test
  void aMissingKubeconfigIsNamed() throws Exception {
    String out = runToExit(List.of("dev", "--listen", "127.0.0.1:1"), 1,
        Map.of("KUBECONFIG", dir.resolve("absent").toString()));
    assertTrue(out.contains("KUBECONFIG=" + dir.resolve("absent") + " names no existing file"), out);
  }

  @Test
  void aBadSearchNamespaceIsAFlagError() throws Exception {
    String out = runToExit(List.of("dev", "--search", "Not_A_Namespace"), 2);
    assertTrue(out.contains("'Not_A_Namespace' is not a namespace name"), out);
    assertTrue(out.contains("clusterdns dev --help"), out);
  }

  private static int indexOf(List<String> lines, String s) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains(s)) {
        return i;
      }
    }
    return -1;
  }

  private static String runToExit(List<String> args, int status) throws Exception {
    return runToExit(args, status, Map.of());
  }

  /** Runs the jar with {@code args} to its exit (bounded), checks the status and returns the output. */
  private static String runToExit(List<String> args, int status, Map<String, String> env) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx128m", "-jar", Path.of("target", "clusterdns.jar").toString()));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().remove("KUBECONFIG");
    pb.environment().putAll(env);
    Process p = pb.start();
    try {
      p.getOutputStream().close();
      if (!p.waitFor(EXIT_DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
        fail("clusterdns " + args + " did not exit within " + EXIT_DEADLINE.toSeconds() + " s");
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(status, p.exitValue(), out);
      return out;
    } finally {
      ServerProcess.kill(p.toHandle());
    }
  }

  /** The TCP ports process {@code pid} listens on, from its socket descriptors and /proc/net/tcp{,6}. */
  static Set<Integer> listeningTcpPorts(long pid) throws IOException {
    Set<String> inodes = new HashSet<>();
    try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      for (Path fd : fds.toList()) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[")) {
            inodes.add(target.substring(8, target.length() - 1));
          }
        } catch (IOException closedMeanwhile) {
          // a descriptor closed while listing
        }
      }
    }
    Set<Integer> ports = new HashSet<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path t = Path.of(table);
      if (!Files.exists(t)) {
        continue;
      }
      for (String line : Files.readAllLines(t).subList(1, Files.readAllLines(t).size())) {
        String[] f = line.trim().split("\\s+");
        if (f.length > 9 && f[3].equals("0A") && inodes.contains(f[9])) { // 0A: LISTEN
          String local = f[1];
          ports.add(Integer.parseInt(local.substring(local.lastIndexOf(':') + 1), 16));
        }
      }
    }
    return ports;
  }
}
