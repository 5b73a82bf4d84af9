package io.clusterdns.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.dataformat.yaml.YAMLFactory;

/** The YAML fast path gives Jackson's tokens for every document it takes, and declines the others. */
class BlockYamlTest {
  private static final YAMLFactory YAML = new YAMLFactory();

  private static List<String> jackson(byte[] b) {
    List<String> out = new ArrayList<>();
    try (JsonParser p = YAML.createParser(ObjectReadContext.empty(), b)) {
      for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
        out.add(describe(t, t.isScalarValue() || t == JsonToken.PROPERTY_NAME ? p.getText() : null));
      }
    }
    return out;
  }

  private static List<String> fast(BlockYaml y) {
    List<String> out = new ArrayList<>();
    for (JsonToken t = y.nextToken(); t != null; t = y.nextToken()) {
      out.add(describe(t, t.isScalarValue() || t == JsonToken.PROPERTY_NAME ? y.getText() : null));
    }
    return out;
  }

  private static String describe(JsonToken t, String text) {
    if (t == JsonToken.VALUE_NULL) {
      return "null";
    }
    return text == null ? t.name() : t.name() + "=" + text;
  }

  /** Jackson's tokens, or the error's message, beside the fast path's (only when it took the document). */
  private static void assertSameTokens(String yaml, boolean mustTake) {
    byte[] b = yaml.getBytes(StandardCharsets.UTF_8);
    BlockYaml y = BlockYaml.tokenize(b, 0, b.length);
    if (mustTake) {
      assertNotNull(y, () -> "the fast path declined:\n" + yaml);
    }
    if (y == null) {
      return;
    }
    List<String> want;
    try {
      want = jackson(b);
    } catch (JacksonException e) {
      throw new AssertionError("the fast path took a document Jackson rejects:\n" + yaml + "\n" + e.getMessage());
    }
    // Jackson gives an explicit empty document a null; the fast path nothing (neither loads anything)
    if (want.equals(List.of("null")) && fast(y).isEmpty()) {
      return;
    }
    y = BlockYaml.tokenize(b, 0, b.length);
    assertEquals(want, fast(y), yaml);
  }

  static Stream<String> taken() {
    return Stream.of(
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n",
        "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  namespace: a\n  labels: {app: s}\nspec:\n"
            + "  selector: {app: s}\n  clusterIP: 10.0.0.1\n  clusterIPs: [10.0.0.1, 'fd00::1']\n  ports:\n"
            + "    - {name: http, protocol: TCP, port: 80, targetPort: 8080}\n    - {name: g, port: 9000}\n",
        "---  # a comment\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: p\n"
            + "    namespace: \"n\"\n  status:\n    podIPs:\n    - ip: 10.1.1.1\n    - ip: fd00::2\n- kind: X\n"
            + "metadata: {resourceVersion: \"\"}\n",
        "a: ~\nb: null\nc: Null\nd: NULL\ne:\nf: true\ng: False\nh: TRUE\ni: 0\nj: -12\nl: 123456789\nk: 80Mi\nv: 10.96.0.1\n"
            + "m: 1.2.3\nn: v1.0\no: 'x y'\np: \"q: r\"\nq: http://x:80/y\nr: a#b\ns: a # comment\n",
        "# leading comment\n\nx:\n  # indented comment\n  y: 1\n\n  z:\n  - 1\n  -\n  - [a, b, {c: d}]\n  - {}\n"
            + "  - []\nw: {a: , b: [ ], c: {}}\n",
        "endpoints:\n  - addresses: [10.244.1.8]\n    hostname: h\n    conditions: {ready: true}\n"
            + "    targetRef: {kind: Pod, namespace: ns-0, name: p}\n  - addresses:\n      - 10.0.0.1\n",
        "nested:\n  - name: a\n    items:\n    - x\n    - y\n  - name: b\nlast: 1\n",
        "'quoted key': 1\n\"dq\": 2\nk: {'a': 1, \"b\": [x, 'y']}\nunicode: é\n",
        "---\n");
  }

  @ParameterizedTest
  @MethodSource("taken")
  void takenDocumentsGiveJacksonsTokens(String yaml) {
    assertSameTokens(yaml, true);
  }

  static Stream<String> declined() {
    return Stream.of(
        "a: &x 1\nb: *x\n", "a: !!str 1\n", "a: |\n  text\n", "a: >\n  text\n", "a: b\n  c\n",
        "a: \"x\\ny\"\n", "a: 'it''s'\n", "a:\tb\n", "a: b\r\n", "%YAML 1.2\n---\na: 1\n", "a: 1\n...\n",
        "- a\n- b\n", "just text\n", "  a: 1\n", "a: [1,\n  2]\n", "a: 0x1f\n", "a: 1.5\n", "a: 1_000\n",
        "a: .inf\n", "a: +7\n", "a: 007\n", "a: 1e3\n", "a: 1234567890\n", "a: b: c\n", "? a\n: b\n", "a: - b\n", "a:\n- - x\n",
        "a: 1\n - b\n", "a: [a, , b]\n", "a: {b}\n", "a: [b: c]\n", "a: 1 #c\n  b: 2\n", "\uFEFFa: 1\n");
  }

  /** Declined, or if taken then identical: never different. */
  @ParameterizedTest
  @MethodSource("declined")
  void unusualDocumentsAreDeclinedOrIdentical(String yaml) {
    assertSameTokens(yaml, false);
    byte[] b = yaml.getBytes(StandardCharsets.UTF_8);
    if (yaml.contains("&") || yaml.contains("|") || yaml.contains("\\n") || yaml.startsWith("-")) {
      assertNull(BlockYaml.tokenize(b, 0, b.length), yaml);
    }
  }

  @Test
  void everyDocumentOfTheDemoAndTheTestManifestsIsTakenOrIdentical() throws Exception {
    for (String name : List.of("multi-doc.yaml", "list.yaml", "implied-namespaces.yaml", "demo")) {
      byte[] b;
      try (InputStream in = name.equals("demo") ? ManifestLoader.class.getResourceAsStream(ManifestLoader.DEMO_RESOURCE)
          : getClass().getResourceAsStream(name)) {
        b = in.readAllBytes();
      }
      int start = 0;
      int taken = 0;
      while (start < b.length) {
        int end = ManifestLoader.markerAtOrAfter(b, start + 1);
        end = end < 0 ? b.length : end;
        String doc = new String(b, start, end - start, StandardCharsets.UTF_8);
        assertSameTokens(doc, false);
        taken += BlockYaml.tokenize(b, start, end) != null ? 1 : 0;
        start = end;
      }
      if (name.equals("demo")) {
        assertEquals(true, taken > 10, "the demo's documents take the fast path");
      }
    }
  }
}
