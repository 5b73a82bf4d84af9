package io.clusterdns.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * The default Corefiles of the common distributions, as their manifests publish them (paths of mounted files
 * moved into a temporary directory, {@code forward . /etc/resolv.conf} replaced by {@code --upstream} so nothing
 * leaves loopback): each passes {@code --check-config}, and the served ones answer their {@code hosts} and
 * {@code template} names (issue 18).
 */
class DefaultCorefilesIT {
  private static final Path JAR = Path.of("target", "clusterdns.jar");

  /** kubeadm (kubernetes/kubernetes cmd/kubeadm/app/phases/addons/dns/manifests.go). */
  static final String KUBEADM = """
      .:53 {
          errors
          health {
             lameduck 5s
          }
          ready
          kubernetes cluster.local in-addr.arpa ip6.arpa {
             pods insecure
             fallthrough in-addr.arpa ip6.arpa
             ttl 30
          }
          prometheus :9153
          forward . /etc/resolv.conf {
             max_concurrent 1000
          }
          cache 30 {
             disable success cluster.local
             disable denial cluster.local
          }
          loop
          reload
          loadbalance
      }
      """;

  /** EKS's coredns add-on ConfigMap. */
  static final String EKS = """
      .:53 {
          errors
          health {
              lameduck 5s
            }
          ready
          kubernetes cluster.local in-addr.arpa ip6.arpa {
            pods insecure
            fallthrough in-addr.arpa ip6.arpa
          }
          prometheus :9153
          forward . /etc/resolv.conf
          cache 30
          loop
          reload
          loadbalance
      }
      """;

  /** k3s (manifests/coredns.yaml), {@code /etc/coredns} moved to DIR. */
  static final String K3S = """
      .:53 {
          errors
          health
          ready
          kubernetes cluster.local in-addr.arpa ip6.arpa {
            pods insecure
            fallthrough in-addr.arpa ip6.arpa
          }
          hosts DIR/NodeHosts {
            ttl 60
            reload 15s
            fallthrough
          }
          prometheus :9153
          forward . /etc/resolv.conf
          cache 30
          loop
          reload
          loadbalance
          import DIR/custom/*.override
      }
      import DIR/custom/*.server
      """;

  /** AKS's coredns ConfigMap. */
  static final String AKS = """
      .:53 {
          errors
          ready
          health {
            lameduck 5s
          }
          kubernetes cluster.local in-addr.arpa ip6.arpa {
            pods insecure
            fallthrough in-addr.arpa ip6.arpa
            ttl 30
          }
          prometheus :9153
          forward . /etc/resolv.conf
          cache 30
          loop
          reload
          loadbalance
          import custom/*.override
          template ANY ANY internal.cloudapp.net {
            match "^(?:[^.]+\\.){4,}internal\\.cloudapp\\.net\\.$"
            rcode NXDOMAIN
            fallthrough
          }
          template ANY ANY reddog.microsoft.com {
            rcode NXDOMAIN
          }
      }
      import custom/*.server
      """;

  static Stream<Arguments> corefiles() {
    return Stream.of(Arguments.of("kubeadm", KUBEADM), Arguments.of("EKS", EKS), Arguments.of("k3s", K3S),
        Arguments.of("AKS", AKS));
  }

  private static Path write(Path dir, String corefile) throws IOException {
    Files.writeString(dir.resolve("NodeHosts"), "172.18.0.2 k3d-server-0\n172.18.0.3 k3d-agent-0\n");
    Path conf = dir.resolve("Corefile");
    Files.writeString(conf, corefile.replace("DIR", dir.toString()));
    return conf;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corefiles")
  void defaultCorefilePassesCheckConfig(String name, String corefile, @TempDir Path dir) throws Exception {
    Path conf = write(dir, corefile);
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
        JAR.toString(), "--check-config", "--conf", conf.toString(), "--demo", "--upstream", "127.0.0.1:1")
        .redirectErrorStream(true).start();
    try {
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "exits");
      assertEquals(0, p.exitValue(), name + ":\n" + out);
      assertTrue(out.contains("configuration OK"), out);
    } finally {
      ServerProcess.kill(p.toHandle());
    }
  }

  private static Message query(ServerProcess server, String name, int type) throws IOException {
    SimpleResolver r = new SimpleResolver(server.dns());
    r.setTimeout(Duration.ofSeconds(15));
    return r.send(Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)));
  }

  private static List<String> answers(Message m) {
    List<String> out = new ArrayList<>();
    for (Record r : m.getSection(Section.ANSWER)) {
      out.add(r.getName() + " " + r.getTTL() + " " + Type.string(r.getType()) + " " + r.rdataToString());
    }
    return out;
  }

  @Test
  void k3sServesNodeHostsAndFallsThrough(@TempDir Path dir) throws Exception {
    Path conf = write(dir, K3S);
    try (ServerProcess server = ServerProcess.start(List.of("-Xmx128m"), Map.of(),
        p -> List.of("--conf", conf.toString(), "--demo", "--upstream", "127.0.0.1:1"))) {
      server.awaitReady(ServerProcess.START_DEADLINE);
      Message a = query(server, "k3d-server-0.", Type.A);
      assertEquals(Rcode.NOERROR, a.getRcode());
      assertTrue(a.getHeader().getFlag(Flags.AA));
      assertEquals(List.of("k3d-server-0. 60 A 172.18.0.2"), answers(a));
      assertEquals(List.of(), answers(query(server, "k3d-server-0.", Type.AAAA)), "NODATA for a known name");
      assertEquals(List.of("2.0.18.172.in-addr.arpa. 60 PTR k3d-server-0."),
          answers(query(server, "2.0.18.172.in-addr.arpa.", Type.PTR)));
      assertEquals(List.of("kubernetes.default.svc.cluster.local. 5 A 10.96.0.1"),
          answers(query(server, "kubernetes.default.svc.cluster.local.", Type.A)),
          "cluster names still answer (k3s sets no ttl: CoreDNS's 5 s)");
      assertEquals(Rcode.SERVFAIL, query(server, "unknown.example.", Type.A).getRcode(),
          "fallthrough: the (unreachable) upstream answers the rest");
    }
  }

  @Test
  void aksTemplatesAnswerNxdomainForSearchPathExpansions(@TempDir Path dir) throws Exception {
    Path conf = write(dir, AKS);
    try (ServerProcess server = ServerProcess.start(List.of("-Xmx128m"), Map.of(),
        p -> List.of("--conf", conf.toString(), "--demo", "--upstream", "127.0.0.1:1"))) {
      server.awaitReady(ServerProcess.START_DEADLINE);
      Message deep = query(server, "www.example.com.default.svc.internal.cloudapp.net.", Type.A);
      assertEquals(Rcode.NXDOMAIN, deep.getRcode());
      assertTrue(deep.getHeader().getFlag(Flags.AA));
      assertEquals(Rcode.SERVFAIL, query(server, "vm1.internal.cloudapp.net.", Type.A).getRcode(),
          "fewer than four labels: falls through to the (unreachable) upstream");
      assertEquals(Rcode.NXDOMAIN, query(server, "anything.reddog.microsoft.com.", Type.AAAA).getRcode());
      assertEquals(List.of("kubernetes.default.svc.cluster.local. 30 A 10.96.0.1"),
          answers(query(server, "kubernetes.default.svc.cluster.local.", Type.A)));
    }
  }

  /** hosts with inline entries, no_reverse, no fallthrough, and a file changed under the running server. */
  @Test
  void hostsFileChangeIsServedAfterItsReloadInterval(@TempDir Path dir) throws Exception {
    Path hosts = dir.resolve("hosts");
    Files.writeString(hosts, "10.1.0.1 one.example.\n");
    Path conf = dir.resolve("Corefile");
    Files.writeString(conf, ".:53 {\n    ready\n    hosts " + hosts + " example {\n        10.1.0.9 inline.example\n"
        + "        ttl 90\n        reload 1s\n        no_reverse\n    }\n"
        + "    kubernetes cluster.local\n    forward . 127.0.0.1:1\n}\n");
    try (ServerProcess server = ServerProcess.start(List.of("-Xmx128m"), Map.of(),
        p -> List.of("--conf", conf.toString(), "--demo"))) {
      server.awaitReady(ServerProcess.START_DEADLINE);
      assertEquals(List.of("one.example. 90 A 10.1.0.1"), answers(query(server, "one.example.", Type.A)));
      assertEquals(List.of("inline.example. 90 A 10.1.0.9"), answers(query(server, "inline.example.", Type.A)));
      assertEquals(Rcode.SERVFAIL, query(server, "two.example.", Type.A).getRcode(),
          "no fallthrough: an unknown name in the zone is SERVFAIL, as CoreDNS (no SOA for an NXDOMAIN)");
      Files.writeString(hosts, "10.1.0.1 one.example.\n10.1.0.2 two.example.\n");
      long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!answers(query(server, "two.example.", Type.A)).equals(List.of("two.example. 90 A 10.1.0.2"))) {
        assertTrue(System.nanoTime() < end, "two.example not served within 30 s of the change:\n" + server.output());
        Thread.sleep(200);
      }
      assertEquals(Rcode.SERVFAIL, query(server, "2.0.1.10.in-addr.arpa.", Type.PTR).getRcode(),
          "no_reverse: the PTR goes on to the (unreachable) upstream");
    }
  }
}
