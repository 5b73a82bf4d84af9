package io.clusterdns.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clusterdns.server.explain.Explanation;
import io.clusterdns.server.explain.ExplanationText;
import io.clusterdns.server.forward.KnotUpstream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code clusterdns explain} as an operator runs it (issue 22): the jar's CLI against a running server's
 * {@code /explain} endpoint (sharing the metrics listener), with a real Knot upstream, and offline against the
 * demo cluster.
 */
class ExplainIT {
  private static final Path JAR = Path.of("target", "clusterdns.jar");

  @Test
  void runningServerExplainsClusterNamesAndForwardedNamesWithItsCache() throws Exception {
    try (KnotUpstream knot = KnotUpstream.start();
        ServerProcess server = ServerProcess.start(List.of("-Xmx128m"), Map.of(),
            p -> List.of("--demo", "--upstream", knot.hostPort().toString(),
                "--explain", "127.0.0.1:" + p.metrics()))) {
      server.awaitReady(ServerProcess.START_DEADLINE);
      String at = "127.0.0.1:" + server.ports().metrics();

      Explanation db = json(explain("--server", at, "--json", "db.demo.svc.cluster.local"));
      assertEquals("server", db.asked(), "the reply is the running server's own");
      assertEquals("NOERROR", db.rcode());
      assertEquals(2, db.answer().size(), db.answer().toString());
      assertTrue(db.sources().stream().anyMatch(s -> s.kind().equals("Endpoint") && s.name().equals("db-2")
          && s.detail().startsWith("NOT ready")), "the not-ready endpoint left out is named: " + db.sources());

      Explanation first = json(explain("--server", at, "--json", "www.example.test"));
      assertEquals("NOERROR", first.rcode());
      assertEquals(List.of(knot.hostPort().toString()), first.forwarding().upstreams());
      assertTrue(first.forwarding().cache().startsWith("miss"), first.forwarding().cache());
      assertTrue(first.answer().get(0).contains("192.0.2.10"), first.answer().toString());
      Explanation second = json(explain("--server", at, "--json", "www.example.test"));
      assertTrue(second.forwarding().cache().startsWith("hit"),
          "the second explanation finds the first one's answer in the cache: " + second.forwarding().cache());

      String human = explain("--server", at, "web.demo.svc.cluster.local");
      assertTrue(human.contains("from       Service demo/web: ClusterIP 10.96.1.10"), human);
      assertTrue(human.contains("reply      NOERROR, from the running server"), human);
      assertEquals(200, ServerProcess.httpStatus("/metrics", server.ports().metrics()),
          "the metrics endpoint still answers on the address it shares with /explain");
    }
  }

  @Test
  void offlineExplanationSaysWhyANameIsMissing() throws Exception {
    String out = explain("--demo", "webb.demo.svc.cluster.local");
    assertTrue(out.contains("reply      NXDOMAIN, computed from the cluster index"), out);
    assertTrue(out.contains("no Service 'webb' in namespace demo"), out);
    assertTrue(out.contains("closest    web.demo.svc"), out);

    Explanation srv = json(explain("--demo", "--json", "_pg._tcp.db.demo.svc.cluster.local", "SRV"));
    assertEquals("NXDOMAIN", srv.rcode());
    assertTrue(srv.why().get(0).contains("postgres/TCP"), "the ports that exist are listed: " + srv.why());
  }

  @Test
  void badInputIsAClearErrorNotAStackTrace() throws Exception {
    Run r = run("--demo", "web.demo.svc.cluster.local", "NOTATYPE");
    assertEquals(1, r.exit());
    assertTrue(r.output().contains("'NOTATYPE' is not a DNS type"), r.output());
    Run down = run("--server", "127.0.0.1:" + ServerProcess.freePorts(1)[0], "x.example.");
    assertNotEquals(0, down.exit());
    assertTrue(down.output().contains("is the server started with --explain"), down.output());
  }

  private static Explanation json(String text) {
    return ExplanationText.fromJson(text);
  }

  private static String explain(String... args) throws IOException, InterruptedException {
    Run r = run(args);
    assertEquals(0, r.exit(), r.output());
    return r.output();
  }

  private record Run(int exit, String output) {}

  private static Run run(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString(), "explain"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try {
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        throw new AssertionError("explain did not exit within 60 s");
      }
      return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    } finally {
      p.destroyForcibly();
    }
  }
}
