package io.clusterdns.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
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
 * {@code errors} and {@code log} as an operator reads them (issue 18): every line in the process's one format
 * ({@code TIME [LEVEL] ...}, UTC), query lines in CoreDNS's common log format and only for the rule's names and
 * classes, an error line per failed query, and the same records as JSON with {@code --log-format json}.
 */
class QueryLogIT {
  /** Bound for a line to show up after its query was answered. */
  private static final Duration LINE_DEADLINE = Duration.ofSeconds(20);

  private static final String TIME = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z";

  private static final String COREFILE = """
      .:53 {
          errors
          log cluster.local {
              class denial
          }
          log example.org
          ready
          kubernetes cluster.local in-addr.arpa ip6.arpa {
              pods insecure
              fallthrough in-addr.arpa ip6.arpa
          }
          prometheus :9153
          forward . 127.0.0.1:1
      }
      """;

  private static int query(ServerProcess server, String name, boolean tcp) throws IOException {
    SimpleResolver r = new SimpleResolver(server.dns());
    r.setTCP(tcp);
    r.setTimeout(Duration.ofSeconds(15));
    Message q = Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN));
    return r.send(q).getRcode();
  }

  private static void awaitLine(ServerProcess server, Pattern p) throws InterruptedException {
    long end = System.nanoTime() + LINE_DEADLINE.toNanos();
    while (server.output().lines().noneMatch(l -> p.matcher(l).matches())) {
      if (System.nanoTime() > end) {
        throw new AssertionError("no line matching " + p + " within " + LINE_DEADLINE.toSeconds() + " s:\n"
            + server.output());
      }
      Thread.sleep(50);
    }
  }

  @Test
  void queryAndErrorLinesFollowTheRulesInOneFormat(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("Corefile");
    Files.writeString(conf, COREFILE);
    try (ServerProcess server = ServerProcess.start(List.of("-Xmx128m"), Map.of(),
        p -> List.of("--conf", conf.toString(), "--demo"))) {
      server.awaitReady(ServerProcess.START_DEADLINE);
      assertEquals(Rcode.NOERROR, query(server, "kubernetes.default.svc.cluster.local.", false));
      assertEquals(Rcode.NXDOMAIN, query(server, "nope.default.svc.cluster.local.", true));
      assertEquals(Rcode.SERVFAIL, query(server, "www.example.org.", false));
      assertEquals(Rcode.SERVFAIL, query(server, "other.test.", false));

      awaitLine(server, Pattern.compile(TIME + " \\[INFO\\] 127\\.0\\.0\\.1:\\d+ - \\d+ \"A IN "
          + "nope\\.default\\.svc\\.cluster\\.local\\. tcp \\d+ false \\d+\" NXDOMAIN qr,aa,rd \\d+ [0-9.]+s"));
      awaitLine(server, Pattern.compile(TIME + " \\[INFO\\] 127\\.0\\.0\\.1:\\d+ - \\d+ \"A IN www\\.example\\.org\\. "
          + "udp \\d+ false \\d+\" SERVFAIL qr,rd \\d+ [0-9.]+s"));
      awaitLine(server, Pattern.compile(TIME + " \\[ERROR\\] plugin/errors: 2 www\\.example\\.org\\. A: .+"));
      awaitLine(server, Pattern.compile(TIME + " \\[ERROR\\] plugin/errors: 2 other\\.test\\. A: .+"));
      String out = server.output();
      assertTrue(out.lines().noneMatch(l -> l.contains("\"A IN kubernetes.default.svc.cluster.local.")),
          "class denial: the NOERROR answer is not logged\n" + out);
      assertTrue(out.lines().noneMatch(l -> l.contains("\"A IN other.test.")),
          "no rule names other.test\n" + out);
      assertTrue(out.lines().filter(l -> l.contains("listening on")).allMatch(l -> l.matches(TIME + " \\[INFO\\] .*")),
          "the start-up line is in the same format\n" + out);
    }
  }

  @Test
  void jsonFormatPrintsOneObjectPerLine(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("Corefile");
    Files.writeString(conf, COREFILE);
    try (ServerProcess server = ServerProcess.start(List.of("-Xmx128m"), Map.of(),
        p -> List.of("--conf", conf.toString(), "--demo", "--log-format", "json"))) {
      server.awaitReady(ServerProcess.START_DEADLINE);
      assertEquals(Rcode.SERVFAIL, query(server, "www.example.org.", false));
      awaitLine(server, Pattern.compile("\\{\"time\":\"" + TIME + "\",\"level\":\"ERROR\",\"logger\":\"plugin/errors\","
          + "\"msg\":\"2 www\\.example\\.org\\. A: .+\"}"));
      awaitLine(server, Pattern.compile("\\{\"time\":\"" + TIME + "\",\"level\":\"INFO\",\"msg\":\"clusterdns .*"
          + "listening on .*\"}"));
    }
  }
}
