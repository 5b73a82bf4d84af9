package io.clusterdns.conformance;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The benchmark's synthetic cluster as Kubernetes manifests, written exactly as {@code conformance/bench/gen.py}
 * writes {@code cluster.yaml} (same names, addresses and shapes), so a test's memory and start-up compare with the
 * figures measured on that file (conformance/bench/RESULTS.md, issue 17): N services {@code svc-<i>} over N/20
 * namespaces, every 10th headless with an EndpointSlice, one pod per service. Stateless.
 */
final class SyntheticCluster {

  private static final int SERVICE_BASE = ipv4(10, 100, 0, 1);
  private static final int POD_BASE = ipv4(10, 244, 1, 0);
  private static final int EXTRA_BASE = ipv4(10, 248, 0, 1);
  private static final int UNREADY_BASE = ipv4(10, 250, 0, 1);

  private SyntheticCluster() {}

  /** The last service's name, which a loader reaches last: it answers only once everything is loaded. */
  static String lastServiceName(int services) {
    int i = services - 1;
    return "svc-" + i + ".ns-" + (i / 20) + ".svc.cluster.local.";
  }

  /** The last service's ClusterIP (the last one is never headless when the count is a multiple of 10). */
  static String lastServiceAddress(int services) {
    return ip(SERVICE_BASE + services - 1);
  }

  static void write(Path file, int services) throws IOException {
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      w.write("# Written by SyntheticCluster, as conformance/bench/gen.py writes cluster.yaml.\n");
      w.write(namespace("default"));
      w.write(namespace("kube-system"));
      for (int k = 0; k < (services + 19) / 20; k++) {
        w.write(namespace("ns-" + k));
      }
      w.write("---\napiVersion: v1\nkind: Service\nmetadata:\n  name: kubernetes\n  namespace: default\n"
          + "spec:\n  type: ClusterIP\n  clusterIP: 10.96.0.1\n  clusterIPs: [10.96.0.1]\n  ports:\n"
          + "    - {name: https, protocol: TCP, port: 443, targetPort: 6443}\n");
      w.write("---\napiVersion: v1\nkind: Service\nmetadata:\n  name: kube-dns\n  namespace: kube-system\n"
          + "spec:\n  clusterIP: 10.96.0.10\n  clusterIPs: [10.96.0.10]\n  ports:\n"
          + "    - {name: dns, protocol: UDP, port: 53, targetPort: 53}\n"
          + "    - {name: dns-tcp, protocol: TCP, port: 53, targetPort: 53}\n"
          + "    - {name: metrics, protocol: TCP, port: 9153, targetPort: 9153}\n");
      for (int i = 0; i < services; i++) {
        writeService(w, i);
      }
    }
  }

  private static void writeService(BufferedWriter w, int i) throws IOException {
    String name = "svc-" + i;
    String ns = "ns-" + (i / 20);
    boolean headless = i % 10 == 8;
    boolean grpc = i % 4 == 0;
    String pod = name + "-0";
    String podIp = ip(POD_BASE + i);
    StringBuilder s = new StringBuilder(512);
    s.append("---\napiVersion: v1\nkind: Service\nmetadata:\n  name: ").append(name).append("\n  namespace: ")
        .append(ns).append("\n  labels: {app: ").append(name).append("}\nspec:\n  selector: {app: ").append(name)
        .append("}\n");
    if (headless) {
      s.append("  clusterIP: None\n  clusterIPs: [None]\n");
    } else {
      String clusterIp = ip(SERVICE_BASE + i);
      s.append("  type: ClusterIP\n  clusterIP: ").append(clusterIp).append("\n  clusterIPs: [").append(clusterIp)
          .append("]\n");
    }
    s.append("  ports:\n    - {name: http, protocol: TCP, port: 80, targetPort: 8080}\n");
    if (grpc) {
      s.append("    - {name: grpc, protocol: TCP, port: 9000, targetPort: 9090}\n");
    }
    if (headless) {
      s.append("---\napiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: ").append(name)
          .append("-x1\n  namespace: ").append(ns).append("\n  labels: {kubernetes.io/service-name: ").append(name)
          .append("}\naddressType: IPv4\nendpoints:\n  - addresses: [").append(podIp).append("]\n    hostname: ")
          .append(pod).append("\n    conditions: {ready: true}\n    targetRef: {kind: Pod, namespace: ").append(ns)
          .append(", name: ").append(pod).append("}\n  - addresses: [").append(ip(EXTRA_BASE + i))
          .append("]\n    conditions: {ready: true}\n  - addresses: [").append(ip(UNREADY_BASE + i))
          .append("]\n    conditions: {ready: false}\nports:\n  - {name: http, protocol: TCP, port: 8080}\n");
      if (grpc) {
        s.append("  - {name: grpc, protocol: TCP, port: 9090}\n");
      }
    }
    s.append("---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: ").append(pod).append("\n  namespace: ").append(ns)
        .append("\n  labels: {app: ").append(name).append("}\nspec:\n  containers: [{name: app, image: example/app}]\n"
            + "status:\n  phase: Running\n  podIP: ").append(podIp).append("\n  podIPs: [{ip: ").append(podIp)
        .append("}]\n");
    w.write(s.toString());
  }

  private static String namespace(String name) {
    return "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + name + "\n";
  }

  private static int ipv4(int a, int b, int c, int d) {
    return a << 24 | b << 16 | c << 8 | d;
  }

  private static String ip(int v) {
    return (v >>> 24) + "." + (v >>> 16 & 0xff) + "." + (v >>> 8 & 0xff) + "." + (v & 0xff);
  }
}
