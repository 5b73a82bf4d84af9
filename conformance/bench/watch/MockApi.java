package io.clusterdns.bench.watch;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;

/**
 * fabric8's mock API server on a loopback port with a given dispatcher, a kubeconfig file pointing at it
 * (plain HTTP, dummy token) and a client for the benchmark's own writes.
 */
final class MockApi implements AutoCloseable {
  final KubernetesMockServer server;
  final KubernetesClient client;
  final Path kubeconfig;

  MockApi(Dispatcher dispatcher, Path dir) throws IOException {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    client = server.createClient();
    kubeconfig = dir.resolve("kubeconfig-" + server.getPort());
    Files.writeString(kubeconfig, String.join("\n",
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: mock",
        "  cluster: {server: 'http://127.0.0.1:" + server.getPort() + "'}",
        "users:",
        "- name: u",
        "  user: {token: dummy}",
        "contexts:",
        "- name: mock",
        "  context: {cluster: mock, user: u}",
        "current-context: mock",
        ""));
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
