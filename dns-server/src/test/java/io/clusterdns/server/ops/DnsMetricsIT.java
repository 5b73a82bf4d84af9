package io.clusterdns.server.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clusterdns.config.KubernetesConfig;
import io.clusterdns.config.PodsMode;
import io.clusterdns.index.ClusterState;
import io.clusterdns.index.IpAddress;
import io.clusterdns.index.NamespaceInfo;
import io.clusterdns.index.PortInfo;
import io.clusterdns.index.ServiceInfo;
import io.clusterdns.index.ServiceKind;
import io.clusterdns.index.SnapshotPublisher;
import io.clusterdns.server.ClusterDnsServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * The per-query series dashboards read (behaviours.md 14), with CoreDNS's names and labels, counted for real
 * queries over a socket and read back in the Prometheus text format /metrics serves.
 */
class DnsMetricsIT {

  @Test
  void queriesAreCountedByTypeProtocolFamilyRcodeAndPlugin() throws Exception {
    ClusterState s = new ClusterState(false);
    s.putNamespace(new NamespaceInfo("default", Map.of()));
    s.putService(new ServiceInfo("default", "kubernetes", ServiceKind.CLUSTER_IP,
        List.of(IpAddress.parse("10.96.0.1")), List.of(new PortInfo("https", "TCP", 443)), null));
    PrometheusRegistry registry = new PrometheusRegistry();
    ClusterDnsServer server = new ClusterDnsServer(KubernetesConfig.kubeadm("cluster.local", PodsMode.INSECURE, 30),
        SnapshotPublisher.ofSynced(s.build()), List.of(),
        loops -> (q, tcp) -> CompletableFuture.failedFuture(new IllegalStateException("no upstream")),
        new DnsMetrics(registry, "dns://:53", "."), 1);
    try {
      server.listen(List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
      InetSocketAddress addr = server.boundAddresses().get(0);
      try (DatagramSocket sock = new DatagramSocket()) {
        sock.setSoTimeout(10_000); // a bound for a busy machine; replies take microseconds
        send(sock, addr, query("kubernetes.default.svc.cluster.local.", Type.A).toWire());
        send(sock, addr, query("kubernetes.default.svc.cluster.local.", Type.A).toWire());
        send(sock, addr, query("nope.default.svc.cluster.local.", Type.SRV).toWire());
        send(sock, addr, query("example.org.", Type.CAA).toWire()); // forwarded: SERVFAIL here
        byte[] bad = new byte[20];
        bad[5] = 1;
        bad[12] = 63;
        send(sock, addr, bad); // FORMERR before any zone
      }
      String text = scrape(registry);
      assertHas(text, "coredns_dns_requests_total{family=\"1\",proto=\"udp\",server=\"dns://:53\",type=\"A\","
          + "view=\"\",zone=\".\"} 2.0");
      assertHas(text, "coredns_dns_requests_total{family=\"1\",proto=\"udp\",server=\"dns://:53\",type=\"SRV\","
          + "view=\"\",zone=\".\"} 1.0");
      assertHas(text, "type=\"other\",view=\"\",zone=\".\"} 1.0"); // CAA is not a label value of its own
      assertHas(text, "coredns_dns_responses_total{plugin=\"kubernetes\",rcode=\"NOERROR\",server=\"dns://:53\","
          + "view=\"\",zone=\".\"} 2.0");
      assertHas(text, "coredns_dns_responses_total{plugin=\"kubernetes\",rcode=\"NXDOMAIN\",server=\"dns://:53\","
          + "view=\"\",zone=\".\"} 1.0");
      assertHas(text, "coredns_dns_responses_total{plugin=\"forward\",rcode=\"SERVFAIL\",server=\"dns://:53\","
          + "view=\"\",zone=\".\"} 1.0");
      assertHas(text, "coredns_dns_responses_total{plugin=\"\",rcode=\"FORMERR\",server=\"dns://:53\","
          + "view=\"\",zone=\"dropped\"} 1.0");
      assertHas(text, "coredns_dns_request_duration_seconds_count{server=\"dns://:53\",view=\"\",zone=\".\"} 4");
      assertHas(text, "coredns_dns_request_duration_seconds_bucket{server=\"dns://:53\",view=\"\",zone=\".\","
          + "le=\"2.5E-4\"}"); // the Java client writes bucket bounds as Double.toString does
      assertHas(text, "coredns_dns_response_size_bytes_bucket{proto=\"udp\",server=\"dns://:53\",view=\"\","
          + "zone=\".\",le=\"511.0\"}");
    } finally {
      server.close();
    }
  }

  private static Message query(String name, int type) throws Exception {
    return Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
  }

  private static void send(DatagramSocket sock, InetSocketAddress addr, byte[] packet) throws Exception {
    sock.send(new DatagramPacket(packet, packet.length, addr));
    byte[] buf = new byte[4096];
    sock.receive(new DatagramPacket(buf, buf.length)); // wait for the reply, so the count is in
  }

  private static String scrape(PrometheusRegistry registry) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter(false).write(out, registry.scrape());
    return out.toString(StandardCharsets.UTF_8);
  }

  private static void assertHas(String text, String line) {
    assertTrue(text.contains(line), "missing " + line + " in:\n" + text);
  }
}
