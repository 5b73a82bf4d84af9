package io.clusterdns.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clusterdns.index.ClusterSnapshot;
import io.clusterdns.index.ClusterState;
import io.clusterdns.index.EndpointAddress;
import io.clusterdns.index.IpAddress;
import io.clusterdns.index.NamespaceView;
import io.clusterdns.index.PortInfo;
import io.clusterdns.index.ServiceKind;
import io.clusterdns.index.ServiceView;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ManifestLoaderTest {

  private static ClusterSnapshot loadResource(String name) throws Exception {
    ClusterState state = new ClusterState(false);
    try (InputStream in = ManifestLoaderTest.class.getResourceAsStream(name)) {
      assertNotNull(in, name);
      ManifestLoader.load(in, name, state);
    }
    return state.build();
  }

  private static ManifestException loadFails(String yaml) {
    ClusterState state = new ClusterState(false);
    ManifestException e = assertThrows(ManifestException.class, () -> ManifestLoader.load(
        new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "cluster.yaml", state));
    assertFalse(state.dirty(), "a failed load must leave the state untouched");
    return e;
  }

  private static List<String> addresses(ServiceView v) {
    return v.endpoints().stream().map(e -> e.address().toString()).sorted().toList();
  }

  private static IpAddress ip(String s) {
    return IpAddress.parse(s);
  }

  // ------------------------------------------------------------------------------------ good manifests

  @Test
  void multiDocumentYamlLoadsEveryReadKindAndSkipsTheRest() throws Exception {
    ClusterState state = new ClusterState(false);
    ManifestLoader.Summary s;
    try (InputStream in = getClass().getResourceAsStream("multi-doc.yaml")) {
      s = ManifestLoader.load(in, "multi-doc.yaml", state);
    }
    assertEquals(Map.of("Deployment (apps/v1)", 2, "ConfigMap (v1)", 1), s.skippedKinds());
    assertEquals(1, s.services());
    assertEquals(1, s.endpointSlices());
    assertEquals(2, s.pods());

    NamespaceView shop = state.build().namespace("shop");
    assertNotNull(shop);
    ServiceView cart = shop.service("cart");
    // spec.clusterIPs absent: falls back to spec.clusterIP
    assertEquals(ServiceKind.CLUSTER_IP, cart.kind());
    assertEquals(List.of(ip("10.96.5.5")), cart.info().clusterIps());
    // protocol defaults to TCP
    assertEquals(List.of(new PortInfo("http", "TCP", 80), new PortInfo("dns", "UDP", 53)), cart.info().ports());
    // ready unset = ready, ready false = absent, "not-an-ip" skipped (behaviours.md 5.2)
    assertEquals(List.of("10.1.0.1", "10.1.0.3"), addresses(cart));
    EndpointAddress named = cart.endpointsNamed("cart-a").get(0);
    assertEquals(ip("10.1.0.3"), named.address());
    // a slice port without a number is skipped
    assertEquals(List.of(new PortInfo("http", "TCP", 8080)), named.ports());
    // terminating pod's addresses do not verify (behaviours.md 8.3)
    assertTrue(shop.podIps().contains(ip("10.1.0.3")));
    assertFalse(shop.podIps().contains(ip("10.1.0.9")));
    assertFalse(shop.podIps().contains(ip("fd00::9")));
  }

  @Test
  void listAndTypedListDocumentsLoadTheirItems() throws Exception {
    NamespaceView ops = loadResource("list.yaml").namespace("ops");
    assertNotNull(ops);
    ServiceView grafana = ops.service("grafana");
    assertEquals(List.of(ip("10.96.7.7"), ip("fd00:10:96::7")), grafana.info().clusterIps());

    ServiceView ext = ops.service("ext");
    assertEquals(ServiceKind.EXTERNAL_NAME, ext.kind());
    assertEquals("grafana.example.org", ext.info().externalName());
    assertTrue(ext.info().clusterIps().isEmpty());

    ServiceView headless = ops.service("cluster");
    assertEquals(ServiceKind.HEADLESS, headless.kind());
    assertTrue(headless.info().clusterIps().isEmpty());
    // IPv6 endpoint named by its dashed form with the trailing 0 (behaviours.md 4.3)
    assertEquals(ip("2001:db8::"), headless.endpointsNamed("2001-db8--0").get(0).address());

    ServiceView typed = ops.service("typed");
    assertNotNull(typed, "items of a ServiceList take the list's kind");
    assertEquals(List.of(ip("10.96.7.8")), typed.info().clusterIps());
  }

  @Test
  void jsonListLoads() throws Exception {
    NamespaceView ns = loadResource("cluster.json").namespace("json-ns");
    ServiceView api = ns.service("api");
    assertEquals(List.of(ip("10.96.9.9")), api.info().clusterIps());
    assertEquals(List.of("10.2.0.1"), addresses(api));
    assertEquals(9091, api.endpoints().get(0).ports().get(0).port());
  }

  @Test
  void jsonObjectStreamLoads() throws Exception {
    String json = "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"n1\"}}\n"
        + "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"s\",\"namespace\":\"n1\"},"
        + "\"spec\":{\"clusterIP\":\"None\"}}\n";
    ClusterState state = new ClusterState(false);
    ManifestLoader.load(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "s.json", state);
    assertEquals(ServiceKind.HEADLESS, state.build().namespace("n1").service("s").kind());
  }

  @Test
  void objectsInUndeclaredNamespacesImplyThoseNamespaces() throws Exception {
    ClusterState state = new ClusterState(false);
    ManifestLoader.Summary s;
    try (InputStream in = getClass().getResourceAsStream("implied-namespaces.yaml")) {
      s = ManifestLoader.load(in, "implied-namespaces.yaml", state);
    }
    assertEquals(List.of("team-a", "team-b"), s.impliedNamespaces());
    ClusterSnapshot snap = state.build();
    assertNotNull(snap.namespace("team-a").service("a"));
    assertNotNull(snap.namespace("team-b").service("a"));
    assertNotNull(snap.namespace("declared").service("a"));
  }

  @Test
  void loadsFromAFilePath(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("c.yaml");
    Files.writeString(f, "apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n");
    ClusterState state = new ClusterState(false);
    ManifestLoader.load(f, state);
    assertNotNull(state.build().namespace("x"));
  }

  @Test
  void missingFileNamesTheFile(@TempDir Path dir) {
    Path f = dir.resolve("nope.yaml");
    ManifestException e = assertThrows(ManifestException.class, () -> ManifestLoader.load(f, new ClusterState(false)));
    assertTrue(e.getMessage().startsWith(f + ": cannot read"), e.getMessage());
  }

  // ------------------------------------------------------------------------------------------- errors

  static Stream<Arguments> badManifests() {
    String ns = "apiVersion: v1\nkind: Namespace\nmetadata: {name: default}\n---\n";
    return Stream.of(
        Arguments.of("bad clusterIPs entry", ns + ns
            + "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: default}\n"
            + "spec: {clusterIPs: [abc]}\n",
            3, "cluster.yaml: document 3 (Service default/web): spec.clusterIPs[0] 'abc' is not an IP address"),
        Arguments.of("bad singular clusterIP",
            "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: default}\nspec: {clusterIP: 10.0.0.300}\n",
            1, "cluster.yaml: document 1 (Service default/web): spec.clusterIP '10.0.0.300' is not an IP address"),
        Arguments.of("second dual-stack address bad", ns
            + "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: default}\n"
            + "spec: {clusterIPs: [10.0.0.1, 'fd00::zz']}\n",
            2, "cluster.yaml: document 2 (Service default/web): spec.clusterIPs[1] 'fd00::zz' is not an IP address"),
        Arguments.of("service without a name",
            "apiVersion: v1\nkind: Service\nmetadata: {namespace: default}\nspec: {clusterIP: None}\n",
            1, "cluster.yaml: document 1 (Service without a name): metadata.name is missing"),
        Arguments.of("slice without a namespace", ns
            + "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: s}\naddressType: IPv4\n",
            2, "cluster.yaml: document 2 (EndpointSlice s): metadata.namespace is missing"),
        Arguments.of("pod without a namespace",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n",
            1, "cluster.yaml: document 1 (Pod p): metadata.namespace is missing"),
        Arguments.of("namespace without a name",
            "apiVersion: v1\nkind: Namespace\nmetadata: {labels: {a: b}}\n",
            1, "cluster.yaml: document 1 (Namespace without a name): metadata.name is missing"),
        Arguments.of("port not a number", ns
            + "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: default}\n"
            + "spec:\n  clusterIP: 10.0.0.1\n  ports:\n  - {name: http, port: eighty}\n",
            2, "cluster.yaml: document 2 (Service default/web): spec.ports[0].port"),
        Arguments.of("port missing",
            "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: default}\n"
            + "spec: {clusterIP: 10.0.0.1, ports: [{name: http}]}\n",
            1, "cluster.yaml: document 1 (Service default/web): spec.ports[0].port is missing"),
        Arguments.of("ExternalName without a target",
            "apiVersion: v1\nkind: Service\nmetadata: {name: ext, namespace: default}\nspec: {type: ExternalName}\n",
            1, "cluster.yaml: document 1 (Service default/ext): spec.externalName is missing"),
        Arguments.of("kind missing", ns + "apiVersion: v1\nmetadata: {name: x}\n",
            2, "cluster.yaml: document 2: kind is missing"),
        Arguments.of("apiVersion missing", "kind: Service\nmetadata: {name: x, namespace: default}\n",
            1, "cluster.yaml: document 1 (Service): apiVersion is missing"),
        Arguments.of("bad item in a List",
            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: a}\n"
            + "- apiVersion: v1\n  kind: Service\n  metadata: {name: b, namespace: a}\n  spec: {clusterIP: x}\n",
            1, "cluster.yaml: document 1 item 2 (Service a/b): spec.clusterIP 'x' is not an IP address"),
        Arguments.of("YAML syntax error", ns + ns + "apiVersion: v1\nkind: [Service\n",
            3, "cluster.yaml: document 3: cannot parse"),
        Arguments.of("not an object", ns + "- just\n- a list\n",
            2, "cluster.yaml: document 2: expected a Kubernetes object"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badManifests")
  void errorNamesFileDocumentAndField(String what, String yaml, int document, String messagePrefix) {
    ManifestException e = loadFails(yaml);
    assertTrue(e.getMessage().startsWith(messagePrefix), () -> "message was: " + e.getMessage());
    assertEquals(document, e.document());
    assertFalse(e.getMessage().contains("\n"), "one line");
  }

  // --------------------------------------------------------------------------------------------- demo

  @Test
  void demoClusterHasTheDocumentedServices() {
    ClusterState state = new ClusterState(false);
    ManifestLoader.Summary s = ManifestLoader.loadDemo(state);
    assertTrue(s.impliedNamespaces().isEmpty(), "the demo declares every namespace");
    assertTrue(s.skippedKinds().isEmpty());
    ClusterSnapshot snap = state.build();

    assertEquals(List.of(ip("10.96.0.1")), snap.namespace("default").service("kubernetes").info().clusterIps());
    assertEquals(List.of(new PortInfo("https", "TCP", 443)),
        snap.namespace("default").service("kubernetes").info().ports());

    ServiceView dns = snap.namespace("kube-system").service("kube-dns");
    assertEquals(List.of(ip("10.96.0.10")), dns.info().clusterIps());
    assertEquals(List.of(new PortInfo("dns", "UDP", 53), new PortInfo("dns-tcp", "TCP", 53),
        new PortInfo("metrics", "TCP", 9153)), dns.info().ports());
    assertEquals(2, dns.endpoints().size());

    NamespaceView demo = snap.namespace("demo");
    assertEquals(List.of(new PortInfo("http", "TCP", 80)), demo.service("web").info().ports());
    assertEquals(8080, demo.service("web").endpoints().get(0).ports().get(0).port());
    assertEquals(List.of(ip("10.96.1.20"), ip("fd00:10:96::20")), demo.service("api").info().clusterIps());

    ServiceView db = demo.service("db");
    assertEquals(ServiceKind.HEADLESS, db.kind());
    assertEquals(List.of("10.244.1.30", "10.244.1.31"), addresses(db), "db-2 is not ready");
    assertEquals(ip("10.244.1.30"), db.endpointsNamed("db-0").get(0).address());
    assertTrue(db.endpointsNamed("db-2").isEmpty());

    ServiceView workers = demo.service("workers");
    assertEquals(ServiceKind.HEADLESS, workers.kind());
    assertEquals(ip("10.244.1.40"), workers.endpointsNamed("10-244-1-40").get(0).address());
    assertEquals(ip("fd00:10:244:1::41"), workers.endpointsNamed("fd00-10-244-1--41").get(0).address());

    ServiceView search = demo.service("search");
    assertEquals(ServiceKind.EXTERNAL_NAME, search.kind());
    assertEquals("www.example.com", search.info().externalName());

    NamespaceView empty = snap.namespace("empty-ns");
    assertNotNull(empty);
    assertTrue(empty.services().isEmpty());

    assertTrue(demo.podIps().contains(ip("10.244.1.10")));
    assertTrue(demo.podIps().contains(ip("fd00:10:244:1::20")));
    assertFalse(demo.podIps().contains(ip("10.244.1.99")), "web-old is terminating");
    assertEquals("kubernetes", snap.ptr(ip("10.96.0.1")).get(0).service());
    assertNull(snap.namespace("nope"));
  }

  @Test
  void demoResourceIsInTheJarNextToTheLoader() throws IOException {
    try (InputStream in = ManifestLoader.class.getResourceAsStream(ManifestLoader.DEMO_RESOURCE)) {
      assertNotNull(in);
    }
  }
}
