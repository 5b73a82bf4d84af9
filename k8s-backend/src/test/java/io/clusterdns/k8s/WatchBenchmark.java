package io.clusterdns.k8s;

import io.clusterdns.config.WatchConfig;
import io.clusterdns.index.ClusterState;
import io.clusterdns.index.NamespaceView;
import io.clusterdns.index.SnapshotPublisher;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;

/**
 * Figures for the watch, printed, never asserted (run by hand; not a unit test):
 * <ol>
 *   <li>propagation delay, API write acknowledged → change in the published snapshot, p50/p99 per kind;
 *   <li>a burst of N Services: time until the last one is in the snapshot;
 *   <li>live heap of the slim index for 100,000 Services with an EndpointSlice each plus 100,000 Pods,
 *       built through {@link SlimConverter} as the watch does.
 * </ol>
 * Usage: {@code java -cp <test classpath> io.clusterdns.k8s.WatchBenchmark [changesPerKind] [burst] [objects]}.
 * The CRUD mock is the API server (~1,000 writes/s, and it sends the watch event before it answers the write,
 * dependencies.md §3), so figures 1 and 2 bound our side; a real API server adds its own delay.
 */
public final class WatchBenchmark {
  private static final long TIMEOUT_NANOS = 120_000_000_000L;

  public static void main(String[] args) throws Exception {
    int changes = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int burst = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
    int objects = args.length > 2 ? Integer.parseInt(args[2]) : 100_000;
    System.out.printf("java %s, %d cpus, max heap %d MB%n", System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
    propagation(changes, burst);
    heap(objects);
  }

  // --------------------------------------------------------------------------------------- propagation

  private static void propagation(int changes, int burst) throws Exception {
    KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher(), false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    Config config = new ConfigBuilder(Config.empty()).withMasterUrl("http://127.0.0.1:" + server.getPort())
        .withNamespace("default").build();
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
      client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("b").endMetadata().build())
          .create();
      SnapshotPublisher publisher = new SnapshotPublisher();
      WatchConfig options = WatchConfig.defaults(null, null, true);
      try (ClusterWatch watch = new ClusterWatch(client, options, publisher, null)) {
        long t0 = System.nanoTime();
        watch.start();
        watch.awaitSynced(java.time.Duration.ofSeconds(30));
        System.out.printf("synced in %.1f ms%n", (System.nanoTime() - t0) / 1e6);

        long[] svc = new long[changes];
        long[] eps = new long[changes];
        long[] epsReady = new long[changes];
        long[] pod = new long[changes];
        long[] ns = new long[changes];
        long[] del = new long[changes];
        for (int i = 0; i < changes; i++) {
          String name = "s" + i;
          long w = System.nanoTime();
          client.services().inNamespace("b").resource(service("b", name, i)).create();
          svc[i] = waitFor(w, () -> svc(publisher, "b", name));

          w = System.nanoTime();
          client.discovery().v1().endpointSlices().inNamespace("b").resource(slice("b", name, i, true)).create();
          eps[i] = waitFor(w, () -> ready(publisher, "b", name) == 1);

          w = System.nanoTime();
          client.discovery().v1().endpointSlices().inNamespace("b").resource(slice("b", name, i, false)).update();
          epsReady[i] = waitFor(w, () -> ready(publisher, "b", name) == 0);

          String podName = "p" + i;
          w = System.nanoTime();
          client.pods().inNamespace("b").resource(pod("b", podName, i)).create();
          int podIndex = i;
          pod[i] = waitFor(w, () -> podVisible(publisher, "b", podIndex));

          String nsName = "n" + i;
          w = System.nanoTime();
          client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(nsName).endMetadata()
              .build()).create();
          ns[i] = waitFor(w, () -> publisher.current().namespace(nsName) != null);

          w = System.nanoTime();
          client.services().inNamespace("b").withName(name).delete();
          del[i] = waitFor(w, () -> !svc(publisher, "b", name));
        }
        report("Service create", svc);
        report("EndpointSlice create", eps);
        report("EndpointSlice ready->false", epsReady);
        report("Pod create", pod);
        report("Namespace create", ns);
        report("Service delete", del);

        // Burst: writers in parallel, then wait for the last name.
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("burst").endMetadata()
            .build()).create();
        ExecutorService writers = Executors.newFixedThreadPool(8);
        long b0 = System.nanoTime();
        List<Future<?>> fs = new ArrayList<>();
        for (int w = 0; w < 8; w++) {
          int first = w;
          fs.add(writers.submit(() -> {
            for (int i = first; i < burst; i += 8) {
              client.services().inNamespace("burst").resource(service("burst", "x" + i, 100_000 + i)).create();
            }
          }));
        }
        for (Future<?> f : fs) {
          f.get();
        }
        long writesDone = System.nanoTime();
        waitFor(b0, () -> {
          NamespaceView v = publisher.current().namespace("burst");
          return v != null && v.services().size() == burst;
        });
        long all = System.nanoTime();
        writers.shutdown();
        System.out.printf("burst of %d Services: writes acknowledged after %.0f ms (%.0f writes/s, the mock's"
            + " limit), last one in the snapshot %.1f ms after the last write (total %.0f ms)%n", burst,
            (writesDone - b0) / 1e6, burst / ((writesDone - b0) / 1e9), (all - writesDone) / 1e6, (all - b0) / 1e6);
      }
    } finally {
      server.destroy();
    }
  }

  private static boolean svc(SnapshotPublisher p, String ns, String name) {
    NamespaceView v = p.current().namespace(ns);
    return v != null && v.service(name) != null;
  }

  private static int ready(SnapshotPublisher p, String ns, String name) {
    NamespaceView v = p.current().namespace(ns);
    return v == null || v.service(name) == null ? -1 : v.service(name).endpoints().size();
  }

  private static boolean podVisible(SnapshotPublisher p, String ns, int i) {
    NamespaceView v = p.current().namespace(ns);
    return v != null && v.podIps().contains(io.clusterdns.index.IpAddress.parse(podIp(i)));
  }

  private static long waitFor(long start, BooleanSupplier visible) {
    while (!visible.getAsBoolean()) {
      if (System.nanoTime() - start > TIMEOUT_NANOS) {
        throw new IllegalStateException("change not visible after 120 s");
      }
      Thread.onSpinWait();
    }
    return System.nanoTime() - start;
  }

  private static void report(String what, long[] nanos) {
    long[] s = nanos.clone();
    Arrays.sort(s);
    System.out.printf("%-28s n=%d p50=%.2f ms p99=%.2f ms max=%.2f ms%n", what, s.length,
        s[s.length / 2] / 1e6, s[Math.min(s.length - 1, (int) Math.ceil(s.length * 0.99) - 1)] / 1e6,
        s[s.length - 1] / 1e6);
  }

  // ---------------------------------------------------------------------------------------------- heap

  private static void heap(int n) {
    long before = usedAfterGc();
    ClusterState state = new ClusterState(false);
    int namespaces = 1000;
    for (int i = 0; i < namespaces; i++) {
      state.putNamespace(SlimConverter.namespace(new NamespaceBuilder().withNewMetadata().withName("ns" + i)
          .endMetadata().build()));
    }
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      String ns = "ns" + (i % namespaces);
      state.putService(SlimConverter.service(service(ns, "svc-" + i, i)));
      EndpointSlice e = slice(ns, "svc-" + i, i, true);
      e.getMetadata().setName("svc-" + i + "-abcde");
      state.putEndpointSlice(SlimConverter.endpointSlice(e));
      state.putPod(SlimConverter.pod(pod(ns, "pod-" + i + "-7d4b9c-x2k9p", i)));
    }
    var snap = state.build();
    long built = System.nanoTime();
    long after = usedAfterGc();
    // The watch keeps no other copy: no informer store since issue 17 (ListWatch).
    System.out.printf("%d Services + %d EndpointSlices + %d Pods in %d namespaces: converted and built in %.0f ms;"
        + " live heap of the index %.1f MB; CoreDNS formula (pods+services)/1000+54 = %d MB%n",
        n, n, n, namespaces, (built - t0) / 1e6, (after - before) / 1048576.0, (2L * n) / 1000 + 54);
    System.out.println("(keep alive: " + snap.generation() + state.dirty() + ")");
  }

  private static long usedAfterGc() {
    for (int i = 0; i < 4; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  // ------------------------------------------------------------------------------------------ objects

  private static Service service(String ns, String name, int i) {
    return new ServiceBuilder().withNewMetadata().withNamespace(ns).withName(name)
        .addToLabels("app", name).endMetadata()
        .withNewSpec().withClusterIP(clusterIp(i)).withClusterIPs(clusterIp(i)).addToSelector("app", name)
        .addNewPort().withName("http").withProtocol("TCP").withPort(80).withNewTargetPort(8080).endPort()
        .endSpec().build();
  }

  private static EndpointSlice slice(String ns, String svc, int i, boolean ready) {
    return new EndpointSliceBuilder().withNewMetadata().withNamespace(ns).withName(svc)
        .addToLabels(SlimConverter.SERVICE_NAME_LABEL, svc).endMetadata()
        .withAddressType("IPv4")
        .addNewEndpoint().withAddresses(podIp(i)).withNewConditions().withReady(ready).endConditions()
        .withNewTargetRef().withKind("Pod").withName("pod-" + i).withNamespace(ns).endTargetRef().endEndpoint()
        .addNewPort().withName("http").withProtocol("TCP").withPort(8080).endPort().build();
  }

  private static Pod pod(String ns, String name, int i) {
    return new PodBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
        .withNewStatus().withPodIP(podIp(i)).addNewPodIP().withIp(podIp(i)).endPodIP().endStatus().build();
  }

  private static String clusterIp(int i) {
    return "10." + (96 + (i >> 16)) + "." + ((i >> 8) & 0xff) + "." + (i & 0xff);
  }

  private static String podIp(int i) {
    return "10." + (100 + ((i >> 16) & 0x7f)) + "." + ((i >> 8) & 0xff) + "." + (i & 0xff);
  }

  private WatchBenchmark() {}
}
