package io.clusterdns.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Mode 3's apply / read back / clean up against fabric8's mock API server in CRUD mode. The server is managed
 * here rather than by {@code @EnableKubernetesMockClient}, whose teardown fails the class when the mock's
 * shutdown times out (see {@link #stopServer()}).
 */
class KubeconfigModeIT {

  private static KubernetesMockServer server;
  private static KubernetesClient client;

  @BeforeAll
  static void startServer() {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new KubernetesCrudDispatcher(), false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    client = server.createClient();
  }

  @AfterAll
  static void stopServer() {
    try {
      if (client != null) {
        client.close();
      }
    } finally {
      if (server != null) {
        try {
          server.destroy();
        } catch (IllegalStateException e) {
          // MockWebServer sometimes times out waiting for a closed vertx client's socket; the tests are over.
          System.err.println("mock server shutdown: " + e);
        }
      }
    }
  }

  private final PrintStream log = new PrintStream(new ByteArrayOutputStream());

  @AfterEach
  void removeLeftovers() {
    for (String ns : List.of("conf-a", "conf-b", "conf-empty")) {
      client.namespaces().withName(ns).delete();
    }
  }

  @Test
  void appliesTheFixtureReadsBackClusterIpsAndDeletesEverythingItCreated() {
    Fixture fixture = Fixture.load(Path.of("fixture"));
    ClusterFixture applied = ClusterFixture.apply(client, fixture, log);

    // Given the fixture was applied, the objects are in the API server.
    for (String ns : List.of("conf-a", "conf-b", "conf-empty")) {
      assertTrue(client.namespaces().withName(ns).get() != null, ns);
    }
    assertEquals(20, client.services().inNamespace("conf-a").list().getItems().size());
    assertEquals(2, client.services().inNamespace("conf-b").list().getItems().size());
    List<EndpointSlice> slices = client.discovery().v1().endpointSlices().inNamespace("conf-a").list().getItems();
    assertEquals(14, slices.size());
    assertEquals(40, slices.stream().filter(s -> s.getMetadata().getName().equals("big-1")).findFirst()
        .orElseThrow().getEndpoints().size());
    assertEquals(0, client.pods().inAnyNamespace().list().getItems().size(), "pods are not applied in mode 3");

    // The mock keeps the fixed ClusterIPs, so the read-back map is the identity, both families included.
    assertEquals("10.96.10.1", applied.addresses().get("10.96.10.1"));
    assertEquals("fd00:10:96::2", applied.addresses().get("fd00:10:96::2"));
    assertEquals(8, applied.addresses().size());
    assertEquals(List.of(), applied.unmapped());

    // When the run ends, everything it created is gone.
    applied.close();
    assertEquals(0, client.services().inAnyNamespace().list().getItems().size());
    assertEquals(0, client.discovery().v1().endpointSlices().inAnyNamespace().list().getItems().size());
    for (String ns : List.of("conf-a", "conf-b", "conf-empty")) {
      assertNull(client.namespaces().withName(ns).get(), ns);
    }
  }

  @Test
  void refusesToReuseALeftoverNamespaceAndCleansUpWhatItMadeBefore() {
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("conf-b").endMetadata().build())
        .create();
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> ClusterFixture.apply(client, Fixture.load(Path.of("fixture")), log));
    assertTrue(e.getMessage().contains("namespace conf-b already exists"), e.getMessage());
    // conf-a (created before the clash) was removed again; the pre-existing conf-b was not touched.
    assertNull(client.namespaces().withName("conf-a").get());
    assertTrue(client.namespaces().withName("conf-b").get() != null);
  }
}
