package io.clusterdns.conformance;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The fixture cluster's manifests ({@code conformance/fixture/*.yaml}), read from a directory or, when
 * none is given, from the copy packaged in this jar. Immutable.
 */
public record Fixture(List<Document> files) {

  /** Fixture files in apply order (namespaces first). A test checks this list against the directory. */
  static final List<String> FILE_NAMES = List.of(
      "00-namespaces.yaml", "10-clusterip.yaml", "20-headless.yaml", "30-externalname.yaml",
      "40-conf-b.yaml", "50-pods.yaml");

  /** Pods carry status (podIP) that a plain apply cannot write; mode 3 leaves this file out. */
  static final String PODS_FILE = "50-pods.yaml";

  /** One manifest file. */
  public record Document(String name, String yaml) {}

  public static Fixture load(Path dir) {
    List<Document> docs = new ArrayList<>();
    for (String n : FILE_NAMES) {
      try {
        if (dir != null) {
          docs.add(new Document(n, Files.readString(dir.resolve(n), StandardCharsets.UTF_8)));
        } else {
          try (InputStream in = Fixture.class.getResourceAsStream("fixture/" + n)) {
            if (in == null) {
              throw new IllegalStateException("fixture/" + n + " is not packaged; pass --fixture DIR");
            }
            docs.add(new Document(n, new String(in.readAllBytes(), StandardCharsets.UTF_8)));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return new Fixture(List.copyOf(docs));
  }

  /** All manifests as one multi-document YAML, the form clusterdns's {@code --snapshot} reads. */
  public String concatenated(boolean withPods) {
    StringBuilder sb = new StringBuilder();
    for (Document d : files) {
      if (!withPods && d.name().equals(PODS_FILE)) {
        continue;
      }
      if (sb.length() > 0) {
        sb.append("\n---\n");
      }
      // Each file starts with "---" so that plain `cat fixture/*.yaml` is valid; drop it here.
      String body = d.yaml().strip();
      if (body.startsWith("---")) {
        body = body.substring(3).strip();
      }
      sb.append("# ---- ").append(d.name()).append('\n').append(body).append('\n');
    }
    return sb.toString();
  }

  /** Reads the case table from {@code file}, or the packaged copy when null. */
  static String loadCases(Path file) {
    try {
      if (file != null) {
        return Files.readString(file, StandardCharsets.UTF_8);
      }
      try (InputStream in = Fixture.class.getResourceAsStream("cases.tsv")) {
        if (in == null) {
          throw new IllegalStateException("cases.tsv is not packaged; pass --cases FILE");
        }
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
