package io.clusterdns.server.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clusterdns.config.ForwardConfig;
import io.clusterdns.config.HostPort;
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
import io.clusterdns.server.query.QueryObserver;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The basic forward path end to end, with the real dig as client and Knot as the upstream: names outside the
 * cluster zones, an ExternalName whose target lives upstream (CNAME then the upstream's A, exactly what the
 * e2e test expects; behaviours.md 6.2), and a reverse miss falling through (behaviours.md 7.4).
 */
class ClusterForwardingIT {
  private static KnotUpstream knot;
  private static ClusterDnsServer server;
  private static InetSocketAddress addr;

  @BeforeAll
  static void start() throws Exception {
    knot = KnotUpstream.start();
    ClusterState s = new ClusterState(false);
    s.putNamespace(new NamespaceInfo("apps", Map.of()));
    s.putService(new ServiceInfo("apps", "ext", ServiceKind.EXTERNAL_NAME, List.of(), List.of(),
        "www.example.test"));
    s.putService(new ServiceInfo("apps", "gone", ServiceKind.EXTERNAL_NAME, List.of(), List.of(),
        "missing.example.test"));
    s.putService(new ServiceInfo("apps", "web", ServiceKind.CLUSTER_IP, List.of(IpAddress.parse("10.96.7.7")),
        List.of(new PortInfo("http", "TCP", 80)), null));
    ForwardConfig fwd = ForwardConfig.defaults(List.of(new HostPort("127.0.0.1", knot.port())));
    server = new ClusterDnsServer(KubernetesConfig.kubeadm("cluster.local", PodsMode.INSECURE, 30),
        SnapshotPublisher.ofSynced(s.build()), List.of(),
        loops -> {
          Forwarder f = new Forwarder(fwd, loops.group());
          return f::forward;
        },
        QueryObserver.NONE, 2);
    server.listen(List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
    addr = server.boundAddresses().get(0);
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    if (knot != null) {
      knot.close();
    }
  }

  private static List<String> dig(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("/usr/bin/dig", "@" + addr.getAddress().getHostAddress(), "-p",
        Integer.toString(addr.getPort()), "+time=5", "+tries=1"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try {
      assertTrue(p.waitFor(20, TimeUnit.SECONDS), "dig timed out");
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      List<String> lines = new ArrayList<>();
      for (String l : out.split("\n")) {
        if (!l.isBlank()) {
          lines.add(l.strip());
        }
      }
      return lines;
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void nameOutsideTheClusterIsForwardedOverUdpAndTcp() throws Exception {
    assertEquals(List.of("192.0.2.10"), dig("+short", "www.example.test", "A"));
    assertEquals(List.of("192.0.2.10"), dig("+short", "+tcp", "www.example.test", "A"));
  }

  @Test
  void upstreamUdpRepliesLargerThanTwoKilobytesArriveWhole() throws Exception {
    // A client with a 4096-byte EDNS buffer; the upstream's ~3.5 KB UDP reply must not be cut and dropped.
    List<String> out = dig("+bufsize=4096", "+ignore", "huge.example.test", "TXT");
    String text = String.join("\n", out);
    assertTrue(text.contains("status: NOERROR"), text);
    assertTrue(text.contains("ANSWER: " + KnotUpstream.HUGE_TXT_COUNT + ","), text);
  }

  @Test
  void upstreamNxdomainIsPassedThrough() throws Exception {
    assertTrue(dig("nothing.example.test", "A").stream().anyMatch(l -> l.contains("status: NXDOMAIN")));
  }

  @Test
  void externalNameGivesTheCnameThenTheUpstreamAddress() throws Exception {
    assertEquals(List.of("www.example.test.", "192.0.2.10"), dig("+short", "ext.apps.svc.cluster.local", "A"));
    List<String> full = dig("ext.apps.svc.cluster.local", "A");
    assertTrue(full.stream().anyMatch(l -> l.contains("flags: qr aa")), String.join("\n", full));
  }

  @Test
  void externalNameWhoseTargetTheUpstreamDeniesIsNxdomainWithTheCname() throws Exception {
    List<String> out = dig("gone.apps.svc.cluster.local", "A");
    String text = String.join("\n", out);
    assertTrue(text.contains("status: NXDOMAIN"), text);
    assertTrue(text.matches("(?s).*gone\\.apps\\.svc\\.cluster\\.local\\.\\s+30\\s+IN\\s+CNAME\\s+missing\\.example\\.test\\..*"),
        text);
  }

  @Test
  void reverseMissFallsThroughToTheUpstream() throws Exception {
    assertEquals(List.of("www.example.test."), dig("+short", "-x", "192.0.2.10"));
  }

  @Test
  void reverseHitIsAnsweredFromTheCluster() throws Exception {
    assertEquals(List.of("web.apps.svc.cluster.local."), dig("+short", "-x", "10.96.7.7"));
  }

  @Test
  void namesInsideTheClusterZoneAreNeverForwarded() throws Exception {
    // Search-path expansions get a fast local NXDOMAIN with the cluster SOA (behaviours.md 1.7).
    String text = String.join("\n", dig("www.example.test.apps.svc.cluster.local", "A"));
    assertTrue(text.contains("status: NXDOMAIN"), text);
    assertTrue(text.contains("cluster.local.") && text.contains("SOA"), text);
  }
}
