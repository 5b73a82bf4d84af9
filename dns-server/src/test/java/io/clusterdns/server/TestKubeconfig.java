package io.clusterdns.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A kubeconfig with one context: the API server at a URL and a bearer token, as tests hand to the jar. */
final class TestKubeconfig {
  private TestKubeconfig() {}

  /** Writes {@code dir/kubeconfig} and returns its path. */
  static Path write(Path dir, String serverUrl, String token) throws IOException {
    Path f = dir.resolve("kubeconfig");
    Files.writeString(f, String.join("\n",
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: c",
        "  cluster: {server: '" + serverUrl + "'}",
        "users:",
        "- name: u",
        "  user: {token: " + token + "}",
        "contexts:",
        "- name: c",
        "  context: {cluster: c, user: u}",
        "current-context: c",
        ""));
    return f;
  }
}
