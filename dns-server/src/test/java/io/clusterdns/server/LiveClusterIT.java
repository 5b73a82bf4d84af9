package io.clusterdns.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.clusterdns.k8s.FaultyCrudDispatcher;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * objects carry the ones a real cluster would have set (dependencies.md 3). The first Service watch is expired
 * at once (410 Gone, as after an etcd compaction): the jar must read that event and relist, or no later change
 * to a Service would ever show up.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LiveClusterIT {
  /** Longest wait for a change to show up in answers; the watch normally takes milliseconds. */
  private static final Duration CONVERGE = Duration.ofSeconds(30);

  /** Longest wait for the first sync with the mock API server after start-up. */
  private static final Duration READY = Duration.ofSeconds(60);

  private static KubernetesMockServer api;
  private static FaultyCrudDispatcher dispatcher;
  private static KubernetesClient client;
  private static ServerProcess server;
  private static Path dir;
  private static InetSocketAddress dns;

  @BeforeAll
  static void start() throws Exception {
    dispatcher = new FaultyCrudDispatcher();
    dispatcher.goneWatches.put("services", new AtomicInteger(1));
    api = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
    api.init(InetAddress.getLoopbackAddress(), 0);
    client = api.createClient();
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("default").endMetadata()
        .build()).create();
    client.services().inNamespace("default").resource(new ServiceBuilder()
        .withNewMetadata().withName("kubernetes").withNamespace("default").endMetadata()
        .withNewSpec().withClusterIP("10.96.0.1").withClusterIPs("10.96.0.1")
        .addNewPort().withName("https").withPort(443).withProtocol("TCP").endPort().endSpec().build()).create();

    dir = Files.createTempDirectory("live-cluster");
    Path kubeconfig = TestKubeconfig.write(dir, "http://127.0.0.1:" + api.getPort(), "dummy");
    server = ServerProcess.start(List.of("-Xmx256m"), Map.of(),
        ports -> List.of("--kubeconfig", kubeconfig.toString(), "--upstream", "127.0.0.1:1"));
    dns = server.dns();
    // "listening on" comes before the first sync: until /ready is 200, cluster names are SERVFAIL.
    server.awaitReady(READY);
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (server != null) {
        server.close();
      }
      if (client != null) {
        client.close();
      }
    } finally {
      if (api != null) {
        stopApiServer();
      }
      if (dir != null) {
        Files.deleteIfExists(dir.resolve("kubeconfig"));
        Files.deleteIfExists(dir);
      }
    }
  }

  /**
   * Stops the mock API server; a second call (after the outage test) returns at once. The outage test checks on
   * its own that nothing accepts connections any more.
   */
  private static void stopApiServer() {
    MockApiServers.stop(api);
  }

  private static String dig(String... args) throws Exception {
    return Dig.run(dns, args);
  }

  /** Polls dig until {@code done} holds for its output, at most {@link #CONVERGE}. */
  private static String await(Predicate<String> done, String... args) throws Exception {
    long deadline = System.nanoTime() + CONVERGE.toNanos();
    String out = dig(args);
    while (!done.test(out)) {
      if (System.nanoTime() > deadline) {
        fail("no convergence within " + CONVERGE.toSeconds() + " s; last answer:\n" + out + "\nserver output:\n"
            + server.output());
      }
      Thread.sleep(20);
      out = dig(args);
    }
    return out;
  }

  /** Waits until nothing accepts TCP connections on {@code port}: the outage is real. */
  private static void awaitConnectionRefused(int port) throws Exception {
    long end = System.nanoTime() + CONVERGE.toNanos();
    while (true) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
      } catch (java.io.IOException refused) {
        return;
      }
      if (System.nanoTime() > end) {
        fail("the mock API server still accepts connections " + CONVERGE.toSeconds() + " s after its shutdown");
      }
      Thread.sleep(100);
    }
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
    assertEquals(200, ServerProcess.httpStatus("/ready", server.ports().ready()), "ready once synced");
    assertEquals(List.of("10.96.0.1"), Dig.lines(dig("+short", "kubernetes.default.svc.cluster.local")));
  }

  /**
   * The expired Service watch was read as a 410 Status and the Services were listed again at once (one list at
   * start, one after the expiry). The jar ships without fabric8's registry of every kind, so this needs the watch's own
   * serialization to know {@code Status}; the changes the later tests make show the new watch works.
   */
  @Test
  @Order(1)
  void anExpiredWatchRelists() throws Exception {
    long deadline = System.nanoTime() + CONVERGE.toNanos();
    while (dispatcher.lists.getOrDefault("services", new AtomicInteger()).get() < 2) {
      if (System.nanoTime() > deadline) {
        fail("services listed " + dispatcher.lists.get("services") + " time(s) after " + dispatcher.gonesServed
            + " expired watch(es); server output:\n" + server.output());
      }
      Thread.sleep(20);
    }
    assertEquals(1, dispatcher.gonesServed.get("services").get());
    // Read as a 410, the expiry relists at once; an event the watch could not read would be a failure, retried
    // after a back-off.
    assertFalse(server.output().contains("watch of services failed"), server.output());
  }

  /** Before any change, the programming-latency histogram already has its three series (cli.md, issue 18). */
  @Test
  @Order(1)
  void programmingLatencySeriesExistBeforeTheFirstChange() throws Exception {
    String body = server.metrics();
    for (String kind : List.of("cluster_ip", "headless_with_selector", "headless_without_selector")) {
      assertTrue(body.contains("coredns_kubernetes_dns_programming_duration_seconds_count{service_kind=\"" + kind
          + "\"}"), kind + "\n" + body);
    }
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
    stopApiServer();
    awaitConnectionRefused(api.getPort());
    // Answers go on from the last snapshot for a while after the watch broke (several reconnect attempts).
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (System.nanoTime() < end) {
      assertEquals(List.of("10.96.0.1"), Dig.lines(dig("+short", "kubernetes.default.svc.cluster.local")));
      Thread.sleep(200);
    }
    assertTrue(server.process().isAlive(), server.output());
  }
}
