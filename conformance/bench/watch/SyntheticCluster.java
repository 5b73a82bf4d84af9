package io.clusterdns.bench.watch;

/**
 * The JSON of a large synthetic cluster, item by item: {@code services} Services spread over
 * {@code services / 20} namespaces (every tenth headless), one EndpointSlice per Service whose endpoint is
 * Pod i (ready, with a Pod targetRef), and {@code pods} Running Pods. Items carry the fields a real API
 * server returns for them (labels, owner references, a container, conditions), without managedFields.
 * Item resourceVersions are fixed, so a relist of the same data is a no-op diff for clusterdns. The
 * relist markers are four extra objects that only the second list generation carries.
 */
final class SyntheticCluster {
  final int services;
  final int pods;
  final int namespaces;

  /** Names and addresses the relist markers resolve to. */
  static final String MARKER_NS = "relist-ns";
  static final String MARKER_SVC = "relist-hl";
  static final String MARKER_EP_IP = "10.127.255.253";
  static final String MARKER_POD_IP = "10.127.255.254";

  SyntheticCluster(int services, int pods) {
    this.services = services;
    this.pods = pods;
    this.namespaces = Math.max(1, services / 20);
  }

  String namespaceOf(int i) {
    return "ns-" + (i % namespaces);
  }

  static String serviceIp(int i) {
    return ip(0x0a600000 + i + 1); // 10.96.0.0/12
  }

  static String podIp(int i) {
    return ip(0x0a800000 + i + 1); // 10.128.0.0/9
  }

  static boolean headless(int i) {
    return i % 10 == 0;
  }

  private static String ip(int v) {
    return (v >>> 24) + "." + (v >>> 16 & 255) + "." + (v >>> 8 & 255) + "." + (v & 255);
  }

  private static String uid(int kind, int i) {
    return String.format("%08x-0000-4000-8000-%012x", kind, i);
  }

  void namespace(StringBuilder b, int k) {
    namespaceJson(b, "ns-" + k, 1_000_000 + k, uid(1, k));
  }

  private static void namespaceJson(StringBuilder b, String name, int rv, String uid) {
    b.append("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"").append(name)
        .append("\",\"uid\":\"").append(uid).append("\",\"resourceVersion\":\"").append(rv)
        .append("\",\"creationTimestamp\":\"2026-01-01T00:00:00Z\",\"labels\":{\"kubernetes.io/metadata.name\":\"")
        .append(name).append("\"}},\"spec\":{\"finalizers\":[\"kubernetes\"]},\"status\":{\"phase\":\"Active\"}}");
  }

  void service(StringBuilder b, int i) {
    serviceJson(b, "svc-" + i, namespaceOf(i), 2_000_000 + i, uid(2, i), headless(i) ? "None" : serviceIp(i));
  }

  private static void serviceJson(StringBuilder b, String name, String ns, int rv, String uid, String ip) {
    b.append("{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"").append(name)
        .append("\",\"namespace\":\"").append(ns).append("\",\"uid\":\"").append(uid)
        .append("\",\"resourceVersion\":\"").append(rv)
        .append("\",\"creationTimestamp\":\"2026-01-01T00:00:00Z\",\"labels\":{\"app\":\"").append(name)
        .append("\",\"app.kubernetes.io/part-of\":\"bench\"}},\"spec\":{\"type\":\"ClusterIP\",\"clusterIP\":\"")
        .append(ip).append("\",\"clusterIPs\":[\"").append(ip)
        .append("\"],\"ipFamilies\":[\"IPv4\"],\"ipFamilyPolicy\":\"SingleStack\",\"internalTrafficPolicy\":")
        .append("\"Cluster\",\"sessionAffinity\":\"None\",\"selector\":{\"app\":\"").append(name)
        .append("\"},\"ports\":[{\"name\":\"http\",\"port\":80,\"protocol\":\"TCP\",\"targetPort\":8080}]},")
        .append("\"status\":{\"loadBalancer\":{}}}");
  }

  void endpointSlice(StringBuilder b, int i) {
    int pod = i < pods ? i : -1;
    sliceJson(b, "svc-" + i, namespaceOf(i), 3_000_000 + i, uid(3, i), pod >= 0 ? podIp(pod) : null,
        pod >= 0 ? "pod-" + pod : null, "node-" + (i % 500));
  }

  private static void sliceJson(StringBuilder b, String service, String ns, int rv, String uid, String ip,
      String podName, String node) {
    b.append("{\"apiVersion\":\"discovery.k8s.io/v1\",\"kind\":\"EndpointSlice\",\"metadata\":{\"name\":\"")
        .append(service).append("-x7k2p\",\"namespace\":\"").append(ns).append("\",\"uid\":\"").append(uid)
        .append("\",\"resourceVersion\":\"").append(rv)
        .append("\",\"creationTimestamp\":\"2026-01-01T00:00:00Z\",\"generateName\":\"").append(service)
        .append("-\",\"labels\":{\"kubernetes.io/service-name\":\"").append(service)
        .append("\",\"endpointslice.kubernetes.io/managed-by\":\"endpointslice-controller.k8s.io\"},")
        .append("\"annotations\":{\"endpoints.kubernetes.io/last-change-trigger-time\":\"2026-01-01T00:00:00Z\"},")
        .append("\"ownerReferences\":[{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"name\":\"").append(service)
        .append("\",\"uid\":\"").append(uid).append("\",\"controller\":true,\"blockOwnerDeletion\":true}]},")
        .append("\"addressType\":\"IPv4\",\"endpoints\":[");
    if (ip != null) {
      b.append("{\"addresses\":[\"").append(ip).append("\"],\"conditions\":{\"ready\":true,\"serving\":true,")
          .append("\"terminating\":false},\"nodeName\":\"").append(node)
          .append("\",\"targetRef\":{\"kind\":\"Pod\",\"namespace\":\"").append(ns).append("\",\"name\":\"")
          .append(podName).append("\",\"uid\":\"").append(uid).append("\"}}");
    }
    b.append("],\"ports\":[{\"name\":\"http\",\"port\":8080,\"protocol\":\"TCP\"}]}");
  }

  void pod(StringBuilder b, int i) {
    podJson(b, "pod-" + i, namespaceOf(i), 4_000_000 + i, uid(4, i), podIp(i), "node-" + (i % 500),
        "svc-" + i);
  }

  private static void podJson(StringBuilder b, String name, String ns, int rv, String uid, String ip, String node,
      String app) {
    b.append("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"").append(name)
        .append("\",\"namespace\":\"").append(ns).append("\",\"uid\":\"").append(uid)
        .append("\",\"resourceVersion\":\"").append(rv)
        .append("\",\"creationTimestamp\":\"2026-01-01T00:00:00Z\",\"generateName\":\"").append(app)
        .append("-5d8f7c9b6-\",\"labels\":{\"app\":\"").append(app)
        .append("\",\"pod-template-hash\":\"5d8f7c9b6\"},\"ownerReferences\":[{\"apiVersion\":\"apps/v1\",")
        .append("\"kind\":\"ReplicaSet\",\"name\":\"").append(app).append("-5d8f7c9b6\",\"uid\":\"").append(uid)
        .append("\",\"controller\":true,\"blockOwnerDeletion\":true}]},\"spec\":{\"nodeName\":\"").append(node)
        .append("\",\"serviceAccountName\":\"default\",\"restartPolicy\":\"Always\",\"dnsPolicy\":\"ClusterFirst\",")
        .append("\"containers\":[{\"name\":\"app\",\"image\":\"registry.example/app:1.2.3\",\"ports\":[{")
        .append("\"containerPort\":8080,\"protocol\":\"TCP\"}],\"resources\":{\"requests\":{\"cpu\":\"100m\",")
        .append("\"memory\":\"128Mi\"}},\"terminationMessagePath\":\"/dev/termination-log\",")
        .append("\"imagePullPolicy\":\"IfNotPresent\"}]},\"status\":{\"phase\":\"Running\",\"hostIP\":\"192.168.")
        .append((node.hashCode() & 127)).append(".10\",\"podIP\":\"").append(ip).append("\",\"podIPs\":[{\"ip\":\"")
        .append(ip).append("\"}],\"startTime\":\"2026-01-01T00:00:00Z\",\"qosClass\":\"Burstable\",")
        .append("\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"},{\"type\":\"ContainersReady\",")
        .append("\"status\":\"True\"}],\"containerStatuses\":[{\"name\":\"app\",\"ready\":true,\"started\":true,")
        .append("\"restartCount\":0,\"image\":\"registry.example/app:1.2.3\",\"imageID\":\"\",")
        .append("\"containerID\":\"containerd://").append(uid).append("\",\"state\":{\"running\":{\"startedAt\":")
        .append("\"2026-01-01T00:00:01Z\"}}}]}}");
  }

  /** The marker of {@code resource} (namespaces, services, endpointslices, pods): only in the relist. */
  static void marker(StringBuilder b, String resource) {
    switch (resource) {
      case "namespaces" -> namespaceJson(b, MARKER_NS, 8_000_001, uid(8, 1));
      case "services" -> serviceJson(b, MARKER_SVC, "ns-0", 8_000_002, uid(8, 2), "None");
      case "endpointslices" -> sliceJson(b, MARKER_SVC, "ns-0", 8_000_003, uid(8, 3), MARKER_EP_IP, "relist-ep",
          "node-0");
      case "pods" -> podJson(b, "relist-pod", "ns-0", 8_000_004, uid(8, 4), MARKER_POD_IP, "node-0", "relist");
      default -> throw new IllegalArgumentException(resource);
    }
  }
}
