package io.clusterdns.server;

import io.clusterdns.index.ClusterState;
import io.clusterdns.index.EndpointInfo;
import io.clusterdns.index.EndpointSliceInfo;
import io.clusterdns.index.IpAddress;
import io.clusterdns.index.NamespaceInfo;
import io.clusterdns.index.PortInfo;
import io.clusterdns.index.ServiceInfo;
import io.clusterdns.index.ServiceKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A small in-memory cluster for socket tests: a ClusterIP service and a headless service of many endpoints. */
final class TestCluster {
  /** Endpoints of {@code big.wire.svc}: enough A records to overflow 512 bytes but fit 4096. */
  static final int BIG_ENDPOINTS = 60;

  /** Endpoints of {@code srv.wire.svc}: their SRV records fit 512 bytes, SRV plus additional A do not. */
  static final int SRV_ENDPOINTS = 9;

  private TestCluster() {}

  /**
   * A server for this cluster on 127.0.0.1 (a free port), kubeadm zones, pods insecure, TTL 30, and no
   * upstream: anything forwarded fails (SERVFAIL). The caller closes it.
   */
  static ClusterDnsServer startServer() throws java.io.IOException {
    io.clusterdns.config.KubernetesConfig k8s = io.clusterdns.config.KubernetesConfig.kubeadm(
        "cluster.local", io.clusterdns.config.PodsMode.INSECURE, 30);
    ClusterDnsServer server = new ClusterDnsServer(k8s, io.clusterdns.index.SnapshotPublisher.ofSynced(build().build()),
        List.of(),
        loops -> (q, tcp) -> java.util.concurrent.CompletableFuture.failedFuture(
            new IllegalStateException("no upstream in this test")),
        io.clusterdns.server.query.QueryObserver.NONE, 2);
    server.listen(List.of(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0)));
    return server;
  }

  static ClusterState build() {
    ClusterState s = new ClusterState(false);
    s.putNamespace(new NamespaceInfo("wire", Map.of()));
    s.putNamespace(new NamespaceInfo("default", Map.of()));
    s.putService(new ServiceInfo("default", "kubernetes", ServiceKind.CLUSTER_IP,
        List.of(IpAddress.parse("10.96.0.1")), List.of(new PortInfo("https", "TCP", 443)), null));
    s.putService(new ServiceInfo("wire", "web", ServiceKind.CLUSTER_IP,
        List.of(IpAddress.parse("10.96.5.5")), List.of(new PortInfo("http", "TCP", 80)), null));
    s.putService(new ServiceInfo("wire", "big", ServiceKind.HEADLESS, List.of(), List.of(), null));
    List<EndpointInfo> eps = new ArrayList<>();
    for (int i = 0; i < BIG_ENDPOINTS; i++) {
      eps.add(new EndpointInfo(List.of(IpAddress.parse("10.244.1." + (i + 1))), null, true, null));
    }
    s.putEndpointSlice(new EndpointSliceInfo("wire", "big-1", "big", eps, List.of()));
    // SRV answers of "srv" fit 512 bytes but their additional A records do not: TC must still be set.
    s.putService(new ServiceInfo("wire", "srv", ServiceKind.HEADLESS, List.of(), List.of(), null));
    List<EndpointInfo> named = new ArrayList<>();
    for (int i = 0; i < SRV_ENDPOINTS; i++) {
      named.add(new EndpointInfo(List.of(IpAddress.parse("10.244.2." + (i + 1))), "h" + i, true, null));
    }
    s.putEndpointSlice(new EndpointSliceInfo("wire", "srv-1", "srv", named,
        List.of(new PortInfo("http", "TCP", 8080))));
    return s;
  }
}
