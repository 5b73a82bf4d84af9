package io.clusterdns.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clusterdns.server.explain.Explanation;
import io.clusterdns.server.explain.ExplanationText;
import io.clusterdns.server.forward.KnotUpstream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.util.HashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
      assertEquals(knot.hostPort().toString(), first.forwarding().answeredBy(), "the upstream that answered");
      Explanation second = json(explain("--server", at, "--json", "www.example.test"));
      assertTrue(second.forwarding().cache().startsWith("hit"),
          "the second explanation finds the first one's answer in the cache: " + second.forwarding().cache());
      assertNull(second.forwarding().answeredBy(), "no upstream is asked for a cache hit");

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

  /** From a kubeconfig (the default source): listed once from the API server, as a server's first sync. */
  @Test
  void explainsFromTheApiServerOfAKubeconfig(@TempDir Path dir) throws Exception {
    KubernetesMockServer api = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new KubernetesCrudDispatcher(), false);
    api.init(InetAddress.getLoopbackAddress(), 0);
    try (KubernetesClient client = api.createClient()) {
      client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("shop").endMetadata().build())
          .create();
      client.services().inNamespace("shop").resource(new ServiceBuilder()
          .withNewMetadata().withName("cart").withNamespace("shop").endMetadata()
          .withNewSpec().withClusterIP("None").withClusterIPs("None")
          .addNewPort().withName("http").withPort(80).withProtocol("TCP").endPort().endSpec().build()).create();
      client.discovery().v1().endpointSlices().inNamespace("shop").resource(new EndpointSliceBuilder()
          .withNewMetadata().withName("cart-x1").withNamespace("shop")
          .withLabels(Map.of("kubernetes.io/service-name", "cart")).endMetadata()
          .withAddressType("IPv4")
          .addNewPort().withName("http").withPort(8080).withProtocol("TCP").endPort()
          .addToEndpoints(new EndpointBuilder().withAddresses("10.244.3.3").withNewConditions().withReady(false)
              .endConditions().build())
          .build()).create();
      Path kubeconfig = TestKubeconfig.write(dir, "http://127.0.0.1:" + api.getPort(), "dummy");

      Explanation e = json(explain("--kubeconfig", kubeconfig.toString(), "--json", "cart.shop.svc.cluster.local"));
      assertEquals("NXDOMAIN", e.rcode(), "a headless service whose only endpoint is not ready has no name");
      assertTrue(e.rule().contains("(4.2)"), e.rule());
      assertTrue(e.sources().stream().anyMatch(s -> s.detail().contains("NOT ready, address 10.244.3.3")
          && s.detail().contains("EndpointSlice shop/cart-x1")), e.sources().toString());
    } finally {
      MockApiServers.stop(api);
    }
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
    return r.stdout();
  }

  /** {@code output} is what the command printed on stdout, then on stderr (a JSON caller reads only stdout). */
  private record Run(int exit, String stdout, String output) {}

  private static Run run(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString(), "explain"));
    cmd.addAll(List.of(args));
    Path err = Files.createTempFile("explain", ".err");
    Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
    try {
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        throw new AssertionError("explain did not exit within 60 s");
      }
      String stdout = new String(out, StandardCharsets.UTF_8);
      return new Run(p.exitValue(), stdout, stdout + Files.readString(err));
    } finally {
      p.destroyForcibly();
      Files.deleteIfExists(err);
    }
  }
}
