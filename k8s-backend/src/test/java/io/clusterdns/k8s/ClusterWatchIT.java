package io.clusterdns.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.clusterdns.config.WatchConfig;
import io.clusterdns.index.ClusterSnapshot;
import io.clusterdns.index.IpAddress;
import io.clusterdns.index.NamespaceView;
import io.clusterdns.index.ServiceView;
import io.clusterdns.index.SnapshotPublisher;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The watch against fabric8's CRUD mock API server on loopback. Every wait is bounded; the mock's gaps
 * (no ClusterIP allocation, no 410) are filled by the test objects and {@link FaultyCrudDispatcher}.
 */
class ClusterWatchIT {
  /** Upper bound for any single wait; the usual case is milliseconds. */
  private static final Duration WAIT = Duration.ofSeconds(15);

  private KubernetesMockServer server;
  private FaultyCrudDispatcher dispatcher;
  private int port;
  private KubernetesClient client;
  private ClusterWatch watch;
  private SnapshotPublisher publisher;
  private PrometheusRegistry registry;
  private final List<AutoCloseable> cleanup = new ArrayList<>();

  @BeforeEach
  void startMock() throws Exception {
    dispatcher = new FaultyCrudDispatcher();
    server = startServer(dispatcher, 0);
    port = server.getPort();
    client = clientFor("http://127.0.0.1:" + port);
  }

  @AfterEach
  void stopAll() throws Exception {
    if (watch != null) {
      watch.close();
    }
    for (AutoCloseable c : cleanup) {
      c.close();
    }
    client.close();
    stop(server);
  }

  /**
   * MockWebServer sometimes times out waiting for a closed vertx client's socket and throws; by then the
   * listener is closed, which is all a test needs from a stop.
   */
  private static void stop(KubernetesMockServer s) {
    try {
      s.destroy();
    } catch (IllegalStateException e) {
      System.err.println("mock server shutdown: " + e);
    }
  }

  private static FaultyCrudDispatcher lastDispatcher;

  private static KubernetesMockServer startServer(FaultyCrudDispatcher d, int port) {
    lastDispatcher = d;
    KubernetesMockServer s = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), d, false);
    s.init(InetAddress.getLoopbackAddress(), port);
    return s;
  }

  private static KubernetesClient clientFor(String url) {
    Config config = new ConfigBuilder(Config.empty())
        .withMasterUrl(url)
        .withNamespace("default")
        .withWatchReconnectInterval(50)
        .withWatchReconnectLimit(-1)
        .withRequestRetryBackoffInterval(50)
        .withRequestRetryBackoffLimit(0)
        .withConnectionTimeout(1000)
        .withRequestTimeout(2000)
        .build();
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  private ClusterWatch startWatch(WatchConfig options) {
    publisher = new SnapshotPublisher();
    registry = new PrometheusRegistry();
    watch = new ClusterWatch(client, options, publisher, registry);
    watch.start();
    return watch;
  }

  private ClusterWatch startSynced(WatchConfig options) throws InterruptedException {
    startWatch(options);
    assertTrue(watch.awaitSynced(WAIT), "synced");
    return watch;
  }

  private static WatchConfig all(boolean pods) {
    return WatchConfig.defaults(null, null, pods);
  }

  // ---------------------------------------------------------------------------------------- builders

  private static Namespace ns(String name, Map<String, String> labels) {
    return new NamespaceBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata().build();
  }

  private static Service clusterIp(String ns, String name, String... ips) {
    return new ServiceBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
        .withNewSpec().withClusterIP(ips[0]).withClusterIPs(ips)
        .addNewPort().withName("http").withProtocol("TCP").withPort(80).endPort()
        .endSpec().build();
  }

  private static Service headless(String ns, String name, Map<String, String> selector) {
    return new ServiceBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
        .withNewSpec().withClusterIP("None").withClusterIPs("None").withSelector(selector).endSpec().build();
  }

  private static Endpoint ep(String ip, Boolean ready, String hostname) {
    EndpointBuilder b = new EndpointBuilder().withAddresses(ip).withHostname(hostname);
    if (ready != null) {
      b.withNewConditions().withReady(ready).endConditions();
    }
    return b.build();
  }

  private static EndpointSlice slice(String ns, String name, String svc, Endpoint... eps) {
    return new EndpointSliceBuilder().withNewMetadata().withNamespace(ns).withName(name)
        .addToLabels(SlimConverter.SERVICE_NAME_LABEL, svc).endMetadata()
        .withAddressType("IPv4").withEndpoints(eps)
        .addNewPort().withName("http").withProtocol("TCP").withPort(8080).endPort().build();
  }

  private static Pod pod(String ns, String name, String ip) {
    return new PodBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
        .withNewStatus().withPodIP(ip).addNewPodIP().withIp(ip).endPodIP().endStatus().build();
  }

  // ------------------------------------------------------------------------------------------ helpers

  private void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("timed out waiting for: " + what + "; snapshot " + publisher.current().namespaces()
            + "; data age " + watch.dataAgeSeconds() + "; requests seen " + lastDispatcher.lists + " gone "
            + lastDispatcher.gonesServed);
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }

  private <T> T now(Function<ClusterSnapshot, T> f) {
    return f.apply(publisher.current());
  }

  private ServiceView service(String ns, String name) {
    NamespaceView v = publisher.current().namespace(ns);
    return v == null ? null : v.service(name);
  }

  private List<String> readyAddresses(String ns, String name) {
    ServiceView v = service(ns, name);
    return v == null ? null : v.endpoints().stream().map(e -> e.address().toString()).sorted().toList();
  }

  private static IpAddress ip(String s) {
    return IpAddress.parse(s);
  }

  // -------------------------------------------------------------------------------------------- tests

  @Test
  void notSyncedAndNothingPublishedUntilEveryKindListed() throws Exception {
    client.namespaces().resource(ns("a", Map.of())).create();
    client.services().inNamespace("a").resource(clusterIp("a", "web", "10.96.0.5")).create();
    dispatcher.holdListsOf = "endpointslices";

    startWatch(all(false));
    assertFalse(watch.awaitSynced(Duration.ofMillis(300)), "EndpointSlices not listed yet");
    assertFalse(publisher.synced());
    assertSame(ClusterSnapshot.EMPTY, publisher.current(), "no partial snapshot before sync");
    assertTrue(watch.dataAgeSeconds() > 0, "no current data yet");

    dispatcher.holdLists.countDown();
    assertTrue(watch.awaitSynced(WAIT));
    assertTrue(publisher.synced());
    assertEquals(List.of(ip("10.96.0.5")), service("a", "web").info().clusterIps());
  }

  @Test
  void startupWaitIsBoundedByTheConfiguredTimeout() throws Exception {
    dispatcher.holdListsOf = "services";
    WatchConfig options = new WatchConfig(null, null, List.of(), null, null, false, false, Duration.ofMillis(200));
    startWatch(options);
    long t0 = System.nanoTime();
    assertFalse(watch.awaitStartup());
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(ms >= 150 && ms < 5000, "waited " + ms + " ms");
    dispatcher.holdLists.countDown();
    assertTrue(watch.awaitSynced(WAIT), "syncs later");
  }

  @Test
  void serviceCreateUpdateDeleteShowUp() throws Exception {
    client.namespaces().resource(ns("shop", Map.of())).create();
    startSynced(all(false));

    client.services().inNamespace("shop").resource(clusterIp("shop", "cart", "10.96.1.1")).create();
    await("cart created", () -> service("shop", "cart") != null);
    assertEquals(List.of(ip("10.96.1.1")), service("shop", "cart").info().clusterIps());
    long serialGen = publisher.current().generation();

    client.services().inNamespace("shop").resource(clusterIp("shop", "cart", "10.96.1.2", "fd00::2")).update();
    await("cart updated to dual-stack",
        () -> service("shop", "cart").info().clusterIps().equals(List.of(ip("10.96.1.2"), ip("fd00::2"))));
    assertTrue(publisher.current().generation() > serialGen);

    Service ext = new ServiceBuilder().withNewMetadata().withNamespace("shop").withName("cart").endMetadata()
        .withNewSpec().withType("ExternalName").withExternalName("cart.example.com").endSpec().build();
    client.services().inNamespace("shop").resource(ext).update();
    await("cart became ExternalName", () -> "cart.example.com".equals(service("shop", "cart").info().externalName()));

    client.services().inNamespace("shop").withName("cart").delete();
    await("cart deleted", () -> service("shop", "cart") == null);
    assertNotNull(publisher.current().namespace("shop"), "namespace stays");
  }

  @Test
  void endpointSliceChangesAndReadinessFlipsShowUp() throws Exception {
    client.namespaces().resource(ns("db", Map.of())).create();
    client.services().inNamespace("db").resource(headless("db", "pg", Map.of())).create();
    startSynced(all(false));
    assertEquals(List.of(), readyAddresses("db", "pg"));

    client.discovery().v1().endpointSlices().inNamespace("db")
        .resource(slice("db", "pg-1", "pg", ep("10.1.0.1", true, "pg-0"), ep("10.1.0.2", null, "pg-1"))).create();
    await("two ready endpoints", () -> List.of("10.1.0.1", "10.1.0.2").equals(readyAddresses("db", "pg")));
    assertEquals(ip("10.1.0.1"), service("db", "pg").endpointsNamed("pg-0").get(0).address());

    client.discovery().v1().endpointSlices().inNamespace("db")
        .resource(slice("db", "pg-1", "pg", ep("10.1.0.1", false, "pg-0"), ep("10.1.0.2", null, "pg-1"))).update();
    await("pg-0 not ready", () -> List.of("10.1.0.2").equals(readyAddresses("db", "pg")));

    client.discovery().v1().endpointSlices().inNamespace("db")
        .resource(slice("db", "pg-2", "pg", ep("10.1.0.3", true, null))).create();
    await("second slice merged", () -> List.of("10.1.0.2", "10.1.0.3").equals(readyAddresses("db", "pg")));

    client.discovery().v1().endpointSlices().inNamespace("db").withName("pg-1").delete();
    await("first slice gone", () -> List.of("10.1.0.3").equals(readyAddresses("db", "pg")));
  }

  @Test
  void namespaceCreatedAndDeleted() throws Exception {
    startSynced(all(false));
    assertNull(publisher.current().namespace("team"));

    client.namespaces().resource(ns("team", Map.of())).create();
    await("namespace exists", () -> publisher.current().namespace("team") != null);
    assertTrue(publisher.current().namespace("team").services().isEmpty());

    client.services().inNamespace("team").resource(clusterIp("team", "api", "10.96.3.3")).create();
    await("service in it", () -> service("team", "api") != null);

    // The mock does not cascade; a real API server would delete the service too. DNS hides it either way.
    client.namespaces().withName("team").delete();
    await("namespace gone", () -> publisher.current().namespace("team") == null);
  }

  @Test
  void pagedListIsReadWholeAndAnExpiredContinueTokenStartsItOver() throws Exception {
    client.namespaces().resource(ns("pg", Map.of())).create();
    for (int i = 0; i < 7; i++) {
      client.services().inNamespace("pg").resource(clusterIp("pg", "s" + i, "10.96.7." + (i + 1))).create();
    }
    dispatcher.pageSize = 3;
    dispatcher.expiredContinues.put("services", new java.util.concurrent.atomic.AtomicInteger(1));

    startSynced(all(false));
    assertEquals(1, dispatcher.expiredOf("services"), "the second page's token expired once");
    // pages 1, 2 (410), then 1, 2, 3 again
    assertTrue(dispatcher.listsOf("services") >= 5, "lists " + dispatcher.listsOf("services"));
    for (int i = 0; i < 7; i++) {
      assertEquals(List.of(ip("10.96.7." + (i + 1))), service("pg", "s" + i).info().clusterIps(), "s" + i);
    }

    client.services().inNamespace("pg").withName("s6").delete();
    await("watch follows after a paged list", () -> service("pg", "s6") == null);
  }

  @Test
  void aListResponseThatDoesNotComeFailsWithinTheTimeoutAndIsRetried() throws Exception {
    client.namespaces().resource(ns("st", Map.of())).create();
    client.services().inNamespace("st").resource(clusterIp("st", "s", "10.96.8.1")).create();
    dispatcher.stallListsOf = "services";
    dispatcher.stallMillis = 4_000;
    List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<Object> listed = new java.util.concurrent.CopyOnWriteArrayList<>();
    ListWatch<SlimResources.SlimService> lw = new ListWatch<>("services", client.getHttpClient(),
        client.getConfiguration().getMasterUrl(), "api/v1/services", null, "Service", "v1",
        client.resources(SlimResources.SlimService.class).inAnyNamespace(), 500, new ListWatch.Sink<>() {
          @Override public void listStarted() {}
          @Override public void page(ManifestReader.ListPage page) {
            listed.addAll(page.items);
          }
          @Override public void listed() {}
          @Override public void watchStarted() {}
          @Override public void event(io.fabric8.kubernetes.client.Watcher.Action action,
              SlimResources.SlimService object) {}
          @Override public void failed(Throwable cause) {
            failures.add(cause);
          }
        });
    cleanup.add(lw);
    long t0 = System.nanoTime();
    lw.start();
    await("the stalled list fails", () -> !failures.isEmpty());
    assertTrue(System.nanoTime() - t0 < 3_500_000_000L, "failed within the timeout, not at the delay's end");
    assertTrue(listed.isEmpty());

    dispatcher.stallListsOf = null; // the API server recovers: the retry lists
    await("listed after the retry", () -> listed.size() == 1);
  }

  @Test
  void podsAreWatchedOnlyWhenAsked() throws Exception {
    client.namespaces().resource(ns("p", Map.of())).create();
    client.pods().inNamespace("p").resource(pod("p", "one", "10.2.0.1")).create();
    startSynced(all(false));
    assertEquals(0, dispatcher.listsOf("pods"), "no pod watch without pods verified");
    assertTrue(publisher.current().namespace("p").podIps().isEmpty());
  }

  @Test
  void podCreateTerminateDeleteShowUp() throws Exception {
    client.namespaces().resource(ns("p", Map.of())).create();
    client.pods().inNamespace("p").resource(pod("p", "one", "10.2.0.1")).create();
    startSynced(all(true));
    assertEquals(Set.of(ip("10.2.0.1")), Set.copyOf(now(s -> s.namespace("p").podIps())),
        "the listed pod verifies");

    client.pods().inNamespace("p").resource(pod("p", "two", "10.2.0.2")).create();
    await("pod two", () -> now(s -> s.namespace("p").podIps().contains(ip("10.2.0.2"))));

    Pod terminating = pod("p", "two", "10.2.0.2");
    terminating.getMetadata().setDeletionTimestamp(Instant.now().toString());
    client.pods().inNamespace("p").resource(terminating).update();
    await("terminating pod does not verify", () -> !now(s -> s.namespace("p").podIps().contains(ip("10.2.0.2"))));

    client.pods().inNamespace("p").withName("one").delete();
    await("pod one deleted", () -> now(s -> s.namespace("p").podIps().isEmpty()));
  }

  @Test
  void apiOutageKeepsLastSnapshotAndARestartedServerConverges() throws Exception {
    client.namespaces().resource(ns("a", Map.of())).create();
    client.services().inNamespace("a").resource(clusterIp("a", "keep", "10.96.4.1")).create();
    client.services().inNamespace("a").resource(clusterIp("a", "change", "10.96.4.2")).create();
    client.services().inNamespace("a").resource(clusterIp("a", "vanish", "10.96.4.3")).create();
    startSynced(all(false));
    await("fresh", () -> watch.dataAgeSeconds() == 0);
    ClusterSnapshot before = publisher.current();

    stop(server);
    await("data ages once the watch is down", () -> watch.dataAgeSeconds() > 0);
    // While the API server is gone the last snapshot keeps serving.
    assertSame(before, publisher.current());
    assertNotNull(service("a", "vanish"));
    assertTrue(publisher.synced());

    // A new API server on the same address, with data changed while the old one was away. It answers 410
    // to a watch that resumes from an old resourceVersion, so every kind must relist.
    FaultyCrudDispatcher second = new FaultyCrudDispatcher();
    second.goneBeforeList = true;
    server = startServer(second, port);
    KubernetesClient writer = clientFor("http://127.0.0.1:" + port);
    cleanup.add(writer);
    advanceResourceVersions(writer);
    writer.namespaces().resource(ns("a", Map.of())).create();
    writer.services().inNamespace("a").resource(clusterIp("a", "keep", "10.96.4.1")).create();
    writer.services().inNamespace("a").resource(clusterIp("a", "change", "10.96.4.22")).create();
    writer.services().inNamespace("a").resource(clusterIp("a", "new", "10.96.4.4")).create();

    await("converged after restart", () -> service("a", "vanish") == null
        && service("a", "new") != null
        && service("a", "change").info().clusterIps().equals(List.of(ip("10.96.4.22"))));
    assertNotNull(service("a", "keep"));
    await("fresh again", () -> watch.dataAgeSeconds() == 0);
    assertTrue(second.listsOf("services") >= 1, "relisted");
  }

  @Test
  void goneDuringWatchRelistsAndKeepsFollowing() throws Exception {
    client.namespaces().resource(ns("g", Map.of())).create();
    client.services().inNamespace("g").resource(headless("g", "h", Map.of("app", "h"))).create();
    client.discovery().v1().endpointSlices().inNamespace("g")
        .resource(slice("g", "h-1", "h", ep("10.3.0.1", true, null))).create();
    dispatcher.goneWatches.put("endpointslices", new java.util.concurrent.atomic.AtomicInteger(2));

    startSynced(all(false));
    await("410 served twice", () -> dispatcher.gonesOf("endpointslices") == 2);
    await("relisted after each 410", () -> dispatcher.listsOf("endpointslices") >= 3);
    assertEquals(List.of("10.3.0.1"), readyAddresses("g", "h"));

    client.discovery().v1().endpointSlices().inNamespace("g")
        .resource(slice("g", "h-1", "h", ep("10.3.0.1", true, null), ep("10.3.0.2", true, null))).update();
    await("watch works after the relists", () -> List.of("10.3.0.1", "10.3.0.2").equals(readyAddresses("g", "h")));
  }

  @Test
  void unchangedRelistPublishesNothing() throws Exception {
    client.namespaces().resource(ns("r", Map.of())).create();
    client.services().inNamespace("r").resource(clusterIp("r", "s", "10.96.6.1")).create();
    startSynced(all(false));
    await("watching", () -> watch.dataAgeSeconds() == 0);
    assertTrue(watch.awaitIdle(WAIT), "indexer idle after sync");
    long generation = publisher.current().generation();
    long listsBefore = watch.listsApplied();
    int serviceListsBefore = dispatcher.listsOf("services");

    // Restart the API server with the very same data (same dispatcher, same resourceVersions), so no list can
    // see it empty. Its first answer to each resumed watch is 410, as after an etcd compaction: every kind
    // must relist, and nothing DNS sees has changed. (A kind whose reconnects failed while the server was
    // down may relist without resuming its watch first, so whether a 410 was sent is not asserted: the relist
    // is what matters here.)
    stop(server);
    await("down", () -> watch.dataAgeSeconds() > 0);
    dispatcher.listed.clear();
    dispatcher.goneBeforeList = true;
    server = startServer(dispatcher, port);

    // Each kind hands its relist's changes to the indexer before its Listed marker, so once three more
    // lists are applied every change they caused is applied too; awaitIdle then waits out a pending build.
    await("every kind relisted", () -> watch.listsApplied() >= listsBefore + 3);
    await("watching again", () -> watch.dataAgeSeconds() == 0);
    assertTrue(watch.awaitIdle(WAIT), "indexer idle after the relist");
    assertTrue(dispatcher.listsOf("services") > serviceListsBefore, "services were relisted");
    assertEquals(generation, publisher.current().generation(), "no new snapshot for an identical relist");
    assertEquals(List.of(ip("10.96.6.1")), service("r", "s").info().clusterIps());
  }

  @Test
  void namespaceAndLabelFiltersLimitWhatIsExposed() throws Exception {
    client.namespaces().resource(ns("in", Map.of("expose", "yes"))).create();
    client.namespaces().resource(ns("in2", Map.of())).create();
    client.namespaces().resource(ns("out", Map.of("expose", "yes"))).create();
    Service labelled = clusterIp("in", "labelled", "10.96.5.1");
    labelled.getMetadata().setLabels(Map.of("dns", "on"));
    client.services().inNamespace("in").resource(labelled).create();
    client.services().inNamespace("in").resource(clusterIp("in", "plain", "10.96.5.2")).create();
    client.services().inNamespace("out").resource(clusterIp("out", "x", "10.96.5.3")).create();

    WatchConfig options = new WatchConfig(null, null, List.of("in", "in2"), "expose=yes", "dns=on", false, false,
        WatchConfig.DEFAULT_STARTUP_TIMEOUT);
    startSynced(options);
    assertNotNull(service("in", "labelled"));
    assertNull(service("in", "plain"), "labels selector");
    assertNull(publisher.current().namespace("out"), "namespaces filter");
    assertNull(publisher.current().namespace("in2"), "namespace_labels selector");

    Namespace relabelled = ns("in2", Map.of("expose", "yes"));
    client.namespaces().resource(relabelled).update();
    await("in2 exposed once labelled", () -> publisher.current().namespace("in2") != null);
  }

  @Test
  void programmingLatencyIsMeasuredFromTheTriggerTimeAnnotation() throws Exception {
    client.namespaces().resource(ns("m", Map.of())).create();
    client.services().inNamespace("m").resource(clusterIp("m", "web", "10.96.7.1")).create();
    client.services().inNamespace("m").resource(headless("m", "sel", Map.of("app", "x"))).create();
    client.services().inNamespace("m").resource(headless("m", "nosel", Map.of())).create();
    startSynced(all(false));
    Map<String, Long> counts = histogramCounts();
    assertEquals(Map.of("cluster_ip", 0L, "headless_with_selector", 0L, "headless_without_selector", 0L), counts,
        "all three series exist at zero");

    String twoSecondsAgo = Instant.now().minusSeconds(2).toString();
    for (String svc : List.of("web", "sel", "nosel")) {
      EndpointSlice s = slice("m", svc + "-1", svc, ep("10.4.0.1", true, null));
      s.getMetadata().setAnnotations(Map.of(SlimConverter.TRIGGER_TIME_ANNOTATION, twoSecondsAgo));
      client.discovery().v1().endpointSlices().inNamespace("m").resource(s).create();
    }
    await("three observations", () -> histogramCounts().values().stream().mapToLong(Long::longValue).sum() == 3);
    assertEquals(Map.of("cluster_ip", 1L, "headless_with_selector", 1L, "headless_without_selector", 1L),
        histogramCounts());
    HistogramSnapshot h = (HistogramSnapshot) find(WatchMetrics.PROGRAMMING_DURATION);
    for (HistogramSnapshot.HistogramDataPointSnapshot p : h.getDataPoints()) {
      assertTrue(p.getSum() >= 1.9 && p.getSum() < 60, "about two seconds: " + p.getSum());
      assertEquals(21, p.getClassicBuckets().size(), "20 bounds plus +Inf");
    }
    assertNotNull(find(WatchMetrics.DATA_AGE));
  }

  @Test
  void kubeconfigFileSelectsTheApiServer(@TempDir Path dir) throws Exception {
    client.namespaces().resource(ns("kc", Map.of())).create();
    Path kubeconfig = dir.resolve("config");
    Files.writeString(kubeconfig, String.join("\n",
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: mock",
        "  cluster: {server: 'http://127.0.0.1:" + port + "'}",
        "- name: elsewhere",
        "  cluster: {server: 'http://127.0.0.1:1'}",
        "users:",
        "- name: u",
        "  user: {token: dummy}",
        "contexts:",
        "- name: mock-ctx",
        "  context: {cluster: mock, user: u}",
        "- name: other",
        "  context: {cluster: elsewhere, user: u}",
        "current-context: other",
        ""));
    WatchConfig options = WatchConfig.defaults(kubeconfig.toString(), "mock-ctx", false);
    KubernetesClient kc = ApiServerConnection.connect(options);
    cleanup.add(kc);
    assertTrue(kc.getMasterUrl().toString().contains(":" + port));
    publisher = new SnapshotPublisher();
    watch = new ClusterWatch(kc, options, publisher, null);
    watch.start();
    assertTrue(watch.awaitSynced(WAIT));
    assertNotNull(publisher.current().namespace("kc"));
  }

  /**
   * A new mock starts its resourceVersion counter at 1 again, so an object re-created there could carry the
   * very version the old server gave its previous state, and a client may rightly skip an "update" with an
   * unchanged version. etcd's revision never goes back; move the counter past the old server's.
   */
  private static void advanceResourceVersions(KubernetesClient writer) {
    for (int i = 0; i < 20; i++) {
      writer.configMaps().inNamespace("default").resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
          .withNewMetadata().withName("filler-" + i).endMetadata().build()).create();
    }
  }

  // ------------------------------------------------------------------------------------------ metrics

  private MetricSnapshot find(String name) {
    MetricSnapshots all = registry.scrape();
    for (MetricSnapshot m : all) {
      if (m.getMetadata().getPrometheusName().equals(name)
          || m.getMetadata().getName().equals(name)) {
        return m;
      }
    }
    return null;
  }

  private Map<String, Long> histogramCounts() {
    HistogramSnapshot h = (HistogramSnapshot) find(WatchMetrics.PROGRAMMING_DURATION);
    Map<String, Long> out = new HashMap<>();
    for (HistogramSnapshot.HistogramDataPointSnapshot p : h.getDataPoints()) {
      out.put(p.getLabels().get("service_kind"), p.getCount());
    }
    return out;
  }
}
