package io.clusterdns.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clusterdns.server.forward.KnotUpstream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code autopath @kubernetes} (issue 22 §3) as a pod sees it: the packaged server with a Corefile, the demo
 * cluster, a real Knot upstream serving {@code example.test.}, and dig over real sockets. Expected replies are
 * CoreDNS's ({@code plugin/autopath/autopath.go}, {@code cnamer}): the question is the asked name, a CNAME from
 * it to the name found (TTL of that name's first record) comes first, then that name's records; when the whole
 * path is NXDOMAIN the first expansion's own NXDOMAIN is the reply.
 */
class AutopathIT {

  /** The node's resolv.conf: one search domain, served by Knot, after the pod's three. */
  private static final String NODE_RESOLV_CONF = "nameserver 127.0.0.53\nsearch example.test\noptions ndots:1\n";

  private static String corefile(int knotPort, String autopathLine) {
    return ".:53 {\n"
        + "    kubernetes cluster.local in-addr.arpa ip6.arpa\n"
        + autopathLine
        + "    forward . 127.0.0.1:" + knotPort + "\n"
        + "}\n";
  }

  private static ServerProcess start(Path conf) throws Exception {
    ServerProcess server = ServerProcess.start(List.of("-Xmx128m"), Map.of(),
        p -> List.of("--demo", "--conf", conf.toString()));
    try {
      server.awaitReady(ServerProcess.START_DEADLINE);
      return server;
    } catch (Exception | AssertionError e) {
      server.close();
      throw e;
    }
  }

  private static InetSocketAddress dns(ServerProcess server) {
    return new InetSocketAddress("127.0.0.1", server.ports().dns());
  }

  /** dig's output with each run of blanks and tabs as one space. */
  private static String flat(String digOutput) {
    return digOutput.replaceAll("[ \\t]+", " ");
  }

  @Test
  void firstSearchExpansionOfAnExternalNameIsAnsweredWithACnameToIt(@TempDir Path dir) throws Exception {
    Path resolv = dir.resolve("node-resolv.conf");
    Files.writeString(resolv, NODE_RESOLV_CONF);
    Path conf = dir.resolve("Corefile");
    try (KnotUpstream knot = KnotUpstream.start()) {
      Files.writeString(conf, corefile(knot.port(), "    autopath @kubernetes " + resolv + "\n"));
      try (ServerProcess server = start(conf)) {
        InetSocketAddress at = dns(server);

        // www.example.test.svc.cluster.local, .cluster.local and .example.test are NXDOMAIN; www.example.test is not.
        String ext = flat(Dig.run(at, "+noall", "+comments", "+question", "+answer",
            "www.example.test.demo.svc.cluster.local", "A"));
        assertTrue(ext.contains("status: NOERROR"), ext);
        assertTrue(ext.contains(";www.example.test.demo.svc.cluster.local. IN A"), "the question is the asked one: " + ext);
        assertEquals(List.of(
                "www.example.test.demo.svc.cluster.local. 300 IN CNAME www.example.test.",
                "www.example.test. 300 IN A 192.0.2.10"),
            Dig.lines(Dig.run(at, "+noall", "+answer", "www.example.test.demo.svc.cluster.local", "A")),
            "one round trip: a CNAME from the asked name, TTL of the found record, then its A");
        assertTrue(server.metrics().lines().anyMatch(l -> l.startsWith("coredns_autopath_success_total{")
                && !l.endsWith(" 0.0")), "CoreDNS's autopath series counts the walked answers");

        // A short name found through the node's search domain: www.svc.cluster.local, www.cluster.local NXDOMAIN.
        assertEquals(List.of(
                "www.demo.svc.cluster.local. 300 IN CNAME www.example.test.",
                "www.example.test. 300 IN AAAA 2001:db8::10"),
            Dig.lines(Dig.run(at, "+noall", "+answer", "www.demo.svc.cluster.local", "AAAA")));

        // A service of the namespace keeps its own answer, no CNAME.
        assertEquals(List.of("web.demo.svc.cluster.local. 5 IN A 10.96.1.10"),
            Dig.lines(Dig.run(at, "+noall", "+answer", "web.demo.svc.cluster.local", "A")));

        // Nothing on the path exists: the first expansion's own NXDOMAIN, as CoreDNS's firstReply.
        String none = flat(Dig.run(at, "+noall", "+comments", "+question", "+answer",
            "nosuch.example.test.demo.svc.cluster.local", "A"));
        assertTrue(none.contains("status: NXDOMAIN"), none);
        assertTrue(none.contains(";nosuch.example.test.demo.svc.cluster.local. IN A"), none);
        assertEquals(List.of(), Dig.lines(Dig.run(at, "+noall", "+answer",
            "nosuch.example.test.demo.svc.cluster.local", "A")));
      }
    }
  }

  @Test
  void withoutTheDirectiveTheFirstExpansionIsNxdomain(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("Corefile");
    try (KnotUpstream knot = KnotUpstream.start()) {
      Files.writeString(conf, corefile(knot.port(), ""));
      try (ServerProcess server = start(conf)) {
        String ext = Dig.run(dns(server), "www.example.test.demo.svc.cluster.local", "A");
        assertTrue(ext.contains("status: NXDOMAIN"), ext);
        assertTrue(Dig.run(dns(server), "www.example.test", "A").contains("192.0.2.10"),
            "the upstream answers the name itself");
      }
    }
  }
}
