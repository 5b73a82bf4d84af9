package io.clusterdns.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * {@code rewrite} cases shaped like CoreDNS's README examples, against the built jar serving the demo cluster: the
 * client always gets its own question back; with {@code answer auto} or {@code answer name} the answer's owner
 * names are its own too; without them the rewritten names show, as in CoreDNS. Regex rules are Go's (RE2) syntax
 * and run in linear time on any name a client sends.
 */
class RewriteIT {
  private static final String COREFILE = """
      .:53 {
          ready
          rewrite name regex ^(a+)+b\\. {1}.example.org
          rewrite name regex ^(?P<svc>[a-z]+)-web\\.example\\.org\\.$ {1}.default.svc.cluster.local
          rewrite name regex ^([a-z]+)\\.long\\.default\\.svc\\.cluster\\.local\\.$ {1}.{1}.{1}.{1}.{1}.default.svc.cluster.local
          rewrite name api.example.com kubernetes.default.svc.cluster.local answer auto
          rewrite name plain.example.com kubernetes.default.svc.cluster.local
          rewrite name suffix .svc.corp.example .svc.cluster.local answer auto
          rewrite stop {
              name regex (.*)-(default)\\.example\\.org {1}.{2}.svc.cluster.local
              answer name (.*)\\.(default)\\.svc\\.cluster\\.local {1}-{2}.example.org
          }
          kubernetes cluster.local in-addr.arpa ip6.arpa {
              pods insecure
              ttl 30
          }
          forward . 127.0.0.1:1
      }
      """;

  /** One query to a started server over UDP or TCP (RoutingIT too). */
  static Message query(ServerProcess server, String name, int type, boolean tcp) throws IOException {
    SimpleResolver r = new SimpleResolver(server.dns());
    r.setTCP(tcp);
    r.setTimeout(Duration.ofSeconds(15));
    return r.send(Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)));
  }

  /** The answer section as "owner TYPE rdata" lines. */
  static List<String> answers(Message m) {
    List<String> out = new ArrayList<>();
    for (Record r : m.getSection(Section.ANSWER)) {
      out.add(r.getName() + " " + Type.string(r.getType()) + " " + r.rdataToString());
    }
    return out;
  }

  @Test
  void rewrittenQuestionsAreAnsweredUnderTheClientsName(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("Corefile");
    Files.writeString(conf, COREFILE);
    try (ServerProcess server = ServerProcess.start(List.of("-Xmx128m"), Map.of(),
        p -> List.of("--conf", conf.toString(), "--demo"))) {
      server.awaitReady(ServerProcess.START_DEADLINE);
      for (boolean tcp : new boolean[] {false, true}) {
        Message exact = query(server, "api.example.com.", Type.A, tcp);
        assertEquals(Rcode.NOERROR, exact.getRcode());
        assertEquals("api.example.com.", exact.getQuestion().getName().toString());
        assertEquals(List.of("api.example.com. A 10.96.0.1"), answers(exact), "answer auto");

        Message plain = query(server, "plain.example.com.", Type.A, tcp);
        assertEquals("plain.example.com.", plain.getQuestion().getName().toString(), "the question is the client's");
        assertEquals(List.of("kubernetes.default.svc.cluster.local. A 10.96.0.1"), answers(plain),
            "without an answer rule the rewritten owner shows, as in CoreDNS");

        assertEquals(List.of("kubernetes.default.svc.corp.example. A 10.96.0.1"),
            answers(query(server, "kubernetes.default.svc.corp.example.", Type.A, tcp)), "suffix, answer auto");

        Message regex = query(server, "kubernetes-default.example.org.", Type.A, tcp);
        assertEquals(List.of("kubernetes-default.example.org. A 10.96.0.1"), answers(regex), "regex, answer name");

        Message missing = query(server, "nope-default.example.org.", Type.A, tcp);
        assertEquals(Rcode.NXDOMAIN, missing.getRcode(), "the rewritten name does not exist in the cluster");
        assertEquals("nope-default.example.org.", missing.getQuestion().getName().toString());

        assertEquals(List.of("kubernetes.default.svc.cluster.local. A 10.96.0.1"),
            answers(query(server, "kubernetes-web.example.org.", Type.A, tcp)),
            "a Go (RE2) named group, as a Corefile written for CoreDNS has it");

        Message tooLong = query(server, "a".repeat(60) + ".long.default.svc.cluster.local.", Type.A, tcp);
        assertEquals(Rcode.SERVFAIL, tooLong.getRcode(), "a rule that makes a name over 255 octets: SERVFAIL, "
            + "not the NXDOMAIN of the name asked");

        // (a+)+b on a run of a's with no b backtracks 2^n times in a backtracking engine: with n = 60 the
        // event loop would never answer again. RE2 fails it in linear time and the name goes on unchanged.
        Message storm = query(server, "a".repeat(60) + ".default.svc.cluster.local.", Type.A, tcp);
        assertEquals(Rcode.NXDOMAIN, storm.getRcode(), "a pathological name is answered, not stuck in the pattern");
        assertEquals(List.of("api.example.com. A 10.96.0.1"), answers(query(server, "api.example.com.", Type.A, tcp)),
            "and the server still answers");
      }
      assertTrue(server.metrics().contains("\nclusterdns_dns_internal_errors_total 0.0\n"),
          "a Corefile rule's bad result is not an internal error");
    }
  }
}
