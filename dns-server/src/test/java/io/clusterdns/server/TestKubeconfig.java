package io.clusterdns.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A kubeconfig with one context: the API server at a URL and a bearer token, as tests hand to the jar. */
final class TestKubeconfig {
  private TestKubeconfig() {}

  /** Writes {@code dir/kubeconfig} with context {@code c} and returns its path. */
  static Path write(Path dir, String serverUrl, String token) throws IOException {
    return write(dir.resolve("kubeconfig"), "c", serverUrl, token);
  }

  /** Writes {@code file}, whose one context (also the current one) is named {@code context}; returns the path. */
  static Path write(Path file, String context, String serverUrl, String token) throws IOException {
    Files.writeString(file, String.join("\n",
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: c",
        "  cluster: {server: '" + serverUrl + "'}",
        "users:",
        "- name: u",
        "  user: {token: " + token + "}",
        "contexts:",
        "- name: " + context,
        "  context: {cluster: c, user: u}",
        "current-context: " + context,
        ""));
    return file;
  }
}
