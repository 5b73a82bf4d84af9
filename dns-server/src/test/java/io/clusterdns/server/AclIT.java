package io.clusterdns.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * CoreDNS's {@code acl} against the built jar serving the demo cluster, asked with the real dig over UDP and TCP from
 * loopback sources: {@code block} answers REFUSED, {@code filter} NOERROR with nothing, {@code drop} nothing at all,
 * and a more specific {@code allow} written first wins over the block after it. Cached and cluster answers (the
 * byte fast path, dig {@code +nocookie}) are judged like the rest. The coredns_acl_* series count what was done.
 */
class AclIT {
  private static final String COREFILE = """
      .:53 {
          ready
          prometheus :9153
          acl {
              allow type AAAA net 127.0.0.2
              block type AAAA net 127.0.0.0/8
              filter type MX net 127.0.0.0/8
              drop type TXT net 127.0.0.1
          }
          kubernetes cluster.local in-addr.arpa ip6.arpa {
              pods insecure
              ttl 30
          }
          forward . 127.0.0.1:1
      }
      """;

  private static final String NAME = "kubernetes.default.svc.cluster.local";

  /** dig's header line: status and flags. */
  private static String header(String digOutput) {
    for (String l : digOutput.split("\n")) {
      if (l.contains("status:")) {
        return l;
      }
    }
    return "";
  }

  private static String flags(String digOutput) {
    for (String l : digOutput.split("\n")) {
      if (l.contains(";; flags:")) {
        return l;
      }
    }
    return "";
  }

  /** AAAA of {@link #NAME} over UDP with dnsjava: the rcode. */
  private static int aaaa(InetSocketAddress dns) throws Exception {
    SimpleResolver r = new SimpleResolver(dns);
    r.setTimeout(Duration.ofSeconds(5));
    return r.send(Message.newQuery(Record.newRecord(Name.fromString(NAME + "."), Type.AAAA, DClass.IN))).getRcode();
  }

  @Test
  void aReloadPutsANewAclInForce(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("Corefile");
    Files.writeString(conf, COREFILE);
    try (ServerProcess server = ServerProcess.start(List.of("-Xmx128m"), Map.of(),
        p -> List.of("--conf", conf.toString(), "--demo"))) {
      server.awaitReady(ServerProcess.START_DEADLINE);
      assertEquals(Rcode.REFUSED, aaaa(server.dns()));
      Files.writeString(conf, COREFILE.replace("block type AAAA net 127.0.0.0/8", "allow type AAAA"));
      Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(server.process().pid())).start();
      assertTrue(kill.waitFor(30, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -HUP");
      // The reloader logs "... (SIGHUP)" once the new configuration is in force.
      long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!server.output().contains("(SIGHUP)")) {
        assertTrue(System.nanoTime() < end, "no reload logged within 30 s:\n" + server.output());
        Thread.sleep(50);
      }
      assertEquals(Rcode.NOERROR, aaaa(server.dns()), "the reloaded acl allows AAAA\n" + server.output());
    }
  }

  @Test
  void blockFilterDropAndAMoreSpecificAllowFirst(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("Corefile");
    Files.writeString(conf, COREFILE);
    try (ServerProcess server = ServerProcess.start(List.of("-Xmx128m"), Map.of(),
        p -> List.of("--conf", conf.toString(), "--demo"))) {
      server.awaitReady(ServerProcess.START_DEADLINE);
      InetSocketAddress dns = server.dns();
      for (String transport : new String[] {"+notcp", "+tcp"}) {
        for (String cookie : new String[] {"+cookie", "+nocookie"}) {
          String blocked = Dig.run(dns, transport, cookie, NAME, "AAAA");
          assertTrue(header(blocked).contains("status: REFUSED"), transport + " " + cookie + "\n" + blocked);

          String allowed = Dig.run(dns, transport, cookie, "+noall", "+answer", NAME, "A");
          assertEquals(List.of(NAME + ". 30 IN A 10.96.0.1"), Dig.lines(allowed), transport + " " + cookie);

          String filtered = Dig.run(dns, transport, cookie, NAME, "MX");
          assertTrue(header(filtered).contains("status: NOERROR"), filtered);
          assertTrue(flags(filtered).contains("ANSWER: 0, AUTHORITY: 0"), "filter: no records at all\n" + filtered);

          // 127.0.0.2 is allowed before the /8 block: the cluster's own NODATA (authoritative, SOA in authority).
          String fromAllowed = Dig.run(dns, transport, cookie, "-b", "127.0.0.2", NAME, "AAAA");
          assertTrue(header(fromAllowed).contains("status: NOERROR"), fromAllowed);
          assertTrue(flags(fromAllowed).contains(" aa") && flags(fromAllowed).contains("AUTHORITY: 1"), fromAllowed);

          String dropped = Dig.run(dns, transport, cookie, "+time=1", "+tries=1", "+retry=0", NAME, "TXT");
          assertFalse(dropped.contains("status:"), "drop: no reply\n" + dropped);
          String otherSource = Dig.run(dns, transport, cookie, "-b", "127.0.0.3", NAME, "TXT");
          assertTrue(header(otherSource).contains("status: NOERROR"), "drop only names 127.0.0.1\n" + otherSource);
        }
      }
      String metrics = server.metrics();
      assertTrue(metrics.contains("coredns_acl_blocked_requests_total{server=\"dns://:53\",view=\"\",zone=\".\"} 4.0")
          || metrics.contains("coredns_acl_blocked_requests_total{server=\"dns://:53\",zone=\".\",view=\"\"} 4.0"),
          metrics);
      assertTrue(metrics.contains("coredns_acl_filtered_requests_total{"), metrics);
      assertTrue(metrics.contains("coredns_acl_dropped_requests_total{"), metrics);
      assertTrue(metrics.contains("coredns_acl_allowed_requests_total{server=\"dns://:53\",view=\"\"}"), metrics);
    }
  }
}
