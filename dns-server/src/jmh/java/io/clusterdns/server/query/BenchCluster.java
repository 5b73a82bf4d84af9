package io.clusterdns.server.query;

import io.clusterdns.config.KubernetesConfig;
import io.clusterdns.config.PodsMode;
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
import io.clusterdns.server.zone.ClusterZone;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * The cluster of the peer benchmark (conformance/bench/gen.py) built in memory through {@link ClusterState},
 * as the watch builds it, and the query mix dnsperf sends there: 70 % A for services, 10 % SRV
 * {@code _http._tcp}, 10 % NXDOMAIN search-path expansions, 10 % AAAA (NODATA). Queries are packets as
 * dnsperf sends them (RD set, no EDNS, lowercase). Benchmarks walk the mix in order, so that no single name
 * stays in the branch predictor and caches the way one repeated query would.
 */
final class BenchCluster {
  static final String DOMAIN = "cluster.local";

  /** Services per namespace, as gen.py. */
  private static final int PER_NAMESPACE = 20;

  /** Queries in the mix: a power of two, so the next index is a mask. */
  static final int MIX = 4096;

  final ClusterZone zone;
  /** The mix as query packets. */
  final byte[][] packets;
  /** The mix as dnsjava messages, each parsed from its packet. */
  final Message[] queries;

  private BenchCluster(ClusterZone zone, byte[][] packets, Message[] queries) {
    this.zone = zone;
    this.packets = packets;
    this.queries = queries;
  }

  /** {@code services} services over services/20 namespaces, with gen.py's shapes; pods insecure (kubeadm). */
  static BenchCluster build(int services, long seed) {
    ClusterState s = new ClusterState(false);
    int namespaces = (services + PER_NAMESPACE - 1) / PER_NAMESPACE;
    s.putNamespace(new NamespaceInfo("default", Map.of()));
    s.putNamespace(new NamespaceInfo("kube-system", Map.of()));
    for (int k = 0; k < namespaces; k++) {
      s.putNamespace(new NamespaceInfo("ns-" + k, Map.of()));
    }
    s.putService(new ServiceInfo("default", "kubernetes", ServiceKind.CLUSTER_IP, List.of(ip("10.96.0.1")),
        List.of(new PortInfo("https", "TCP", 443)), null));
    s.putService(new ServiceInfo("kube-system", "kube-dns", ServiceKind.CLUSTER_IP, List.of(ip("10.96.0.10")),
        List.of(new PortInfo("dns", "UDP", 53), new PortInfo("dns-tcp", "TCP", 53),
            new PortInfo("metrics", "TCP", 9153)), null));
    for (int i = 0; i < services; i++) {
      String ns = "ns-" + i / PER_NAMESPACE;
      String name = "svc-" + i;
      boolean headless = i % 10 == 8;
      List<PortInfo> ports = new ArrayList<>(List.of(new PortInfo("http", "TCP", 80)));
      List<PortInfo> targets = new ArrayList<>(List.of(new PortInfo("http", "TCP", 8080)));
      if (i % 4 == 0) {
        ports.add(new PortInfo("grpc", "TCP", 9000));
        targets.add(new PortInfo("grpc", "TCP", 9090));
      }
      IpAddress pod = address(0x0AF40100, i); // 10.244.1.0 + i
      if (headless) {
        s.putService(new ServiceInfo(ns, name, ServiceKind.HEADLESS, List.of(), ports, null));
        s.putEndpointSlice(new EndpointSliceInfo(ns, name + "-x1", name, List.of(
            new EndpointInfo(List.of(pod), name + "-0", true, null),
            new EndpointInfo(List.of(address(0x0AF80001, i)), null, true, null), // 10.248.0.1 + i
            new EndpointInfo(List.of(address(0x0AFA0001, i)), null, false, null)), // 10.250.0.1 + i
            targets));
      } else {
        s.putService(new ServiceInfo(ns, name, ServiceKind.CLUSTER_IP, List.of(address(0x0A640001, i)), ports,
            null)); // 10.100.0.1 + i
      }
      s.putPod(new PodInfo(ns, name + "-0", List.of(pod), false));
    }
    ClusterZone zone = new ClusterZone(KubernetesConfig.kubeadm(DOMAIN, PodsMode.INSECURE, 30),
        SnapshotPublisher.ofSynced(s.build()), List.of(InetAddress.getLoopbackAddress()));

    Random rng = new Random(seed);
    byte[][] packets = new byte[MIX][];
    Message[] queries = new Message[MIX];
    for (int q = 0; q < MIX; q++) {
      int i = rng.nextInt(services);
      String fqdn = "svc-" + i + ".ns-" + i / PER_NAMESPACE + ".svc." + DOMAIN + ".";
      double r = rng.nextDouble();
      Message m;
      if (r < 0.70) {
        m = query(fqdn, Type.A);
      } else if (r < 0.80) {
        m = query("_http._tcp." + fqdn, Type.SRV);
      } else if (r < 0.90) {
        m = query(searchPath(rng, fqdn, namespaces), Type.A);
      } else {
        m = query(fqdn, Type.AAAA);
      }
      packets[q] = m.toWire();
      queries[q] = parse(packets[q]);
    }
    return new BenchCluster(zone, packets, queries);
  }

  /** One of the NXDOMAIN names a pod's resolver tries before the one that exists (gen.py nxdomain_name). */
  private static String searchPath(Random rng, String fqdn, int namespaces) {
    switch (rng.nextInt(4)) {
      case 0:
        return fqdn + "ns-" + rng.nextInt(namespaces) + ".svc." + DOMAIN + ".";
      case 1:
        return fqdn + "svc." + DOMAIN + ".";
      case 2:
        return fqdn + DOMAIN + ".";
      default:
        return "api-" + rng.nextInt(1000) + ".example.com.ns-" + rng.nextInt(namespaces) + ".svc." + DOMAIN + ".";
    }
  }

  /** Names outside the cluster zones, as the forwarded row of the rig asks them. */
  static Name[] outsideNames(int count, long seed) {
    Random rng = new Random(seed);
    Name[] out = new Name[count];
    for (int i = 0; i < count; i++) {
      out[i] = name("name-" + rng.nextInt(9000) + ".example.test.");
    }
    return out;
  }

  static Message query(String name, int type) {
    return Message.newQuery(Record.newRecord(name(name), type, DClass.IN));
  }

  static Name name(String text) {
    try {
      return Name.fromString(text);
    } catch (TextParseException e) {
      throw new IllegalArgumentException(text, e);
    }
  }

  static Message parse(byte[] packet) {
    try {
      return new Message(packet);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static IpAddress ip(String text) {
    return IpAddress.parse(text);
  }

  private static IpAddress address(int base, int offset) {
    int a = base + offset;
    return IpAddress.parse((a >>> 24) + "." + (a >>> 16 & 0xff) + "." + (a >>> 8 & 0xff) + "." + (a & 0xff));
  }
}
