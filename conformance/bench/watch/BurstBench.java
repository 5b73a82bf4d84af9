package io.clusterdns.bench.watch;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Figure 2: N Services created in a burst by a few writer threads against the CRUD mock; how long the writes
 * take, how far the answers lag while they go on (a prober repeatedly takes the latest acknowledged Service
 * and polls it until it resolves), and the lag from the last acknowledged write until it resolves, then
 * until every one of the N resolves.
 */
final class BurstBench {
  private static final String NS = "burst";
  private record Acked(int index, long ackNanos) {}

  static void run(Path jar, Path dir, int count, int writers) throws Exception {
    try (MockApi api = new MockApi(new KubernetesCrudDispatcher(), dir)) {
      KubernetesClient k = api.client;
      k.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
          .create();
      try (ClusterDnsProcess dns = ClusterDnsProcess.start(jar, api.kubeconfig, List.of(), List.of());
          DnsProbe probe = new DnsProbe(dns.dns())) {
        double readyMs = dns.awaitReady(30_000);
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Acked> latest = new AtomicReference<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        Latencies duringBurst = new Latencies();
        int[] proberTimeouts = new int[1];
        ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
        long start = System.nanoTime();
        try {
          List<Future<?>> writerTasks = new ArrayList<>();
          for (int w = 0; w < writers; w++) {
            writerTasks.add(pool.submit(() -> {
              for (int i; (i = next.getAndIncrement()) < count; ) {
                String ip = ip(i);
                k.services().inNamespace(NS).resource(new ServiceBuilder().withNewMetadata().withName("b-" + i)
                    .withNamespace(NS).endMetadata().withNewSpec().withClusterIP(ip).withClusterIPs(ip)
                    .addNewPort().withName("http").withPort(80).withProtocol("TCP").endPort().endSpec().build())
                    .create();
                long t = System.nanoTime();
                int idx = i;
                latest.accumulateAndGet(new Acked(idx, t), (a, b) -> a == null || b.ackNanos() > a.ackNanos() ? b
                    : a);
              }
              return null;
            }));
          }
          Future<?> prober = pool.submit(() -> {
            try (DnsProbe p = new DnsProbe(dns.dns())) {
              int lastProbed = -1;
              while (writing.get()) {
                Acked a = latest.get();
                if (a == null || a.index() == lastProbed) {
                  Thread.sleep(1);
                  continue;
                }
                lastProbed = a.index();
                DnsProbe.Poll r = p.await(name(a.index()), DnsProbe.answers(ip(a.index())), 10_000_000_000L);
                if (r.seen()) {
                  duringBurst.add(r.seenNanos() - a.ackNanos());
                } else {
                  proberTimeouts[0]++;
                }
              }
            }
            return null;
          });
          for (Future<?> f : writerTasks) {
            f.get(300, TimeUnit.SECONDS);
          }
          writing.set(false);
          long writesDone = System.nanoTime();
          Acked last = latest.get();
          DnsProbe.Poll lastSeen = probe.await(name(last.index()), DnsProbe.answers(ip(last.index())),
              60_000_000_000L);
          prober.get(30, TimeUnit.SECONDS);
          // Then every one of them, re-polling the missing ones until a deadline.
          List<Integer> missing = new ArrayList<>();
          for (int i = 0; i < count; i++) {
            missing.add(i);
          }
          long sweepDeadline = System.nanoTime() + 60_000_000_000L;
          int sweeps = 0;
          while (!missing.isEmpty() && System.nanoTime() < sweepDeadline) {
            sweeps++;
            List<Integer> still = new ArrayList<>();
            for (int i : missing) {
              DnsProbe.Reply r = probe.a(name(i));
              if (r == null || !DnsProbe.answers(ip(i)).test(r)) {
                still.add(i);
              }
            }
            missing = still;
          }
          long allSeen = System.nanoTime();

          System.out.printf("%n### Burst: %d Services created by %d writer threads%n%n", count, writers);
          System.out.printf("clusterdns pid %d, ready %.0f ms after start%n%n", dns.pid(), readyMs);
          System.out.println("| what | value |");
          System.out.println("|---|---|");
          System.out.printf("| writes: first sent -> last acknowledged | %.2f s (%.0f creates/s) |%n",
              (writesDone - start) / 1e9, count / ((writesDone - start) / 1e9));
          System.out.printf("| last acknowledged write (b-%d) -> it resolves | %s |%n", last.index(),
              lastSeen.seen() ? String.format("%.2f ms", (lastSeen.seenNanos() - last.ackNanos()) / 1e6)
                  : "not within 60 s");
          System.out.printf("| burst start -> last one resolves | %.2f s |%n",
              ((lastSeen.seen() ? lastSeen.seenNanos() : allSeen) - start) / 1e9);
          System.out.printf("| after the writes, all %d checked by %d sweep(s) of queries | %s, sweep done %.2f s "
              + "after the last write |%n", count, sweeps, missing.isEmpty() ? "all resolve"
              : missing.size() + " do NOT resolve", (allSeen - writesDone) / 1e9);
          System.out.printf("| lag during the burst (latest acknowledged -> resolves), n=%d | p50 %.2f ms, p99 "
              + "%.2f ms, max %.2f ms; %d timeouts |%n", duringBurst.count(), duringBurst.percentileMillis(50),
              duringBurst.percentileMillis(99), duringBurst.maxMillis(), proberTimeouts[0]);
          System.out.printf("%nmemory after: %s kB%nserver log: %s%n", dns.memoryKb(), dns.notable());
          System.out.printf("live heap after the burst (jcmd GC.class_histogram total): %.1f MB%n",
              MemoryBench.histogramTotalKb(dns.jcmd("GC.class_histogram")) / 1024.0);
        } finally {
          writing.set(false);
          pool.shutdownNow();
          pool.awaitTermination(30, TimeUnit.SECONDS);
        }
      }
    }
  }

  private static String name(int i) {
    return "b-" + i + "." + NS + ".svc.cluster.local";
  }

  private static String ip(int i) {
    return "10.100." + (i / 250) + "." + (i % 250 + 1);
  }
}
