package io.clusterdns.server.zone;

import io.clusterdns.config.KubernetesConfig;
import io.clusterdns.config.PodsMode;
import io.clusterdns.index.ClusterSnapshot;
import io.clusterdns.index.ClusterState;
import io.clusterdns.index.EndpointInfo;
import io.clusterdns.index.EndpointSliceInfo;
import io.clusterdns.index.IpAddress;
import io.clusterdns.index.NamespaceInfo;
import io.clusterdns.index.PodInfo;
import io.clusterdns.index.PortInfo;
import io.clusterdns.index.ServiceInfo;
import io.clusterdns.index.ServiceKind;
import io.clusterdns.index.SnapshotPublisher;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The cluster every answer table runs against, built in memory through {@link ClusterState} exactly as the
 * watch will build it. Each object exists to prove some behaviours.md row; the comment says which.
 */
final class ZoneFixture {
  /** Snapshot build time; the SOA serial is this in seconds (behaviours.md 9.3). */
  static final long CLOCK_MILLIS = 1_700_000_000_000L;

  static final long SERIAL = CLOCK_MILLIS / 1000;

  /** kubeadm's {@code ttl 30}. */
  static final int TTL = 30;

  /** Endpoints of the headless service "big". */
  static final int BIG = 150;

  private ZoneFixture() {}

  static ClusterState state() {
    ClusterState s = new ClusterState(false, () -> CLOCK_MILLIS);
    for (String ns : List.of("default", "kube-system", "ns1", "empty")) {
      s.putNamespace(new NamespaceInfo(ns, Map.of())); // "empty" has no services at all (1.5)
    }

    // 3.1, 3.3: the API service.
    s.putService(clusterIp("default", "kubernetes", List.of("10.96.0.1"), port("https", "TCP", 443)));

    // 3.5, 9.4: kube-dns with three ports; 10.244.0.10 is the server's own pod address.
    s.putService(clusterIp("kube-system", "kube-dns", List.of("10.96.0.10"),
        port("dns", "UDP", 53), port("dns-tcp", "TCP", 53), port("metrics", "TCP", 9153)));
    s.putEndpointSlice(slice("kube-system", "kube-dns-1", "kube-dns",
        List.of(ep("10.244.0.10", null, true), ep("10.244.0.11", null, true)),
        port("dns", "UDP", 53), port("dns-tcp", "TCP", 53), port("metrics", "TCP", 9153)));

    // 3.1 dual stack, 3.3 Service port 80 vs targetPort 8080, 3.6 unnamed port 81, 3.7 endpoint names,
    // 5.2 a not-ready endpoint.
    s.putService(clusterIp("ns1", "web", List.of("10.96.1.1", "fd00::1"),
        port("http", "TCP", 80), port(null, "TCP", 81)));
    s.putEndpointSlice(slice("ns1", "web-v4", "web",
        List.of(ep("10.244.1.1", null, true), ep("10.244.1.2", null, false)),
        port("http", "TCP", 8080), port(null, "TCP", 8081)));

    // 3.2: no endpoints at all, still answers its ClusterIP.
    s.putService(clusterIp("ns1", "lonely", List.of("10.96.1.2"), port("http", "TCP", 80)));

    // 9.1: IPv6-only service.
    s.putService(clusterIp("ns1", "v6only", List.of("fd00::5"), port("http", "TCP", 80)));

    // 4.1-4.5, 4.7: headless, three slices (IPv4, IPv6, and IPv4 again repeating one address),
    // hostnames shared across endpoints and families, a not-ready endpoint.
    s.putService(headless("ns1", "hl", port("http", "TCP", 80)));
    s.putEndpointSlice(slice("ns1", "hl-a", "hl",
        List.of(ep("10.244.2.1", "db-0", true), ep("10.244.2.2", null, true), ep("10.244.2.3", null, false),
            ep("10.244.2.4", "db-0", true)),
        port("http", "TCP", 8080)));
    s.putEndpointSlice(slice("ns1", "hl-b", "hl",
        List.of(ep("fd00::2:1", "db-0", true), ep("2001:db8::", null, true)),
        port("http", "TCP", 8080)));
    s.putEndpointSlice(slice("ns1", "hl-c", "hl", List.of(ep("10.244.2.2", null, true)),
        port("http", "TCP", 8080)));

    // 4.2: headless with only not-ready endpoints, and headless with no slice at all.
    s.putService(headless("ns1", "hl-unready", port("http", "TCP", 80)));
    s.putEndpointSlice(slice("ns1", "hl-unready-1", "hl-unready", List.of(ep("10.244.4.1", null, false)),
        port("http", "TCP", 8080)));
    s.putService(headless("ns1", "hl-noslice", port("http", "TCP", 80)));

    // 4.6: headless without ports.
    s.putService(headless("ns1", "hl-noports"));
    s.putEndpointSlice(slice("ns1", "hl-noports-1", "hl-noports", List.of(ep("10.244.3.1", null, true))));

    // 6.1-6.4: ExternalName services.
    s.putService(external("ns1", "ext", "foo.example.com"));
    s.putService(external("ns1", "ext-dot", "bar.example.com."));
    s.putService(external("ns1", "ext-in", "web.ns1.svc.cluster.local"));
    s.putService(external("ns1", "ext-chain", "ext.ns1.svc.cluster.local"));
    s.putService(external("ns1", "ext-self", "ext-self.ns1.svc.cluster.local"));
    s.putService(external("ns1", "ext-loop-a", "ext-loop-b.ns1.svc.cluster.local"));
    s.putService(external("ns1", "ext-loop-b", "ext-loop-a.ns1.svc.cluster.local"));
    s.putService(external("ns1", "ext-ip", "192.0.2.1"));
    s.putService(external("ns1", "ext-missing", "nope.ns1.svc.cluster.local"));
    s.putService(external("ns1", "ext-version", "dns-version.cluster.local"));
    // c0 -> c1 -> ... -> c10 -> web: from c1 the chain is 10 CNAMEs, from c0 it is 11.
    for (int i = 0; i <= 10; i++) {
      String next = i < 10 ? "c" + (i + 1) + ".ns1.svc.cluster.local" : "web.ns1.svc.cluster.local";
      s.putService(external("ns1", "c" + i, next));
    }

    // 3.5: 150 ready endpoints, so floor(100/150) = 0 and the weight minimum of 1 applies.
    List<EndpointInfo> big = new ArrayList<>();
    for (int i = 0; i < BIG; i++) {
      big.add(ep("10.245." + (i / 100) + "." + (i % 100), null, true));
    }
    s.putService(headless("ns1", "big", port("http", "TCP", 80)));
    s.putEndpointSlice(slice("ns1", "big-1", "big", big, port("http", "TCP", 8080)));

    // 1.5: a service whose namespace has no Namespace object.
    s.putService(clusterIp("ghost", "orphan", List.of("10.96.9.9"), port("http", "TCP", 80)));

    // 8.3 verified: a running pod (both families), a terminating pod.
    s.putPod(new PodInfo("ns1", "p1", List.of(ip("10.244.5.5"), ip("fd00::5:5")), false));
    s.putPod(new PodInfo("ns1", "p2", List.of(ip("10.244.5.6")), true));
    return s;
  }

  static ClusterSnapshot snapshot() {
    return state().build();
  }

  /** The kubeadm zones and fall-through with the given pods mode; the server's own address is a kube-dns endpoint. */
  static ClusterZone zone(PodsMode pods) {
    return new ClusterZone(
        KubernetesConfig.kubeadm("cluster.local", pods, TTL),
        SnapshotPublisher.ofSynced(snapshot()),
        addresses("127.0.0.1", "10.244.0.10"));
  }

  static ZoneTable table(ClusterZone zone) {
    return new ZoneTable(zone, TTL, SERIAL);
  }

  // ------------------------------------------------------------------------------------------- builders

  static IpAddress ip(String text) {
    IpAddress a = IpAddress.parse(text);
    if (a == null) {
      throw new IllegalArgumentException(text);
    }
    return a;
  }

  static List<InetAddress> addresses(String... texts) {
    List<InetAddress> out = new ArrayList<>();
    for (String t : texts) {
      try {
        out.add(InetAddress.getByName(t)); // literals only: no lookup
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException(t, e);
      }
    }
    return out;
  }

  static PortInfo port(String name, String protocol, int port) {
    return new PortInfo(name, protocol, port);
  }

  static ServiceInfo clusterIp(String ns, String name, List<String> ips, PortInfo... ports) {
    return new ServiceInfo(ns, name, ServiceKind.CLUSTER_IP, ips.stream().map(ZoneFixture::ip).toList(),
        List.of(ports), null);
  }

  static ServiceInfo headless(String ns, String name, PortInfo... ports) {
    return new ServiceInfo(ns, name, ServiceKind.HEADLESS, List.of(), List.of(ports), null);
  }

  static ServiceInfo external(String ns, String name, String target) {
    return new ServiceInfo(ns, name, ServiceKind.EXTERNAL_NAME, List.of(), List.of(), target);
  }

  static EndpointInfo ep(String address, String hostname, boolean ready) {
    return new EndpointInfo(List.of(ip(address)), hostname, ready, null);
  }

  static EndpointSliceInfo slice(String ns, String name, String service, List<EndpointInfo> eps, PortInfo... ports) {
    return new EndpointSliceInfo(ns, name, service, eps, List.of(ports));
  }
}
