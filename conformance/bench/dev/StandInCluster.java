package io.clusterdns.bench.dev;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;

/**
 * A stand-in for a developer's cluster in the README walk-through (walkthrough.sh): fabric8's mock API server in
 * CRUD mode on a loopback port with the {@code default} namespace's {@code kubernetes} Service and a
 * {@code payments/api} Service, and a kubeconfig pointing at it (plain HTTP, dummy token) written to the path
 * given as the only argument. It serves until its standard input closes.
 */
public final class StandInCluster {
  public static void main(String[] args) throws Exception {
    KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new KubernetesCrudDispatcher(), false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    try (KubernetesClient client = server.createClient()) {
      for (String ns : new String[] {"default", "kube-system", "payments"}) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
            .create();
      }
      service(client, "default", "kubernetes", "10.96.0.1", 443);
      service(client, "payments", "api", "10.96.40.7", 80);
      Path kubeconfig = Path.of(args[0]);
      Files.writeString(kubeconfig, String.join("\n",
          "apiVersion: v1",
          "kind: Config",
          "clusters:",
          "- name: stand-in",
          "  cluster: {server: 'http://127.0.0.1:" + server.getPort() + "'}",
          "users:",
          "- name: dev",
          "  user: {token: dummy}",
          "contexts:",
          "- name: stand-in",
          "  context: {cluster: stand-in, user: dev}",
          "current-context: stand-in",
          ""));
      System.out.println("stand-in API server on 127.0.0.1:" + server.getPort() + ", kubeconfig " + kubeconfig);
      System.out.flush();
      while (System.in.read() >= 0) {
        // serve until the caller closes our standard input
      }
    } finally {
      server.destroy();
    }
  }

  private static void service(KubernetesClient client, String ns, String name, String ip, int port) {
    client.services().inNamespace(ns).resource(new ServiceBuilder()
        .withNewMetadata().withName(name).withNamespace(ns).endMetadata()
        .withNewSpec().withType("ClusterIP").withClusterIP(ip).withClusterIPs(ip)
        .addNewPort().withName("http").withProtocol("TCP").withPort(port).endPort()
        .endSpec().build()).create();
  }
}
