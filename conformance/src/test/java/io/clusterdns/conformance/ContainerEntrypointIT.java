package io.clusterdns.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clusterdns.chart.RenderedChart;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.util.HashMap;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container's entrypoint run as the chart's pod runs it, without a container: the image's contents that
 * dns-server's build assembles in {@code dns-server/target/image} (jlinked runtime, jar, launcher, class-data
 * archive; the Dockerfile copies exactly these), started through the launcher with an environment holding only
 * PATH and the chart's default {@code CLUSTERDNS_JAVA_OPTS} (its {@code -XX:MaxRAM} is the chart's memory limit),
 * the chart's default Corefile, and the 10,000-service benchmark cluster as {@code --snapshot}. The only writable
 * directory it is given is a temporary one standing for the pod's {@code /tmp} emptyDir.
 *
 * <p>Checks: the launcher execs the jlinked runtime (one JVM, its archive accepted); Netty's native epoll transport
 * loads, unpacked into that directory; queries are answered over UDP and TCP; RSS (now and peak) stays below 85 %
 * of the limit; SIGTERM fails /ready at once, DNS answers through the Corefile's 5 s lameduck, and the process
 * exits 0 after it. A second run watches fabric8's mock API server over TLS, which the snapshot never needs: the API
 * client, its TLS and what it loads by reflection must be in the runtime. (The mock's certificate is RSA: a
 * runtime without jdk.crypto.ec still passes; that module is there for ECDSA API servers, image.sh.)
 * Timing-sensitive: run it under the machine's CPU lock.
 */
class ContainerEntrypointIT {

  /** The image's contents (image.sh); in {@code verify} dns-server's package phase has built them. */
  private static final Path IMAGE = Path.of(System.getProperty("clusterdns.image",
      "../dns-server/target/image"));

  /** The benchmark size the chart's default memory is documented for (values.yaml). */
  private static final int SERVICES = 10_000;

  /** RSS must stay below this share of the container's limit: room for a watch's bursts (issue 19). */
  private static final double RSS_SHARE = 0.85;

  /** Start-up bound: measured 1.3-1.4 s at 10k (RESULTS.md); generous for a busy 2-core machine. */
  private static final Duration START_DEADLINE = Duration.ofSeconds(60);

  /** The lameduck of the chart's default Corefile ({@code health { lameduck 5s }}). */
  private static final Duration LAMEDUCK = Duration.ofSeconds(5);

  /** Bound for the watch to sync and for a new Service to show up in DNS. */
  private static final Duration WATCH_DEADLINE = Duration.ofSeconds(60);

  /** Exit bound after SIGTERM: the lameduck plus a generous margin. */
  private static final Duration EXIT_DEADLINE = Duration.ofSeconds(60);

  @Test
  void entrypointServesTheChartsDefaultsWithinTheMemoryLimitAndStopsCleanly(@TempDir Path dir) throws Exception {
    Path launcher = IMAGE.resolve("clusterdns");
    for (Path p : List.of(launcher, IMAGE.resolve("clusterdns.jar"), IMAGE.resolve("clusterdns.jsa"),
        IMAGE.resolve("clusterdns-jit.json"), IMAGE.resolve("runtime/bin/java"))) {
      assertTrue(Files.isRegularFile(p), p.toAbsolutePath() + " is missing: dns-server's package phase builds"
          + " the image contents (src/main/image/image.sh); run mvn -B verify from the project root");
    }
    Path tmp = Files.createDirectories(dir.resolve("tmp"));
    Path snapshot = dir.resolve("cluster.yaml");
    SyntheticCluster.write(snapshot, SERVICES);
    RenderedChart chart = RenderedChart.defaults();
    Path corefile = dir.resolve("Corefile");
    Files.writeString(corefile, chart.corefile(), StandardCharsets.UTF_8);
    String javaOpts = chartJavaOpts(chart);
    assertTrue(javaOpts.contains("-Djava.io.tmpdir=/tmp"), javaOpts);
    javaOpts = javaOpts.replace("-Djava.io.tmpdir=/tmp", "-Djava.io.tmpdir=" + tmp);
    long limit = memoryLimitBytes(chart);
    Map<String, String> imageBefore = listing(IMAGE);
    Dig dig = new Dig(RequiredTool.dig().toString());

    String javaOptsInPod = javaOpts;
    FreePorts.startOn(5, ports -> {
      runAndCheck(launcher, corefile, snapshot, javaOptsInPod, tmp, limit, ports, dir.resolve("clusterdns.log"), dig);
      return null;
    });
    assertEquals(imageBefore, listing(IMAGE), "the server wrote into the image (only /tmp is writable in the pod)");
  }

  @Test
  void entrypointWatchesAnApiServerOverTls(@TempDir Path dir) throws Exception {
    Path launcher = IMAGE.resolve("clusterdns");
    assertTrue(Files.isRegularFile(launcher), launcher.toAbsolutePath() + " is missing: run mvn -B verify");
    KubernetesMockServer api = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new KubernetesCrudDispatcher(), true);
    api.init(InetAddress.getLoopbackAddress(), 0);
    try (KubernetesClient client = api.createClient()) {
      client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("default").endMetadata()
          .build()).create();
      client.services().inNamespace("default").resource(service("kubernetes", "10.96.0.1")).create();
      Path kubeconfig = dir.resolve("kubeconfig");
      Files.writeString(kubeconfig, String.join("\n",
          "apiVersion: v1",
          "kind: Config",
          "clusters:",
          "- name: mock",
          "  cluster: {server: 'https://127.0.0.1:" + api.getPort() + "', insecure-skip-tls-verify: true}",
          "users:",
          "- name: u",
          "  user: {token: dummy}",
          "contexts:",
          "- name: mock",
          "  context: {cluster: mock, user: u}",
          "current-context: mock",
          ""));
      Path tmp = Files.createDirectories(dir.resolve("tmp"));
      Path corefile = dir.resolve("Corefile");
      RenderedChart chart = RenderedChart.defaults();
      Files.writeString(corefile, chart.corefile(), StandardCharsets.UTF_8);
      String javaOpts = chartJavaOpts(chart).replace("-Djava.io.tmpdir=/tmp", "-Djava.io.tmpdir=" + tmp);
      Dig dig = new Dig(RequiredTool.dig().toString());
      Path log = dir.resolve("clusterdns.log");
      FreePorts.startOn(5, ports -> {
        ServerAddress dns = new ServerAddress("127.0.0.1", ports.get(0));
        List<String> cmd = List.of(launcher.toString(), "-conf", corefile.toString(),
            "--kubeconfig", kubeconfig.toString(), "--listen", dns.toString(),
            "--health", "127.0.0.1:" + ports.get(1), "--ready", "127.0.0.1:" + ports.get(2),
            "--metrics", "127.0.0.1:" + ports.get(3), "--upstream", "127.0.0.1:" + ports.get(4));
        Process process = start(cmd, javaOpts, log);
        try {
          awaitReady(process, ports.get(2), log);
          assertAnswer(dig.query(dns, "kubernetes.default.svc.cluster.local.", "A", List.of()), "10.96.0.1");
          client.services().inNamespace("default").resource(service("web", "10.96.7.7")).create();
          awaitAnswer(process, log, dig, dns, "web.default.svc.cluster.local.", "10.96.7.7");
          assertFalse(read(log).contains("Exception"), "the watch logged an exception:\n" + read(log));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        } finally {
          stop(process);
        }
        return null;
      });
    } finally {
      try {
        api.destroy();
      } catch (IllegalStateException e) {
        // MockWebServer sometimes times out waiting for a closed client's socket; the test is over.
        System.err.println("mock server shutdown: " + e);
      }
    }
  }

  private static io.fabric8.kubernetes.api.model.Service service(String name, String clusterIp) {
    return new ServiceBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
        .withNewSpec().withClusterIP(clusterIp).withClusterIPs(clusterIp)
        .addNewPort().withName("https").withPort(443).withProtocol("TCP").endPort().endSpec().build();
  }

  /** The entrypoint as the pod runs it: an environment of PATH and the chart's JVM options only. */
  private static Process start(List<String> cmd, String javaOpts, Path log) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().clear(); // an image sets no JAVA_HOME, JAVA_TOOL_OPTIONS, ...
    pb.environment().put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    pb.environment().put("CLUSTERDNS_JAVA_OPTS", javaOpts);
    Process process = pb.start();
    process.getOutputStream().close();
    return process;
  }

  /** Kills the process by its own handle (the launcher exec'd, so this is the JVM) and waits, bounded. */
  private static void stop(Process process) {
    process.toHandle().destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Polls /ready until 200: with a watch, DNS listens before the first sync. */
  private static void awaitReady(Process process, int readyPort, Path log) throws IOException, InterruptedException {
    long end = System.nanoTime() + WATCH_DEADLINE.toNanos();
    while (httpStatus(readyPort, "/ready") != 200) {
      checkAlive(process, log);
      assertTrue(System.nanoTime() < end, "/ready not 200 within " + WATCH_DEADLINE.toSeconds() + " s:\n" + read(log));
      Thread.sleep(100);
    }
  }

  private static void runAndCheck(Path launcher, Path corefile, Path snapshot, String javaOpts, Path tmp, long limit,
      List<Integer> ports, Path log, Dig dig) throws IOException {
    ServerAddress dns = new ServerAddress("127.0.0.1", ports.get(0));
    int ready = ports.get(2);
    // The pod's command: the entrypoint with the chart's args; the flags only move the listeners to loopback
    // test ports, read the cluster from the file, and keep forwarding (and loop's probe) on loopback.
    List<String> cmd = List.of(launcher.toString(), "-conf", corefile.toString(), "--snapshot", snapshot.toString(),
        "--listen", dns.toString(), "--health", "127.0.0.1:" + ports.get(1), "--ready", "127.0.0.1:" + ready,
        "--metrics", "127.0.0.1:" + ports.get(3), "--upstream", "127.0.0.1:" + ports.get(4));
    long started = System.nanoTime();
    Process process = start(cmd, javaOpts, log);
    try {
      awaitAnswer(process, log, dig, dns, SyntheticCluster.lastServiceName(SERVICES),
          SyntheticCluster.lastServiceAddress(SERVICES));
      double startSeconds = (System.nanoTime() - started) / 1e9;

      String output = read(log);
      String command = process.info().command().orElse("");
      assertEquals(launcher.toAbsolutePath().getParent().resolve("runtime/bin/java").normalize().toString(),
          Path.of(command).normalize().toString(), "the launcher execs the image's runtime in its own PID");
      assertEquals(0, process.children().count(), "one JVM, no relaunch");
      assertFalse(output.contains("[cds") || output.contains("shared archive"),
          "the image's class-data archive fits its runtime and jar:\n" + output);
      assertFalse(output.contains("JIT directives"), "the image's runtime takes the JIT directives:\n" + output);
      assertTrue(output.contains("(epoll,"), "Netty's native transport is in use:\n" + output);
      String nettyLibrary = mappedNettyLibrary(process.pid());
      assertTrue(nettyLibrary.startsWith(tmp.toString() + "/"),
          "Netty unpacked its native library into the writable temporary directory: " + nettyLibrary);

      // Queries over real sockets, both transports, as a pod's resolver sends them.
      assertAnswer(dig.query(dns, "kubernetes.default.svc.cluster.local.", "A", List.of()), "10.96.0.1");
      assertAnswer(dig.query(dns, SyntheticCluster.lastServiceName(SERVICES), "A", List.of("+tcp")),
          SyntheticCluster.lastServiceAddress(SERVICES));
      assertEquals("NXDOMAIN", dig.query(dns, "svc-1.ns-9999.svc.cluster.local.", "A", List.of()).status());
      assertEquals(200, httpStatus(ready, "/ready"));

      long rss = procStatusBytes(process.pid(), "VmRSS");
      long peak = procStatusBytes(process.pid(), "VmHWM");
      System.out.printf("container entrypoint: %d services answered %.2f s after exec; VmRSS %.1f MB, VmHWM %.1f MB,"
          + " limit %.1f MB (%.0f %% / %.0f %%); JAVA_OPTS %s%n", SERVICES, startSeconds, rss / 1e6, peak / 1e6,
          limit / 1e6, 100.0 * rss / limit, 100.0 * peak / limit, javaOpts);
      assertTrue(rss < RSS_SHARE * limit, "VmRSS " + rss + " not below 85 % of the limit " + limit);
      assertTrue(peak < RSS_SHARE * limit, "VmHWM " + peak + " not below 85 % of the limit " + limit);

      assertLameduckThenCleanExit(process, dig, dns, ready, log);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      stop(process);
    }
  }

  /** SIGTERM: /ready fails at once, DNS keeps answering during the lameduck, then exit 0 (cli.md). */
  private static void assertLameduckThenCleanExit(Process process, Dig dig, ServerAddress dns, int ready, Path log)
      throws InterruptedException, IOException {
    long term = System.nanoTime();
    process.destroy();
    long end = term + LAMEDUCK.toNanos();
    while (httpStatus(ready, "/ready") == 200) {
      assertTrue(System.nanoTime() < end, "/ready still 200 after the lameduck");
      Thread.sleep(50);
    }
    assertTrue(process.isAlive(), "exited before its lameduck:\n" + read(log));
    assertAnswer(dig.query(dns, "kubernetes.default.svc.cluster.local.", "A", List.of()), "10.96.0.1");
    assertTrue(process.waitFor(EXIT_DEADLINE.toSeconds(), TimeUnit.SECONDS), "no exit after SIGTERM:\n" + read(log));
    double stopped = (System.nanoTime() - term) / 1e9;
    assertEquals(0, process.exitValue(), "a clean stop exits 0:\n" + read(log));
    assertTrue(stopped >= LAMEDUCK.toSeconds() - 1, "exited " + stopped + " s after SIGTERM, before the lameduck");
    System.out.printf("container entrypoint: exit 0 %.2f s after SIGTERM%n", stopped);
  }

  /** Polls {@code name}'s A record until it answers {@code address}, at most {@link #START_DEADLINE}. */
  private static void awaitAnswer(Process process, Path log, Dig dig, ServerAddress dns, String name, String address)
      throws IOException, InterruptedException {
    long end = System.nanoTime() + START_DEADLINE.toNanos();
    while (true) {
      checkAlive(process, log);
      if (read(log).contains("listening on")) {
        DigReply r = dig.query(dns, name, "A", List.of("+tries=1", "+time=1"));
        if ("NOERROR".equals(r.status()) && r.answer().stream().anyMatch(a -> a.rdata().contains(address))) {
          return;
        }
      }
      assertTrue(System.nanoTime() < end, "no answer for " + name + " within " + START_DEADLINE.toSeconds()
          + " s:\n" + read(log));
      Thread.sleep(50);
    }
  }

  /** Fails when the process exited; as a taken port when its log says so (FreePorts then tries fresh ports). */
  private static void checkAlive(Process process, Path log) throws IOException {
    if (!process.isAlive()) {
      String output = read(log);
      String message = "the entrypoint exited with status " + process.exitValue() + ":\n" + output;
      if (output.contains("already in use")) {
        throw new FreePorts.PortTakenException(message);
      }
      throw new AssertionError(message);
    }
  }

  private static void assertAnswer(DigReply reply, String address) {
    assertEquals("NOERROR", reply.status(), reply.raw());
    assertEquals(List.of(address), reply.answer().stream().flatMap(r -> r.rdata().stream()).toList(), reply.raw());
  }

  private static String chartJavaOpts(RenderedChart chart) {
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> env = (List<Map<String, Object>>) RenderedChart.get(chart.container(), "env");
    return env.stream().filter(e -> "CLUSTERDNS_JAVA_OPTS".equals(e.get("name"))).map(e -> (String) e.get("value"))
        .findFirst().orElseThrow(() -> new AssertionError("no CLUSTERDNS_JAVA_OPTS in " + env));
  }

  /** The chart's default container memory limit in bytes (a whole number of Mi). */
  private static long memoryLimitBytes(RenderedChart chart) {
    String limit = (String) RenderedChart.get(chart.container(), "resources.limits.memory");
    assertTrue(limit.matches("[0-9]+Mi"), "expected a limit in Mi: " + limit);
    return Long.parseLong(limit.substring(0, limit.length() - 2)) << 20;
  }

  /** The path of Netty's epoll library as the process mapped it ("(deleted)" once Netty removed the file). */
  private static String mappedNettyLibrary(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/maps"))) {
      int at = line.indexOf('/');
      if (at >= 0 && line.contains("netty_transport_native_epoll")) {
        return line.substring(at);
      }
    }
    throw new AssertionError("Netty's native epoll library is not mapped into process " + pid);
  }

  /** A {@code kB} field of {@code /proc/PID/status} in bytes. */
  private static long procStatusBytes(long pid, String field) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith(field + ":")) {
        String[] f = line.substring(field.length() + 1).trim().split("\\s+");
        assertEquals("kB", f[1], line);
        return Long.parseLong(f[0]) * 1024;
      }
    }
    throw new AssertionError("no " + field + " in /proc/" + pid + "/status");
  }

  /** Every file under {@code dir} with its size and modification time. */
  private static Map<String, String> listing(Path dir) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        if (Files.isRegularFile(p)) {
          files.put(dir.relativize(p).toString(), Files.size(p) + " " + Files.getLastModifiedTime(p));
        }
      }
    }
    return files;
  }

  private static int httpStatus(int port, String path) {
    try {
      HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + path).toURL().openConnection();
      c.setConnectTimeout(2_000);
      c.setReadTimeout(5_000);
      try {
        return c.getResponseCode();
      } finally {
        c.disconnect();
      }
    } catch (IOException e) {
      return -1;
    }
  }

  private static String read(Path log) throws IOException {
    return Files.readString(log, StandardCharsets.UTF_8);
  }
}
