package io.clusterdns.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Corefile the chart renders is one clusterdns accepts: each rendered ConfigMap's Corefile goes through the
 * built jar's own {@code --check-config -conf FILE}, the same parser and validation the pod runs at start-up (the
 * check contacts no API server). A chart value clusterdns refuses fails here, not in the cluster.
 */
class ChartCorefileIT {

  /** The jar dns-server's package phase builds before verify runs this test (as ClusterDnsConformanceIT). */
  private static final Path JAR = Path.of(System.getProperty("clusterdns.jar", "../dns-server/target/clusterdns.jar"));

  /** Bound for one check: a JVM start and a parse, about a second; generous for a busy 2-core machine. */
  private static final long CHECK_SECONDS = 60;

  /** A check's exit status and everything it printed. */
  private record Check(int status, String output) {}

  @Test
  void defaultCorefileIsAccepted(@TempDir Path dir) throws Exception {
    Check check = checkConfig(RenderedChart.defaults(), dir);
    assertEquals(0, check.status(), check.output());
    assertTrue(check.output().contains("configuration OK: zones [cluster.local., in-addr.arpa., ip6.arpa.],"
        + " pods insecure, ttl 30; listen [:53]"), check.output());
  }

  @Test
  void stubDomainCorefileIsAccepted(@TempDir Path dir) throws Exception {
    Check check = checkConfig(RenderedChart.render(ChartCorefiles.STUB_DOMAINS), dir);
    assertEquals(0, check.status(), check.output());
    assertTrue(check.output().contains("example.corp. -> [10.150.0.1:53, 10.150.0.2:53]"), check.output());
    assertTrue(check.output().contains("corp.internal. -> [10.150.0.1:53, 10.150.0.2:53]"), check.output());
  }

  @Test
  void podsVerifiedCorefileIsAccepted(@TempDir Path dir) throws Exception {
    Check check = checkConfig(RenderedChart.render(ChartCorefiles.PODS_VERIFIED), dir);
    assertEquals(0, check.status(), check.output());
    assertTrue(check.output().contains("pods verified"), check.output());
  }

  /** The check is real: a plugin clusterdns refuses (config/COREFILE.md) makes it fail, naming the line. */
  @Test
  void refusedPluginIsReported(@TempDir Path dir) throws Exception {
    Check check = checkConfig(RenderedChart.render("""
        servers:
          - zones: [{zone: .}]
            port: 53
            plugins:
              - {name: errors}
              - {name: kubernetes, parameters: cluster.local in-addr.arpa ip6.arpa}
              - {name: dnssec}
              - {name: forward, parameters: . /etc/resolv.conf}
        """), dir);
    assertEquals(1, check.status(), check.output());
    assertTrue(check.output().contains("Corefile:4:5: plugin 'dnssec'"), check.output());
  }

  private static Check checkConfig(RenderedChart chart, Path dir) throws IOException, InterruptedException {
    assertTrue(Files.isRegularFile(JAR), "no clusterdns jar at " + JAR.toAbsolutePath()
        + ": run mvn -B verify from the project root, or give -Dclusterdns.jar=PATH");
    Path corefile = dir.resolve("Corefile");
    Files.writeString(corefile, chart.corefile(), StandardCharsets.UTF_8);
    Path log = dir.resolve("check.log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(List.of(java, "-jar", JAR.toString(), "--check-config", "-conf",
        corefile.toString())).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      assertTrue(p.waitFor(CHECK_SECONDS, TimeUnit.SECONDS), "--check-config still running after "
          + CHECK_SECONDS + " s");
      return new Check(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8) + "\n--- Corefile:\n"
          + chart.corefile());
    } finally {
      p.destroyForcibly(); // by its own handle; a no-op once it exited
    }
  }
}
