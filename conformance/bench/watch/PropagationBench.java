package io.clusterdns.bench.watch;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Figure 1: API write acknowledged (the fabric8 call returned) → the change visible in a real DNS answer of
 * the clusterdns process, per kind of change, polled every ~1 ms. The first {@code warmup} changes of each
 * kind are made and measured but left out of the figures (JIT of both JVMs).
 */
final class PropagationBench {
  private static final long TIMEOUT_NANOS = 5_000_000_000L;
  private static final String NS = "bench";

  /** One change: a write, then the name to poll and what the answer must show. */
  private interface Write {
    void run() throws Exception;
  }

  private record Row(String kind, Latencies fromAck, Latencies fromStart, Latencies writeCall, int firstProbe,
      int timeouts, List<String> failures) {}

  static void run(Path jar, Path dir, int changes, int warmup) throws Exception {
    int total = changes + warmup;
    try (MockApi api = new MockApi(new KubernetesCrudDispatcher(), dir)) {
      KubernetesClient k = api.client;
      k.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
          .create();
      // Headless services whose slice has one ready and one not-ready endpoint; a flip changes the answer
      // from one address to two and back (not-ready endpoints are not published, behaviours.md 4.2).
      List<EndpointSlice> slices = new ArrayList<>();
      for (int i = 0; i < total; i++) {
        k.services().inNamespace(NS).resource(new ServiceBuilder().withNewMetadata().withName("h-" + i)
            .withNamespace(NS).endMetadata().withNewSpec().withClusterIP("None").withClusterIPs("None")
            .withSelector(Map.of("app", "h-" + i)).addNewPort().withName("http").withPort(80).endPort()
            .endSpec().build()).create();
        slices.add(k.discovery().v1().endpointSlices().inNamespace(NS).resource(slice(i, false)).create());
      }
      List<String> jvm = List.of();
      try (ClusterDnsProcess dns = ClusterDnsProcess.start(jar, api.kubeconfig, jvm, List.of("--pods", "verified"));
          DnsProbe probe = new DnsProbe(dns.dns())) {
        double readyMs = dns.awaitReady(30_000);
        System.out.printf("%n### Propagation: API write acknowledged -> DNS answer%n%n");
        System.out.printf("clusterdns pid %d (%s), ready %.0f ms after start; %d changes per kind + %d warm-up "
            + "left out; poll every %.1f ms, timeout %d s per change%n%n", dns.pid(),
            String.join(" ", dns.command.subList(1, dns.command.indexOf("--kubeconfig"))), readyMs, changes,
            warmup, DnsProbe.POLL_NANOS / 1e6, TIMEOUT_NANOS / 1_000_000_000L);

        List<Row> rows = new ArrayList<>();
        List<Service> created = new ArrayList<>();
        rows.add(measure("Service create (ClusterIP)", total, warmup, probe, i -> () -> created.add(
                k.services().inNamespace(NS).resource(clusterIpService(i, svcIp(97, i))).create()),
            i -> "c-" + i + "." + NS + ".svc.cluster.local", i -> DnsProbe.answers(svcIp(97, i))));
        rows.add(measure("Service update (clusterIP)", total, warmup, probe, i -> () -> {
              Service s = new ServiceBuilder(created.get(i)).editSpec().withClusterIP(svcIp(98, i))
                  .withClusterIPs(svcIp(98, i)).endSpec().build();
              k.services().inNamespace(NS).resource(s).update();
            },
            i -> "c-" + i + "." + NS + ".svc.cluster.local", i -> DnsProbe.answers(svcIp(98, i))));
        rows.add(measure("EndpointSlice flip to ready", total, warmup, probe, i -> () -> slices.set(i,
                k.discovery().v1().endpointSlices().inNamespace(NS).resource(flip(slices.get(i), true)).update()),
            i -> "h-" + i + "." + NS + ".svc.cluster.local",
            i -> DnsProbe.answers(podIp(96, i, 1), podIp(96, i, 2))));
        rows.add(measure("EndpointSlice flip to not ready", total, warmup, probe, i -> () -> slices.set(i,
                k.discovery().v1().endpointSlices().inNamespace(NS).resource(flip(slices.get(i), false)).update()),
            i -> "h-" + i + "." + NS + ".svc.cluster.local", i -> DnsProbe.answers(podIp(96, i, 1))));
        rows.add(measure("Namespace create", total, warmup, probe, i -> () -> k.namespaces().resource(
                new NamespaceBuilder().withNewMetadata().withName("bench-ns-" + i).endMetadata().build()).create(),
            // An existing namespace without services: NODATA, not NXDOMAIN (behaviours.md 1.5).
            i -> "bench-ns-" + i + ".svc.cluster.local", i -> DnsProbe.Reply::noerror));
        rows.add(measure("Service delete", total, warmup, probe,
            i -> () -> k.services().inNamespace(NS).withName("c-" + i).delete(),
            i -> "c-" + i + "." + NS + ".svc.cluster.local", i -> DnsProbe.Reply::nxdomain));
        rows.add(measure("Pod create (--pods verified)", total, warmup, probe,
            i -> () -> k.pods().inNamespace(NS).resource(pod(i)).create(),
            i -> podIp(99, i, 0).replace('.', '-') + "." + NS + ".pod.cluster.local",
            i -> DnsProbe.answers(podIp(99, i, 0))));

        System.out.println("| change | n | p50 ms | p99 ms | max ms | visible at 1st query | p50 from write "
            + "start ms | write call p50 ms | timeouts (5 s) |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        for (Row r : rows) {
          System.out.printf("| %s | %d | %.2f | %.2f | %.2f | %d | %.2f | %.2f | %d |%n", r.kind(),
              r.fromAck().count(), r.fromAck().percentileMillis(50), r.fromAck().percentileMillis(99),
              r.fromAck().maxMillis(), r.firstProbe(), r.fromStart().percentileMillis(50),
              r.writeCall().percentileMillis(50), r.timeouts());
          for (String f : r.failures()) {
            System.out.println("  timed out: " + f);
          }
        }
        System.out.printf("%nmemory after: %s kB%nserver log: %s%n", dns.memoryKb(), dns.notable());
      }
    }
  }

  private static Row measure(String kind, int total, int warmup, DnsProbe probe,
      java.util.function.IntFunction<Write> write, java.util.function.IntFunction<String> name,
      java.util.function.IntFunction<Predicate<DnsProbe.Reply>> done) throws Exception {
    Latencies fromAck = new Latencies();
    Latencies fromStart = new Latencies();
    Latencies call = new Latencies();
    int first = 0;
    int timeouts = 0;
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < total; i++) {
      Write w = write.apply(i);
      long t0 = System.nanoTime();
      w.run();
      long ack = System.nanoTime();
      DnsProbe.Poll p = probe.await(name.apply(i), done.apply(i), TIMEOUT_NANOS);
      if (i < warmup) {
        continue;
      }
      if (!p.seen()) {
        timeouts++;
        if (failures.size() < 3) {
          failures.add(name.apply(i) + " last answer " + p.last());
        }
        continue;
      }
      fromAck.add(p.seenNanos() - ack);
      fromStart.add(p.seenNanos() - t0);
      call.add(ack - t0);
      if (p.queries() == 1) {
        first++;
      }
    }
    return new Row(kind, fromAck, fromStart, call, first, timeouts, failures);
  }

  static String svcIp(int second, int i) {
    return "10." + second + "." + (i / 250) + "." + (i % 250 + 1);
  }

  static String podIp(int second, int i, int which) {
    return "10." + second + "." + (i / 80) + "." + (i % 80 * 3 + which + 1);
  }

  private static Service clusterIpService(int i, String ip) {
    return new ServiceBuilder().withNewMetadata().withName("c-" + i).withNamespace(NS).endMetadata()
        .withNewSpec().withClusterIP(ip).withClusterIPs(ip).addNewPort().withName("http").withPort(80)
        .withProtocol("TCP").endPort().endSpec().build();
  }

  private static EndpointSlice slice(int i, boolean secondReady) {
    return new EndpointSliceBuilder().withNewMetadata().withName("h-" + i + "-abcde").withNamespace(NS)
        .withLabels(Map.of("kubernetes.io/service-name", "h-" + i)).endMetadata()
        .withAddressType("IPv4")
        .addNewPort().withName("http").withPort(8080).withProtocol("TCP").endPort()
        .addToEndpoints(new EndpointBuilder().withAddresses(podIp(96, i, 1)).withNewConditions().withReady(true)
            .endConditions().build())
        .addToEndpoints(new EndpointBuilder().withAddresses(podIp(96, i, 2)).withNewConditions()
            .withReady(secondReady).endConditions().build())
        .build();
  }

  private static EndpointSlice flip(EndpointSlice current, boolean secondReady) {
    EndpointSlice s = new EndpointSliceBuilder(current).build();
    s.getEndpoints().get(1).getConditions().setReady(secondReady);
    return s;
  }

  private static Pod pod(int i) {
    String ip = podIp(99, i, 0);
    return new PodBuilder().withNewMetadata().withName("p-" + i).withNamespace(NS).endMetadata()
        .withNewSpec().addNewContainer().withName("app").withImage("registry.k8s.io/pause:3.9").endContainer()
        .endSpec()
        .withNewStatus().withPhase("Running").withPodIP(ip).addNewPodIP().withIp(ip).endPodIP().endStatus()
        .build();
  }
}
