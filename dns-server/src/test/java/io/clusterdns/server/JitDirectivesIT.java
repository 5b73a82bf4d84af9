package io.clusterdns.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JIT directives the build ships beside the jar (src/main/launcher/clusterdns-jit.json) are in force in a
 * server that reads a cluster in bulk, started as users start it: the JVM itself lists them
 * ({@code jcmd PID Compiler.directives_print}), C2 excluded for the k8s-backend's readers and Jackson's parsers.
 * Without them those are compiled by C2 during the first sync, at a cost of CPU that start-up pays
 * (conformance/bench/RESULTS.md, issue 17).
 */
class JitDirectivesIT {
  /** Bound for the background install to show; it takes well under a second on an idle machine. */
  private static final Duration INSTALLED_DEADLINE = Duration.ofSeconds(30);

  @Test
  void aSnapshotServerRunsWithTheShippedDirectives(@TempDir Path dir) throws Exception {
    Path snapshot = dir.resolve("cluster.yaml");
    Files.writeString(snapshot, "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\napiVersion: v1\n"
        + "kind: Service\nmetadata: {name: s, namespace: a}\nspec: {clusterIP: 10.0.0.1}\n");
    for (List<String> jvm : Arrays.asList(null, List.<String>of())) { // the launcher, then java -jar
      try (ServerProcess server = ServerProcess.start(jvm, Map.of(),
          ports -> List.of("--snapshot", snapshot.toString(), "--upstream", "127.0.0.1:1"))) {
        String how = jvm == null ? "through the launcher" : "with java -jar";
        long deadline = System.nanoTime() + INSTALLED_DEADLINE.toNanos();
        String directives = directives(server.process().pid());
        while (!directives.contains("io/clusterdns/k8s/*.*") && System.nanoTime() < deadline) {
          Thread.sleep(100);
          directives = directives(server.process().pid());
        }
        assertTrue(directives.contains("io/clusterdns/k8s/*.*") && directives.contains("tools/jackson/core/*.*"),
            how + ": the JVM lists the shipped directives:\n" + directives + "\n" + server.output());
        String c2 = directives.substring(directives.indexOf("c2 directives:"));
        assertTrue(c2.contains("Exclude:true"), how + ": they keep C2 off those methods:\n" + directives);
        assertFalse(server.output().contains("not installed"), server.output());
      }
    }
  }

  @Test
  void theDemoLeavesTheJitAsItIs() throws Exception {
    try (ServerProcess server = ServerProcess.start(List.of(), Map.of(),
        ports -> List.of("--demo", "--upstream", "127.0.0.1:1"))) {
      String directives = directives(server.process().pid());
      assertFalse(directives.contains("io/clusterdns/k8s"), "7 services are not a bulk read:\n" + directives);
    }
  }

  /** {@code jcmd PID Compiler.directives_print}, bounded. */
  private static String directives(long pid) throws IOException, InterruptedException {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "Compiler.directives_print")
        .redirectErrorStream(true).start();
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        throw new AssertionError("jcmd did not answer within 60 s");
      }
      return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    } finally {
      p.destroyForcibly();
    }
  }
}
