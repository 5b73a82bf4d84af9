package io.clusterdns.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The series issue 18 found missing, scraped over HTTP from the running jar with the kubeadm Corefile: the health
 * self-probe's duration and failures, {@code coredns_reload_failed_total}, {@code coredns_reload_version_info}
 * and {@code coredns_plugin_enabled} for every plugin of the block.
 */
class OpsMetricsIT {
  /** Bound for the first health probe (one a second) to be counted. */
  private static final Duration PROBE_DEADLINE = Duration.ofSeconds(30);

  private static final String KUBEADM = """
      .:53 {
          errors
          health {
             lameduck 1s
          }
          ready
          kubernetes cluster.local in-addr.arpa ip6.arpa {
             pods insecure
             fallthrough in-addr.arpa ip6.arpa
             ttl 30
          }
          prometheus :9153
          forward . 127.0.0.1:1 {
             max_concurrent 1000
          }
          cache 30 {
             disable success cluster.local
             disable denial cluster.local
          }
          reload
          loadbalance
      }
      """;

  @Test
  void healthReloadAndPluginSeriesAreExported(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("Corefile");
    Files.writeString(conf, KUBEADM);
    try (ServerProcess server = ServerProcess.start(List.of("-Xmx128m"), Map.of(),
        p -> List.of("--conf", conf.toString(), "--demo"))) {
      server.awaitReady(ServerProcess.START_DEADLINE);
      long end = System.nanoTime() + PROBE_DEADLINE.toNanos();
      String body = server.metrics();
      while (!(ReloadIT.metric(body, "coredns_health_request_duration_seconds_count") >= 1)) {
        assertTrue(System.nanoTime() < end, "no health probe counted within " + PROBE_DEADLINE.toSeconds()
            + " s:\n" + body);
        Thread.sleep(200);
        body = server.metrics();
      }
      assertTrue(body.contains("coredns_health_request_duration_seconds_bucket{le=\"2.5\"}"), body);
      assertEquals(0.0, ReloadIT.metric(body, "coredns_health_request_failures_total"), body);
      assertEquals(0.0, ReloadIT.metric(body, "coredns_reload_failed_total"), body);
      assertTrue(body.contains("coredns_reload_version_info{hash=\"sha512\",value=\""), body);
      for (String plugin : List.of("errors", "health", "ready", "kubernetes", "prometheus", "forward", "cache",
          "reload", "loadbalance")) {
        assertEquals(1.0, ReloadIT.metric(body, "coredns_plugin_enabled{name=\"" + plugin
            + "\",server=\"dns://:53\",view=\"\",zone=\".\"}"), plugin + "\n" + body);
      }
    }
  }
}
