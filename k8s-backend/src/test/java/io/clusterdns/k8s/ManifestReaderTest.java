package io.clusterdns.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clusterdns.index.ClusterSnapshot;
import io.clusterdns.index.ClusterState;
import io.clusterdns.index.NamespaceView;
import io.clusterdns.index.ServiceView;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The streaming manifest reader against the loader it replaced ({@link ModelManifestLoader}, fabric8's model
 * classes, kept here as the reference): the same snapshot, summary and, for bad input, the same document and
 * message, for every test manifest, the demo, the error table of {@link ManifestLoaderTest} and the shapes
 * below. And the parallel read of stretches against the whole-file read.
 */
class ManifestReaderTest {

  /** What a load leaves: the summary and every namespace, service, endpoint and pod IP, as text. */
  private record Outcome(String summary, String snapshot, String error, int document) {}

  private static Outcome streaming(byte[] bytes, int minBytes, int parts) {
    ClusterState state = new ClusterState(true);
    try {
      ManifestLoader.Summary s = ManifestLoader.load(bytes, "cluster.yaml", state, minBytes, parts);
      return new Outcome(s.toString(), dump(state.build()), null, 0);
    } catch (ManifestException e) {
      return new Outcome(null, null, e.getMessage(), e.document());
    }
  }

  private static Outcome model(byte[] bytes) {
    ClusterState state = new ClusterState(true);
    try {
      ModelManifestLoader.Summary s = ModelManifestLoader.load(new ByteArrayInputStream(bytes), "cluster.yaml", state);
      return new Outcome(s.toString(), dump(state.build()), null, 0);
    } catch (ManifestException e) {
      return new Outcome(null, null, e.getMessage(), e.document());
    }
  }

  static String dump(ClusterSnapshot snap) {
    StringBuilder sb = new StringBuilder();
    for (String ns : new TreeMap<>(snap.namespaces()).keySet()) {
      NamespaceView v = snap.namespace(ns);
      sb.append("ns ").append(ns).append(" pods ").append(v.podIps().stream().sorted().toList()).append('\n');
      for (ServiceView s : new TreeMap<>(v.services()).values()) {
        sb.append("  ").append(s.info()).append(" -> ").append(s.endpoints()).append('\n');
      }
    }
    return sb.toString();
  }

  private static void assertSame(byte[] bytes) {
    Outcome want = model(bytes);
    Outcome got = streaming(bytes, Integer.MAX_VALUE, 1);
    if (want.error() != null && got.error() != null && want.error().contains("Cannot deserialize")) {
      // data binding's wording of a type error; the streaming reader names the same field in its own words:
      // "<source>: document 2 (Service a/s): spec.ports[0].port: " is the same
      String field = want.error().substring(0, want.error().indexOf(": ", want.error().indexOf("): ") + 3) + 2);
      assertTrue(got.error().startsWith(field), () -> got.error() + "\n  does not start with\n" + field);
      assertEquals(want.document(), got.document());
      return;
    }
    assertEquals(want, got);
  }

  static Stream<Arguments> resources() {
    return Stream.of("multi-doc.yaml", "list.yaml", "cluster.json", "implied-namespaces.yaml", "../k8s/demo-cluster.yaml")
        .map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("resources")
  void resourcesLoadAsWithTheModel(String name) throws Exception {
    byte[] bytes;
    try (InputStream in = name.startsWith("..") ? ManifestLoader.class.getResourceAsStream(ManifestLoader.DEMO_RESOURCE)
        : getClass().getResourceAsStream(name)) {
      bytes = in.readAllBytes();
    }
    assertSame(bytes);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.clusterdns.k8s.ManifestLoaderTest#badManifests")
  void errorsAsWithTheModel(String what, String yaml, int document, String prefix) {
    assertSame(yaml.getBytes(StandardCharsets.UTF_8));
  }

  private static final String NS = "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n";
  private static final String SVC = "apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: a}\n"
      + "spec: {clusterIP: 10.0.0.1, ports: [{port: 53, protocol: udp}]}\n";

  static Stream<Arguments> shapes() {
    return Stream.of(
        Arguments.of("comment before the first marker", "# hello\n---\n" + NS + "---\n" + SVC),
        Arguments.of("empty documents", "---\n---\n" + NS + "---\n---\n" + SVC + "---\n"),
        Arguments.of("empty documents then an error", "---\n---\n" + NS + "---\n---\n" + SVC.replace("10.0.0.1", "x")),
        Arguments.of("syntax error at a document's first token", NS + "---\n" + SVC + "---\n]\n"),
        Arguments.of("syntax error after a conversion error", NS + "---\n" + SVC.replace("10.0.0.1", "x")
            + "bad: [\n"),
        Arguments.of("kind and apiVersion last", "metadata: {name: a}\nkind: Namespace\napiVersion: v1\n---\n"
            + "spec: {type: ExternalName, externalName: x.example}\nmetadata: {namespace: a, name: e}\n"
            + "apiVersion: v1\nkind: Service\n"),
        Arguments.of("kubectl list, items before kind", "apiVersion: v1\nitems:\n- " + NS.replace("\n", "\n  ")
            + "- " + SVC.replace("\n", "\n  ") + "\nkind: List\nmetadata: {resourceVersion: \"\"}\n"),
        Arguments.of("typed list, items before kind and without it", "apiVersion: v1\nitems:\n"
            + "- metadata: {name: s, namespace: a}\n  spec: {clusterIP: None}\n"
            + "- metadata: {name: t, namespace: a}\n  spec: {clusterIP: 10.1.1.1}\nkind: ServiceList\n"),
        Arguments.of("typed list, a bad item without a kind", "apiVersion: v1\nitems:\n"
            + "- metadata: {name: s, namespace: a}\n  spec: {clusterIP: None}\n"
            + "- metadata: {name: t, namespace: a}\n  spec: {clusterIP: nope}\nkind: ServiceList\n"),
        Arguments.of("list, a bad item then one without a kind", "kind: List\napiVersion: v1\nitems:\n"
            + "- " + SVC.replace("10.0.0.1", "x").replace("\n", "\n  ") + "\n- metadata: {name: q}\n"),
        Arguments.of("list item not an object", "kind: List\napiVersion: v1\nitems:\n- " + NS.replace("\n", "\n  ")
            + "\n- 7\n"),
        Arguments.of("items in an object that is not a list", SVC + "items: [{kind: Namespace, apiVersion: v1,"
            + " metadata: {name: zz}}]\n"),
        Arguments.of("List without items", "apiVersion: v1\nkind: List\n"),
        Arguments.of("scalar document", NS + "---\njust text\n"),
        Arguments.of("numbers and booleans as strings", NS + "---\napiVersion: discovery.k8s.io/v1\n"
            + "kind: EndpointSlice\nmetadata: {name: s-1, namespace: a, labels: {kubernetes.io/service-name: s,"
            + " n: 5}}\naddressType: IPv4\nendpoints:\n- addresses: [10.2.0.1]\n  conditions: {ready: \"false\"}\n"
            + "- addresses: [10.2.0.2, name.example]\n  hostname: h\n  targetRef: {kind: Pod, name: p}\n"
            + "- addresses: [www.example]\n- addresses: null\n- null\nports:\n- {name: http, port: \"8080\"}\n"
            + "- {name: all}\n- null\n---\n" + SVC.replace("port: 53", "port: \"53\"")),
        Arguments.of("pods: podIPs, podIP, terminating", NS + "---\napiVersion: v1\nkind: Pod\n"
            + "metadata: {name: p, namespace: a}\nstatus: {podIP: 10.3.0.1, podIPs: [{ip: 10.3.0.1}, {ip: fd00::1},"
            + " {ip: 10.3.0.1}, null, {ip: bad}]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: q, namespace: a,"
            + " deletionTimestamp: \"2026-01-01T00:00:00Z\"}\nstatus: {podIP: 10.3.0.2}\n---\napiVersion: v1\n"
            + "kind: Pod\nmetadata: {name: r, namespace: b}\nstatus: {podIP: 10.3.0.3, podIPs: []}\n"),
        Arguments.of("dual-stack, headless, port range", NS + "---\napiVersion: v1\nkind: Service\n"
            + "metadata: {name: d, namespace: a}\nspec: {clusterIPs: [10.0.0.9, 'fd00::9'], clusterIP: 10.0.0.9}\n"
            + "---\napiVersion: v1\nkind: Service\nmetadata: {name: h, namespace: a}\nspec: {clusterIPs: [None]}\n"
            + "---\napiVersion: v1\nkind: Service\nmetadata: {name: r, namespace: a}\nspec: {ports: [{port: 70000}]}\n"),
        // A field of the wrong type deep inside lists is named by its whole path, as data binding names it.
        Arguments.of("wrong type: a slice's second address", NS + "---\napiVersion: discovery.k8s.io/v1\n"
            + "kind: EndpointSlice\nmetadata: {name: s-1, namespace: a}\naddressType: IPv4\nendpoints:\n"
            + "- addresses: [10.2.0.1]\n- addresses: [10.2.0.2, {ip: 10.2.0.3}]\n"),
        Arguments.of("wrong type: an endpoint's target name", NS + "---\napiVersion: discovery.k8s.io/v1\n"
            + "kind: EndpointSlice\nmetadata: {name: s-1, namespace: a}\naddressType: IPv4\nendpoints:\n"
            + "- addresses: [10.2.0.1]\n  targetRef: {kind: Pod, name: [p]}\n"),
        Arguments.of("wrong type: a label value", NS + "---\napiVersion: v1\nkind: Service\n"
            + "metadata: {name: s, namespace: a, labels: {app: s, tier: {x: y}}}\nspec: {clusterIP: 10.0.0.1}\n"),
        Arguments.of("wrong type: a pod's second IP", NS + "---\napiVersion: v1\nkind: Pod\n"
            + "metadata: {name: p, namespace: a}\nstatus: {podIPs: [{ip: 10.3.0.1}, {ip: [10.3.0.2]}]}\n"),
        Arguments.of("wrong type: a slice port's protocol", NS + "---\napiVersion: discovery.k8s.io/v1\n"
            + "kind: EndpointSlice\nmetadata: {name: s-1, namespace: a}\naddressType: IPv4\n"
            + "ports: [{name: a, port: 1}, {name: b, port: 2, protocol: {x: 1}}]\n"),
        Arguments.of("service without spec", NS + "---\napiVersion: v1\nkind: Service\nmetadata: {name: d, namespace: a}\n"),
        Arguments.of("later document wins", NS + "---\n" + SVC + "---\n" + SVC.replace("10.0.0.1", "10.0.0.2")),
        Arguments.of("JSON array with a non-object", "[{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":"
            + "{\"name\":\"a\"}}, 5]"),
        Arguments.of("JSON syntax error", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"a\"}}\n{\"kind\": }"),
        Arguments.of("other versions skipped", "apiVersion: discovery.k8s.io/v1beta1\nkind: EndpointSlice\n"
            + "metadata: {name: x, namespace: a}\n---\napiVersion: v1\nkind: Endpoints\nmetadata: {name: x}\n"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("shapes")
  void shapesLoadAsWithTheModel(String what, String yaml) {
    assertSame(yaml.getBytes(StandardCharsets.UTF_8));
  }

  // --------------------------------------------------------------------------------------------- stretches

  private static String cluster(int services, int badAt) {
    StringBuilder sb = new StringBuilder("# generated\n");
    for (int i = 0; i < services; i++) {
      if (i % 20 == 0) {
        sb.append("---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns-").append(i / 20).append('\n');
      }
      sb.append("---\napiVersion: v1\nkind: Service\nmetadata:\n  name: svc-").append(i).append("\n  namespace: ns-")
          .append(i / 20).append("\nspec:\n  clusterIP: ").append(i == badAt ? "10.0.300.1" : "10.0." + (i / 250) + "." + (i % 250))
          .append("\n  ports:\n  - name: http\n    port: 80\n");
      if (i % 7 == 0) {
        sb.append("---\n"); // an empty document now and then
      }
    }
    return sb.toString();
  }

  @Test
  void stretchesReadInParallelGiveTheWholeFilesResult() {
    byte[] bytes = cluster(2000, -1).getBytes(StandardCharsets.UTF_8);
    Outcome whole = streaming(bytes, Integer.MAX_VALUE, 1);
    for (int parts : List.of(2, 3, 7)) {
      assertEquals(whole, streaming(bytes, 1000, parts), parts + " parts");
    }
    assertTrue(ManifestLoader.stretches(bytes, 1000, 7).size() == 7);
  }

  @Test
  void anErrorInALaterStretchNamesTheWholeFilesDocumentAndLine() {
    for (int bad : List.of(0, 999, 1500, 1999)) {
      byte[] bytes = cluster(2000, bad).getBytes(StandardCharsets.UTF_8);
      Outcome whole = streaming(bytes, Integer.MAX_VALUE, 1);
      assertTrue(whole.error().contains("(Service ns-" + bad / 20 + "/svc-" + bad + "): spec.clusterIP"), whole.error());
      for (int parts : List.of(2, 5)) {
        assertEquals(whole, streaming(bytes, 1000, parts), parts + " parts, bad " + bad);
      }
      assertEquals(model(bytes).document(), whole.document());
      byte[] broken = (cluster(2000, -1).substring(0, 40_000 + bad * 10) + "\n: [\n").getBytes(StandardCharsets.UTF_8);
      Outcome syntax = streaming(broken, Integer.MAX_VALUE, 1);
      assertEquals(syntax, streaming(broken, 1000, 4), "syntax error, bad " + bad);
      assertEquals(model(broken).error(), syntax.error());
    }
  }

  @Test
  void aFileWithoutMarkersStaysWhole() {
    byte[] bytes = ("apiVersion: v1\nkind: List\nitems:\n" + "- {apiVersion: v1, kind: Namespace, metadata: {name: a}}\n".repeat(100))
        .getBytes(StandardCharsets.UTF_8);
    assertEquals(1, ManifestLoader.stretches(bytes, 10, 4).size());
    assertThrows(ManifestException.class, () -> ManifestLoader.load(
        "kind: [".getBytes(StandardCharsets.UTF_8), "x", new ClusterState(false), 1, 2));
  }

  private static Outcome blocks(byte[] bytes, int blockBytes, int threads) {
    ClusterState state = new ClusterState(true);
    try {
      ManifestLoader.Summary s = ManifestLoader.loadBlocks(new ByteArrayInputStream(bytes), "cluster.yaml", state,
          blockBytes, threads, () -> bytes);
      return new Outcome(s.toString(), dump(state.build()), null, 0);
    } catch (ManifestException e) {
      return new Outcome(null, null, e.getMessage(), e.document());
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void blocksReadInParallelGiveTheWholeFilesResult() {
    byte[] bytes = cluster(2000, -1).getBytes(StandardCharsets.UTF_8);
    Outcome whole = streaming(bytes, Integer.MAX_VALUE, 1);
    for (int block : List.of(50, 1000, 4096, 100_000)) {
      assertEquals(whole, blocks(bytes, block, 2), "blocks of " + block);
    }
    assertEquals(whole, blocks(bytes, 3000, 1));
    for (int bad : List.of(0, 1500, 1999)) {
      byte[] b = cluster(2000, bad).getBytes(StandardCharsets.UTF_8);
      assertEquals(streaming(b, Integer.MAX_VALUE, 1), blocks(b, 2000, 2), "bad " + bad);
    }
  }
}
