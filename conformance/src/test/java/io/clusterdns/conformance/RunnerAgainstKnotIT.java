package io.clusterdns.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Mode 1 end to end against a stand-in peer: a real Knot serving a hand-written cluster.local zone with a
 * few fixture names. Proves that real dig output is parsed and judged: cases the peer answers as the
 * spec says pass, and a case where the peer's data differ (the not-ready endpoint is served) fails with
 * the offending record named.
 */
class RunnerAgainstKnotIT {

  /** A correct rendering of a few fixture names (TTL 30, SOA as behaviours.md 9.3). */
  private static final String ZONE = "$TTL 30\n@ 30 SOA ns.dns.cluster.local. hostmaster.cluster.local. 1 7200 1800 86400 30\n"
      + "@ NS ns.dns.cluster.local.\n"
      + "ns.dns A 127.0.0.1\n"
      + "dns-version 28800 TXT \"1.1.0\"\n"
      + "web.conf-a.svc A 10.96.10.1\n"
      + "_http._tcp.web.conf-a.svc SRV 0 100 80 web.conf-a.svc.cluster.local.\n"
      + IntStream.rangeClosed(1, 40).mapToObj(i -> "big.conf-a.svc A 10.244.6." + i + "\n").collect(Collectors.joining())
      // Wrong on purpose: 10.244.2.12 is not ready in the fixture (behaviours.md 5.2).
      + "hl.conf-a.svc A 10.244.2.10\nhl.conf-a.svc A 10.244.2.11\nhl.conf-a.svc A 10.244.2.12\n"
      + "hl.conf-a.svc A 10.244.2.13\nhl.conf-a.svc A 10.244.2.20\nhl.conf-a.svc A 10.244.2.21\n";

  private static final List<String> PASSING = List.of("svc-a", "svc-a-tcp", "svc-aaaa-v4only", "unknown-svc",
      "dns-version", "dns-version-tcp", "apex-soa", "srv-http", "ns-svc-a", "tcp-big-a", "tc-retry-tcp-gets-all",
      "edns1232-big-a-compressed", "edns4096-big-a", "noedns-no-opt", "no-tc-small-noedns", "edns-do",
      "badvers", "case-0x20-a", "case-svc-upper", "case-0x20-nxdomain", "rd-copied", "aa-on-cluster",
      "svc-nodata-txt", "svc-nodata-mx");

  @Test
  void casesAnsweredAsSpecifiedPassAndWrongDataFails(@TempDir Path dir) throws Exception {
    Dig dig = new Dig(RequiredTool.dig().toString());
    try (KnotUpstream peer = KnotUpstream.start(RequiredTool.knotd().toString(), 0, dir, dig, List.<String[]>of(new String[] {"cluster.local", ZONE}))) {
      ConformanceCommand cmd = new ConformanceCommand();
      new CommandLine(cmd).parseArgs("--server", peer.address().toString(), "--cases", "cases.tsv",
          "--tags", String.join(",", PASSING) + ",hl-a", "--work-dir", dir.toString());
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      List<CaseResult> results = cmd.execute(new PrintStream(buf, true, StandardCharsets.UTF_8));
      Map<String, CaseResult> byId = results.stream().collect(Collectors.toMap(r -> r.testCase().id(), r -> r));
      assertEquals(PASSING.size() + 1, results.size());
      for (String id : PASSING) {
        assertTrue(byId.get(id).passed(), () -> Report.failureLine(byId.get(id)));
      }
      CaseResult hl = byId.get("hl-a");
      assertTrue(hl.failed());
      assertEquals(1, hl.problems().size(), hl.problems().toString());
      assertTrue(hl.problems().get(0).contains("unexpected [hl.conf-a.svc.cluster.local. 30 IN A 10.244.2.12]"),
          hl.problems().get(0));

      Path xml = dir.resolve("junit.xml");
      Report.writeJunitXml(results, xml, 1.0);
      String text = Files.readString(xml);
      assertTrue(text.contains("tests=\"" + results.size() + "\" failures=\"1\""), text.substring(0, 200));
    }
  }
}
