package io.clusterdns.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The built jar run as users run it, {@code java -jar clusterdns.jar --kubeconfig FILE}, against fabric8's
 * mock API server in CRUD mode: objects written through the API show up in real dig answers, and the last
 * good data keeps being served when the API server goes away. The mock allocates no ClusterIPs, so the
 * objects carry the ones a real cluster would have set (dependencies.md 3).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LiveClusterIT {
  /** Longest wait for a change to show up in answers; the watch normally takes milliseconds. */
  private static final long CONVERGE_MS = 10_000;

  private static KubernetesMockServer api;
  private static KubernetesClient client;
  private static Process server;
  private static Path dir;
  private static InetSocketAddress dns;
  private static int readyPort;
  private static final List<String> output = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    api = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new KubernetesCrudDispatcher(), false);
    api.init(InetAddress.getLoopbackAddress(), 0);
    client = api.createClient();
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("default").endMetadata()
        .build()).create();
    client.services().inNamespace("default").resource(new ServiceBuilder()
        .withNewMetadata().withName("kubernetes").withNamespace("default").endMetadata()
        .withNewSpec().withClusterIP("10.96.0.1").withClusterIPs("10.96.0.1")
        .addNewPort().withName("https").withPort(443).withProtocol("TCP").endPort().endSpec().build()).create();

    dir = Files.createTempDirectory("live-cluster");
    Path kubeconfig = dir.resolve("kubeconfig");
    Files.writeString(kubeconfig, String.join("\n",
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: mock",
        "  cluster: {server: 'http://127.0.0.1:" + api.getPort() + "'}",
        "users:",
        "- name: u",
        "  user: {token: dummy}",
        "contexts:",
        "- name: mock",
        "  context: {cluster: mock, user: u}",
        "current-context: mock",
        ""));
    int dnsPort = freePort();
    readyPort = freePort();
    dns = new InetSocketAddress(InetAddress.getLoopbackAddress(), dnsPort);
    Path jar = Path.of("target", "clusterdns.jar");
    assertTrue(Files.isRegularFile(jar), "run 'mvn verify' so the jar is packaged before this test: " + jar);
    server = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-jar", jar.toString(),
        "--kubeconfig", kubeconfig.toString(),
        "--listen", "127.0.0.1:" + dnsPort,
        "--upstream", "127.0.0.1:1",
        "--health", "127.0.0.1:" + freePort(),
        "--ready", "127.0.0.1:" + readyPort,
        "--metrics", "127.0.0.1:" + freePort())
        .redirectErrorStream(true)
        .start();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(server.getInputStream(),
          StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          synchronized (output) {
            output.add(line);
          }
        }
      } catch (java.io.IOException ignored) {
        // process ended
      }
    }, "clusterdns-output");
    reader.setDaemon(true);
    reader.start();
    long deadline = System.currentTimeMillis() + 30_000;
    while (!started()) {
      if (!server.isAlive() || System.currentTimeMillis() > deadline) {
        fail("clusterdns did not start: " + output());
      }
      Thread.sleep(50);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.destroy();
      if (!server.waitFor(10, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    }
    if (client != null) {
      client.close();
    }
    if (api != null) {
      try {
        api.destroy();
      } catch (IllegalStateException e) {
        // already stopped by the outage test
      }
    }
  }

  private static boolean started() {
    synchronized (output) {
      return output.stream().anyMatch(l -> l.contains("listening on"));
    }
  }

  private static String output() {
    synchronized (output) {
      return String.join("\n", output);
    }
  }

  private static int freePort() throws java.io.IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static String dig(String... args) throws Exception {
    return Dig.run(dns, args);
  }

  /** Polls dig until {@code done} holds for its output, at most {@link #CONVERGE_MS}. */
  private static String await(Predicate<String> done, String... args) throws Exception {
    long deadline = System.currentTimeMillis() + CONVERGE_MS;
    String out = dig(args);
    while (!done.test(out)) {
      if (System.currentTimeMillis() > deadline) {
        fail("no convergence within " + CONVERGE_MS + " ms; last answer:\n" + out + "\nserver output:\n" + output());
      }
      Thread.sleep(20);
      out = dig(args);
    }
    return out;
  }

  private static EndpointSlice slice(String ns, String name, String service, boolean ready, String... ips) {
    EndpointSliceBuilder b = new EndpointSliceBuilder()
        .withNewMetadata().withName(name).withNamespace(ns)
        .withLabels(Map.of("kubernetes.io/service-name", service)).endMetadata()
        .withAddressType("IPv4")
        .addNewPort().withName("http").withPort(8080).withProtocol("TCP").endPort();
    for (String ip : ips) {
      b.addToEndpoints(new EndpointBuilder().withAddresses(ip).withNewConditions().withReady(ready).endConditions()
          .build());
    }
    return b.build();
  }

  @Test
  @Order(1)
  void servesTheClusterItWatches() throws Exception {
    assertEquals(List.of("10.96.0.1"), Dig.lines(dig("+short", "kubernetes.default.svc.cluster.local")));
    HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + readyPort + "/ready").toURL()
        .openConnection();
    assertEquals(200, c.getResponseCode(), "ready once synced");
  }

  @Test
  @Order(2)
  void serviceCreatedUpdatedAndDeletedThroughTheApiShowsUpInAnswers() throws Exception {
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("shop").endMetadata().build())
        .create();
    // A namespace without services exists: NODATA, not NXDOMAIN (behaviours.md 1.5).
    await(o -> o.contains("status: NOERROR"), "shop.svc.cluster.local", "A");
    client.services().inNamespace("shop").resource(new ServiceBuilder()
        .withNewMetadata().withName("cart").withNamespace("shop").endMetadata()
        .withNewSpec().withClusterIP("10.96.3.3").withClusterIPs("10.96.3.3")
        .addNewPort().withName("http").withPort(80).withProtocol("TCP").endPort().endSpec().build()).create();
    await(o -> o.contains("10.96.3.3"), "+short", "cart.shop.svc.cluster.local");
    client.services().inNamespace("shop").withName("cart").edit(s -> new ServiceBuilder(s).editSpec()
        .withClusterIP("10.96.3.4").withClusterIPs("10.96.3.4").endSpec().build());
    await(o -> o.strip().equals("10.96.3.4"), "+short", "cart.shop.svc.cluster.local");
    client.services().inNamespace("shop").withName("cart").delete();
    await(o -> o.contains("status: NXDOMAIN"), "cart.shop.svc.cluster.local");
  }

  @Test
  @Order(3)
  void endpointReadinessFlipsHeadlessAnswers() throws Exception {
    client.services().inNamespace("default").resource(new ServiceBuilder()
        .withNewMetadata().withName("db").withNamespace("default").endMetadata()
        .withNewSpec().withClusterIP("None").addNewPort().withName("http").withPort(80).endPort().endSpec()
        .build()).create();
    client.discovery().v1().endpointSlices().inNamespace("default")
        .resource(slice("default", "db-1", "db", true, "10.244.7.1", "10.244.7.2")).create();
    await(o -> Dig.lines(o).size() == 2, "+short", "db.default.svc.cluster.local");
    client.discovery().v1().endpointSlices().inNamespace("default")
        .resource(slice("default", "db-1", "db", false, "10.244.7.1", "10.244.7.2")).update();
    // No ready endpoint left: a headless name is NXDOMAIN (behaviours.md 4.2).
    await(o -> o.contains("status: NXDOMAIN"), "db.default.svc.cluster.local");
  }

  @Test
  @Order(4)
  void namespaceDeletedMakesItsNamesNxdomain() throws Exception {
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("tmp").endMetadata().build())
        .create();
    await(o -> o.contains("status: NOERROR"), "tmp.svc.cluster.local");
    client.namespaces().withName("tmp").delete();
    await(o -> o.contains("status: NXDOMAIN"), "tmp.svc.cluster.local");
  }

  @Test
  @Order(5)
  void lastGoodDataIsServedWhenTheApiServerGoesAway() throws Exception {
    api.destroy();
    long end = System.currentTimeMillis() + 2_000;
    while (System.currentTimeMillis() < end) {
      assertEquals(List.of("10.96.0.1"), Dig.lines(dig("+short", "kubernetes.default.svc.cluster.local")));
      Thread.sleep(200);
    }
    assertTrue(server.isAlive(), output());
  }
}
