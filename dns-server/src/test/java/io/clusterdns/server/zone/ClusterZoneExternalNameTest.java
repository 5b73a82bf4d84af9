package io.clusterdns.server.zone;

import static io.clusterdns.server.zone.ZoneCase.ask;

import io.clusterdns.config.PodsMode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** ExternalName services: CNAME, chains, loops, in-zone and upstream targets (behaviours.md 6.1-6.4, 12.5). */
class ClusterZoneExternalNameTest {
  private static final String S = ".ns1.svc.cluster.local.";
  private static final String C = " 30 IN CNAME ";

  @TestFactory
  Stream<DynamicTest> externalNames() {
    List<String> longChain = new ArrayList<>();
    for (int i = 1; i <= 10; i++) {
      longChain.add("c" + i + S + C + (i < 10 ? "c" + (i + 1) + S : "web" + S));
    }
    longChain.add("web" + S + " 30 IN A 10.96.1.1");
    return ZoneFixture.table(ZoneFixture.zone(PodsMode.INSECURE)).run(List.of(
        ask("ext" + S, "A").external("foo.example.com.", "ext" + S + C + "foo.example.com.")
            .row("6.1 CNAME, 6.2 out-of-zone target resolved upstream"),
        ask("ext" + S, "AAAA").external("foo.example.com.", "ext" + S + C + "foo.example.com.").row("6.2 AAAA"),
        ask("ext" + S, "TXT").external("foo.example.com.", "ext" + S + C + "foo.example.com.").row("6.2 TXT"),
        ask("ext-dot" + S, "A").external("bar.example.com.", "ext-dot" + S + C + "bar.example.com.")
            .row("6.1 target already absolute"),
        ask("ext" + S, "CNAME").found("ext" + S + C + "foo.example.com.").row("6.1 CNAME question: just the CNAME"),
        ask("ext" + S, "SRV").nodata().row("6.3 SRV on an ExternalName is NODATA"),
        ask("ext" + S, "MX").nodata().row("9.1 other types NODATA"),
        ask("_http._tcp.ext" + S, "SRV").nxdomain().row("6.3 _port._proto below ExternalName"),
        ask("x.ext" + S, "A").nxdomain().row("6.3 names below ExternalName"),
        ask("ext-ip" + S, "A").nxdomain().row("6.3 IP-literal externalName gives no record (CoreDNS)"),
        ask("ext-in" + S, "A").found("ext-in" + S + C + "web" + S, "web" + S + " 30 IN A 10.96.1.1")
            .row("6.2 in-zone target resolved locally, CNAME first"),
        ask("ext-in" + S, "AAAA").found("ext-in" + S + C + "web" + S, "web" + S + " 30 IN AAAA fd00::1")
            .row("6.2 in-zone AAAA"),
        ask("ext-in" + S, "CNAME").found("ext-in" + S + C + "web" + S).row("6.1 CNAME question, in-zone target"),
        ask("ext-chain" + S, "A").external("foo.example.com.", "ext-chain" + S + C + "ext" + S,
            "ext" + S + C + "foo.example.com.").row("6.2 chain through the zone, then upstream"),
        ask("ext-version" + S, "TXT").found("ext-version" + S + C + "dns-version.cluster.local.",
            "dns-version.cluster.local. 28800 IN TXT \"1.1.0\"").row("6.2 TXT follows the CNAME"),
        ask("ext-self" + S, "A").nodata().row("6.4 CNAME to itself is not emitted"),
        ask("ext-loop-a" + S, "A").nodata().row("6.4 loop of two is not emitted"),
        ask("ext-missing" + S, "A").nodata().row("12.5 in-zone target without records: NODATA"),
        ask("c1" + S, "A").found(longChain.toArray(new String[0])).row("6.4 a chain of 10 is followed"),
        ask("c0" + S, "A").nodata().row("6.4 a chain of 11 is cut"),
        ask("EXT.Ns1.svc.Cluster.Local.", "A").external("foo.example.com.",
            "EXT.Ns1.svc.Cluster.Local." + C + "foo.example.com.").row("10.6 owner as asked")));
  }
}
