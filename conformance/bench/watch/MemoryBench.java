package io.clusterdns.bench.watch;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Figure 3: memory of the clusterdns process after a full sync of a large cluster served by
 * {@link PagedListDispatcher}, once per JVM flag set: RSS (VmRSS, VmHWM from /proc/PID/status), live heap
 * (the class histogram total, taken after the full GC {@code GC.class_histogram} runs) and heap use after
 * {@code GC.run}; then a forced relist (410 Gone on every watch) of the same data plus four marker objects,
 * with VmHWM reset just before, so the VmHWM after it is the relist's own peak.
 */
final class MemoryBench {
  private static final Pattern USED = Pattern.compile("(generation|heap)\\s+total (\\d+)K, used (\\d+)K");
  private static final Pattern HISTO_TOTAL = Pattern.compile("(?m)^Total\\s+(\\d+)\\s+(\\d+)\\s*$");

  private record Result(String flags, double readyMs, double readyCpuSeconds, String listTimes, String syncLine,
      Map<String, Long> afterSync, long liveHeapKb, long heapUsedAfterGcKb, long heapCommittedKb,
      Map<String, Long> afterGc, double relistMs,
      boolean peakReset, long sampledRelistPeakKb, Map<String, Long> afterRelist, long liveHeapAfterRelistKb,
      String histogramTop) {}

  static void run(Path jar, Path dir, int services, int pods, List<String> profiles) throws Exception {
    long t0 = System.nanoTime();
    SyntheticCluster cluster = new SyntheticCluster(services, pods);
    PagedListDispatcher dispatcher = new PagedListDispatcher(cluster);
    long bytes = dispatcher.resources().values().stream().mapToLong(r -> r.bytes).sum();
    System.out.printf("%n### Memory: %,d Services (+%,d EndpointSlices) + %,d Pods in %,d Namespaces%n%n",
        services, services, pods, cluster.namespaces);
    System.out.printf("pages built in %.1f s: %,d bytes of list JSON (%s)%n", (System.nanoTime() - t0) / 1e9,
        bytes, summary(dispatcher));
    List<Result> results = new ArrayList<>();
    try (MockApi api = new MockApi(dispatcher, dir)) {
      warmUp(jar, api.kubeconfig, dispatcher, profiles.get(0));
      for (String flags : profiles) {
        dispatcher.startOver();
        results.add(measure(jar, api.kubeconfig, dispatcher, cluster, flags));
      }
      if (!dispatcher.unexpectedLimits().isEmpty()) {
        System.out.println("NOTE: lists with other page sizes: " + dispatcher.unexpectedLimits());
      }
    }
    double coredns = (services + pods) / 1000.0 + 54;
    System.out.printf("%nCoreDNS formula (Pods + Services) / 1000 + 54 = %.0f MB%n%n", coredns);
    System.out.println("| JVM flags | ready after start s | CPU s used by then | VmRSS after sync MB | VmHWM after "
        + "sync MB | live heap (histogram) MB | heap used after GC.run / committed MB | VmRSS after GC MB | relist s "
        + "| peak RSS during relist MB | VmRSS after relist MB | live heap after relist MB |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (Result r : results) {
      System.out.printf("| `%s` | %.1f | %.1f | %d | %d | %.1f | %.1f / %.1f | %d | %.1f | %d%s | %d | %.1f |%n",
          r.flags().isEmpty() ? "(none)" : r.flags(), r.readyMs() / 1000, r.readyCpuSeconds(),
          mb(r.afterSync(), "VmRSS"),
          mb(r.afterSync(), "VmHWM"), r.liveHeapKb() / 1024.0, r.heapUsedAfterGcKb() / 1024.0,
          r.heapCommittedKb() / 1024.0, mb(r.afterGc(), "VmRSS"), r.relistMs() / 1000,
          r.peakReset() ? mb(r.afterRelist(), "VmHWM") : r.sampledRelistPeakKb() / 1024,
          r.peakReset() ? "" : " (sampled; VmHWM not resettable)", mb(r.afterRelist(), "VmRSS"),
          r.liveHeapAfterRelistKb() / 1024.0);
    }
    for (Result r : results) {
      System.out.printf("%n`%s`: %s%nlists (seconds after exec: first page - last page served, watch opened, "
          + "per kind): %s%nlargest classes after sync (jcmd GC.class_histogram):%n```%n%s```%n",
          r.flags().isEmpty() ? "(none)" : r.flags(), r.syncLine(), r.listTimes(), r.histogramTop());
    }
  }

  /**
   * One clusterdns sync that is not measured, before the measured ones: the mock API server runs in this JVM on
   * the same two cores as clusterdns, and cold, its own JIT compiling what serving a sync takes (Netty's HTTP/2,
   * Vert.x, the watches' WebSockets) and this bench's polling took ~0.6 of a core throughout the first sync it
   * served, and still 2.2 s of CPU after the lists alone had been served to a warm-up client (RESULTS.md, issue
   * 17). A real API server is warm and on other machines. Then waits until this JVM is quiet again (at most 20 s).
   */
  private static void warmUp(Path jar, Path kubeconfig, PagedListDispatcher dispatcher, String flags)
      throws Exception {
    long t0 = System.nanoTime();
    dispatcher.startOver();
    List<String> jvm = flags.isBlank() ? List.of() : List.of(flags.trim().split("\\s+"));
    try (ClusterDnsProcess dns = ClusterDnsProcess.start(jar, kubeconfig, jvm, List.of("--pods", "verified"))) {
      dns.awaitReady(240_000);
    }
    System.gc();
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long quietDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    long cpu = os.getProcessCpuTime();
    double busy;
    do {
      Thread.sleep(250);
      long now = os.getProcessCpuTime();
      busy = (now - cpu) / 250e6; // cores used over the last 250 ms
      cpu = now;
    } while (busy > 0.05 && System.nanoTime() < quietDeadline);
    System.out.printf("warm-up: one unmeasured sync, then quiet (%.0f %% of a core) after %.1f s%n", busy * 100,
        (System.nanoTime() - t0) / 1e9);
  }

  private static Result measure(Path jar, Path kubeconfig, PagedListDispatcher dispatcher, SyntheticCluster c,
      String flags) throws Exception {
    List<String> jvm = flags.isBlank() ? List.of() : List.of(flags.trim().split("\\s+"));
    try (ClusterDnsProcess dns = ClusterDnsProcess.start(jar, kubeconfig, jvm, List.of("--pods", "verified"));
        DnsProbe probe = new DnsProbe(dns.dns())) {
      double readyMs = dns.awaitReady(240_000);
      double readyCpu = dns.cpuSeconds();
      String listTimes = listTimes(dispatcher, dns.startedNanos(), readyMs);
      Map<String, Long> afterSync = dns.memoryKb();
      check(probe, c);
      String histo = dns.jcmd("GC.class_histogram");
      long live = histogramTotalKb(histo);
      dns.jcmd("GC.run");
      String heapInfo = dns.jcmd("GC.heap_info");
      long[] used = heapUsed(heapInfo);
      Map<String, Long> afterGc = dns.memoryKb();
      if (flags.contains("NativeMemoryTracking")) {
        System.out.println("native memory after sync (" + flags + "):\n```\n"
            + nmtSummary(dns.jcmd("VM.native_memory", "summary")) + "```");
      }

      // Forced relist: 410 on every watch; done when every list has been served again, clusterdns watches
      // again, and the relist-only markers of all four kinds answer.
      boolean reset = dns.resetPeak();
      long r0 = System.nanoTime();
      int gone = dispatcher.forceRelist();
      long deadline = r0 + 180_000_000_000L;
      long sampledPeak = 0;
      while (true) {
        sampledPeak = Math.max(sampledPeak, dns.memoryKb().get("VmRSS"));
        if (dispatcher.listedAndWatching(2) && markersVisible(probe)) {
          break;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("relist not applied within 180 s: " + summary(dispatcher) + "\n"
              + dns.output());
        }
        Thread.sleep(20);
      }
      double relistMs = (System.nanoTime() - r0) / 1e6;
      Map<String, Long> afterRelist = dns.memoryKb();
      if (flags.contains("NativeMemoryTracking")) {
        System.out.println("native memory after the relist (" + flags + "):\n```\n"
            + nmtSummary(dns.jcmd("VM.native_memory", "summary")) + "```");
      }
      check(probe, c);
      long liveAfter = histogramTotalKb(dns.jcmd("GC.class_histogram"));
      System.out.printf("%n`%s`: pid %d; %d watches got 410; %s%n", flags.isEmpty() ? "(none)" : flags, dns.pid(),
          gone, summary(dispatcher));
      System.out.println("heap after GC.run:\n```\n" + heapInfo.strip() + "\n```");
      return new Result(flags, readyMs, readyCpu, listTimes, String.valueOf(dns.line("synced in")), afterSync,
          live, used[0], used[1], afterGc, relistMs, reset, sampledPeak, afterRelist, liveAfter, top(histo, 20));
    }
  }

  /**
   * When the mock served each kind's list, against the process start, when that kind's watch opened, and what
   * came after the last page: the list time (clusterdns paging through the API server, the mock's serving
   * included) apart from the watch's start and the time to apply the lists and be ready (issue 17 asks for list
   * and watch time apart).
   */
  private static String listTimes(PagedListDispatcher d, long startNanos, double readyMs) {
    StringBuilder b = new StringBuilder();
    long lastOfAll = 0;
    long lastWatch = 0;
    for (PagedListDispatcher.Resource r : d.resources().values()) {
      if (r.lastPageNanos == 0) {
        continue;
      }
      b.append(r.name).append(String.format(" %.2f-%.2f", (r.firstPageNanos - startNanos) / 1e9,
          (r.lastPageNanos - startNanos) / 1e9));
      if (r.watchOpenNanos != 0) {
        b.append(String.format(" watch %.2f", (r.watchOpenNanos - startNanos) / 1e9));
        lastWatch = Math.max(lastWatch, r.watchOpenNanos);
      }
      b.append("; ");
      lastOfAll = Math.max(lastOfAll, r.lastPageNanos);
    }
    double listsDone = (lastOfAll - startNanos) / 1e9;
    return b.append(String.format("all lists served by %.2f s, all watches open by %.2f s, ready at %.2f s"
        + " (%.2f s after the last page)", listsDone, lastWatch == 0 ? Double.NaN : (lastWatch - startNanos) / 1e9,
        readyMs / 1000, readyMs / 1000 - listsDone)).toString();
  }

  /** Names from the start, middle and end of every list answer as they should: the sync was complete. */
  private static void check(DnsProbe probe, SyntheticCluster c) throws Exception {
    int[] svc = {1, c.services / 2 + 1, c.services - 1};
    for (int i : svc) {
      String name = "svc-" + i + "." + c.namespaceOf(i) + ".svc.cluster.local";
      expect(probe, name, SyntheticCluster.headless(i) ? SyntheticCluster.podIp(i) : SyntheticCluster.serviceIp(i));
    }
    // A headless Service answers its ready endpoint (the Pod behind EndpointSlice i).
    expect(probe, "svc-10." + c.namespaceOf(10) + ".svc.cluster.local", SyntheticCluster.podIp(10));
    for (int i : new int[] {0, c.pods / 2, c.pods - 1}) {
      expect(probe, SyntheticCluster.podIp(i).replace('.', '-') + "." + c.namespaceOf(i) + ".pod.cluster.local",
          SyntheticCluster.podIp(i));
    }
  }

  private static void expect(DnsProbe probe, String name, String ip) throws Exception {
    DnsProbe.Reply r = probe.a(name);
    if (r == null || !DnsProbe.answers(ip).test(r)) {
      throw new IllegalStateException(name + ": expected " + ip + ", got " + r);
    }
  }

  private static boolean markersVisible(DnsProbe probe) throws Exception {
    DnsProbe.Reply ns = probe.a(SyntheticCluster.MARKER_NS + ".svc.cluster.local");
    DnsProbe.Reply svc = probe.a(SyntheticCluster.MARKER_SVC + ".ns-0.svc.cluster.local");
    DnsProbe.Reply pod = probe.a(SyntheticCluster.MARKER_POD_IP.replace('.', '-') + ".ns-0.pod.cluster.local");
    return ns != null && ns.noerror() && svc != null && DnsProbe.answers(SyntheticCluster.MARKER_EP_IP).test(svc)
        && pod != null && DnsProbe.answers(SyntheticCluster.MARKER_POD_IP).test(pod);
  }

  private static String summary(PagedListDispatcher d) {
    StringBuilder b = new StringBuilder();
    for (PagedListDispatcher.Resource r : d.resources().values()) {
      if (b.length() > 0) {
        b.append("; ");
      }
      b.append(r.name).append(": ").append(r.pages.size()).append(" pages, ").append(r.pagesServed.get())
          .append(" served, ").append(r.watchesOpened.get()).append(" watches");
    }
    return b.toString();
  }

  static long histogramTotalKb(String histo) {
    Matcher m = HISTO_TOTAL.matcher(histo);
    if (!m.find()) {
      throw new IllegalStateException("no Total in class histogram:\n" + histo);
    }
    return Long.parseLong(m.group(2)) / 1024;
  }

  /** Sum of used and of total over the heap's generations, in kB. */
  private static long[] heapUsed(String heapInfo) {
    Matcher m = USED.matcher(heapInfo);
    long used = 0;
    long total = 0;
    while (m.find()) {
      total += Long.parseLong(m.group(2));
      used += Long.parseLong(m.group(3));
    }
    return new long[] {used, total};
  }

  /** The {@code rows} largest classes, then every other io.clusterdns or io.fabric8 class of 1 MB or more. */
  private static String top(String histo, int rows) {
    StringBuilder b = new StringBuilder();
    StringBuilder ours = new StringBuilder();
    int n = 0;
    for (String line : histo.split("\n")) {
      if (line.contains("num ") || line.startsWith("---")) {
        b.append(line).append('\n');
      } else if (line.matches("\\s*\\d+:.*")) {
        if (++n <= rows) {
          b.append(line).append('\n');
        } else if ((line.contains("io.clusterdns") || line.contains("io.fabric8"))
            && Long.parseLong(line.trim().split("\\s+")[2]) >= 1 << 20) {
          ours.append(line).append('\n');
        }
      }
    }
    return b.append(ours).toString();
  }

  private static String nmtSummary(String nmt) {
    StringBuilder b = new StringBuilder();
    for (String line : nmt.split("\n")) {
      if (line.startsWith("Total") || line.matches("-\\s+\\S.*\\(reserved=.*")) {
        b.append(line.strip()).append('\n');
      }
    }
    return b.toString();
  }

  private static long mb(Map<String, Long> m, String key) {
    return m.get(key) / 1024;
  }
}
