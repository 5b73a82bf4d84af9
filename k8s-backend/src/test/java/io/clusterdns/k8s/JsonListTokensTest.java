package io.clusterdns.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * {@link JsonListTokens} gives Jackson's tokens for the same JSON: token types, names, texts and integer values,
 * also where either skips a value, across buffer refills at every position, and it refuses what Jackson refuses.
 */
class JsonListTokensTest {
  private static final JsonFactory JACKSON = new JsonFactory();

  /** Generated documents, random white space and escapes, random skips, buffers of 1 to 64 bytes. */
  @Property(tries = 3000)
  void sameTokensAsJackson(@ForAll long seed, @ForAll @IntRange(min = 1, max = 64) int bufferSize) {
    Random r = new Random(seed);
    StringBuilder json = new StringBuilder();
    value(r, json, 0);
    space(r, json);
    byte[] bytes = json.toString().getBytes(StandardCharsets.UTF_8);
    compare(bytes, bufferSize, new Random(seed ^ 0x5DEECE66DL), json);
  }

  /** A list page as the API server writes one, read with a small buffer and with the default one. */
  @ParameterizedTest
  @ValueSource(ints = {3, 4096, 65536})
  void aListPage(int bufferSize) {
    String page = "{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"9\",\"continue\":"
        + "\"eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ==\"},\"items\":[{\"metadata\":{\"name\":\"p\\u00e9\",\"namespace\":\"a\","
        + "\"managedFields\":[{\"manager\":\"kubelet\",\"fieldsV1\":{\"f:status\":{\"f:conditions\":{\"k:{\\\"type\\\":"
        + "\\\"Ready\\\"}\":{\".\":{}}}}}}]},\"spec\":{\"containers\":[{\"name\":\"c\",\"args\":[\"a]}\\\"\",\"{\"]}]},"
        + "\"status\":{\"podIP\":\"10.1.0.7\",\"podIPs\":[{\"ip\":\"10.1.0.7\"}],\"startTime\":null,\"n\":-1.5e3}}]}";
    compare(page.getBytes(StandardCharsets.UTF_8), bufferSize, new Random(7), page);
  }

  @ParameterizedTest
  @ValueSource(strings = {"{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "[tru]", "[truex]", "[01]", "[-]", "[1.]",
      "[1e]", "[\"a]", "[\"\\x\"]", "[\"\\u12\"]", "[\"a\tb\"]", "[1 2]", "{\"a\":}", "]", "[nul]", "[1.5.2]"})
  void refusesWhatJacksonRefuses(String bad) {
    byte[] bytes = bad.getBytes(StandardCharsets.UTF_8);
    assertThrows(JacksonException.class, () -> {
      try (JsonParser p = JACKSON.createParser(ObjectReadContext.empty(), bytes)) {
        while (p.nextToken() != null) {
          // read to the end
        }
      }
    }, "Jackson refuses " + bad);
    for (int size : new int[] {1, 64}) {
      JsonListTokens t = new JsonListTokens(new ByteArrayInputStream(bytes), size);
      assertThrows(IllegalArgumentException.class, () -> {
        while (t.nextToken() != null) {
          // read to the end
        }
      }, "refuses " + bad);
    }
  }

  /** A second value after the list: Jackson would read it as another root value; a list response has one. */
  @ParameterizedTest
  @ValueSource(strings = {"{}{}", "{} []", "[]x"})
  void refusesDataAfterTheValue(String bad) {
    JsonListTokens t = new JsonListTokens(new ByteArrayInputStream(bad.getBytes(StandardCharsets.UTF_8)), 2);
    assertThrows(IllegalArgumentException.class, () -> {
      while (t.nextToken() != null) {
        // read to the end
      }
    });
  }

  private static void compare(byte[] bytes, int bufferSize, Random skips, CharSequence json) {
    JsonListTokens ours = new JsonListTokens(new ByteArrayInputStream(bytes), bufferSize);
    try (JsonParser p = JACKSON.createParser(ObjectReadContext.empty(), bytes)) {
      ManifestTokens jackson = ManifestTokens.of(p);
      for (int n = 0; ; n++) {
        JsonToken want = jackson.nextToken();
        JsonToken got = ours.nextToken();
        String where = "token " + n + " of " + json;
        assertEquals(want, got, where);
        if (want == null) {
          return;
        }
        switch (want) {
          case PROPERTY_NAME, VALUE_STRING, VALUE_NUMBER_FLOAT, VALUE_TRUE, VALUE_FALSE, VALUE_NULL ->
              assertEquals(jackson.getText(), ours.getText(), where);
          case VALUE_NUMBER_INT -> {
            assertEquals(jackson.getText(), ours.getText(), where);
            assertEquals(intOrOverflow(jackson), intOrOverflow(ours), where);
          }
          case START_OBJECT, START_ARRAY -> {
            if (skips.nextInt(4) == 0) {
              jackson.skipChildren();
              ours.skipChildren();
              assertEquals(jackson.currentToken(), ours.currentToken(), where + " (skipped)");
            }
          }
          default -> { }
        }
      }
    }
  }

  private static String intOrOverflow(ManifestTokens t) {
    try {
      return Integer.toString(t.getIntValue());
    } catch (ArithmeticException e) {
      return "out of range";
    }
  }

  // ------------------------------------------------------------------------------------------ generator

  private static void value(Random r, StringBuilder b, int depth) {
    space(r, b);
    int kind = r.nextInt(depth > 4 ? 6 : 8);
    switch (kind) {
      case 0 -> string(r, b);
      case 1 -> number(r, b);
      case 2 -> b.append(r.nextBoolean() ? "true" : "false");
      case 3 -> b.append("null");
      case 4, 5 -> string(r, b);
      case 6 -> container(r, b, depth, true);
      default -> container(r, b, depth, false);
    }
  }

  /** An object (names and values) or an array of up to 4 members. */
  private static void container(Random r, StringBuilder b, int depth, boolean object) {
    b.append(object ? '{' : '[');
    int n = r.nextInt(5);
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        space(r, b);
        b.append(',');
      }
      if (object) {
        space(r, b);
        string(r, b);
        space(r, b);
        b.append(':');
      }
      value(r, b, depth + 1);
    }
    space(r, b);
    b.append(object ? '}' : ']');
  }

  private static final String[] PIECES = {"a", "metadata", "name", "kubernetes.io/service-name", "10.0.0.1", " ",
      "\\\"", "\\\\", "\\/", "\\n", "\\t", "\\b", "\\f", "\\r", "\\u00e9", "\\u20ac", "\\ud83d\\ude00", "é", "€",
      "😀", "{", "}", "[", "]", ",", ":"};

  private static void string(Random r, StringBuilder b) {
    b.append('"');
    int n = r.nextInt(6);
    for (int i = 0; i < n; i++) {
      b.append(PIECES[r.nextInt(PIECES.length)]);
    }
    b.append('"');
  }

  private static void number(Random r, StringBuilder b) {
    switch (r.nextInt(6)) {
      case 0 -> b.append(r.nextInt(100));
      case 1 -> b.append(-r.nextInt(100_000));
      case 2 -> b.append(r.nextLong());
      case 3 -> b.append(r.nextInt(1000)).append('.').append(r.nextInt(1000));
      case 4 -> b.append(r.nextInt(10)).append(r.nextBoolean() ? "e" : "E").append(r.nextBoolean() ? "-" : "+")
          .append(r.nextInt(30));
      default -> b.append(r.nextBoolean() ? Integer.MAX_VALUE : Integer.MIN_VALUE);
    }
  }

  private static void space(Random r, StringBuilder b) {
    int n = r.nextInt(4) == 0 ? r.nextInt(3) : 0;
    for (int i = 0; i < n; i++) {
      b.append(" \n\t\r".charAt(r.nextInt(4)));
    }
  }
}
