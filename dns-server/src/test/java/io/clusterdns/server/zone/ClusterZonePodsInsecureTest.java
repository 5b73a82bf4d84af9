package io.clusterdns.server.zone;

import static io.clusterdns.server.zone.ZoneCase.ask;

import io.clusterdns.config.PodsMode;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The cluster zone with kubeadm's {@code pods insecure}: the name grammar, services of every kind, SRV,
 * negative answers, and pod records (behaviours.md 1-5, 8, 9, 12). Expectations are the spec's text.
 */
class ClusterZonePodsInsecureTest {
  private static final String Z = ".cluster.local.";
  private static final String T = " 30 IN ";

  static List<ZoneCase> grammarCases() {
    return List.of(
        ask("cluster.local.", "A").nodata().row("1.2 apex, 9.1"),
        ask("cluster.local.", "TXT").nodata().row("12.2 TXT at the apex"),
        ask("svc.cluster.local.", "A").nodata().row("1.2 svc, 9.1 interior name"),
        ask("svc.cluster.local.", "TXT").nodata().row("12.2 TXT on svc"),
        ask("pod.cluster.local.", "A").nodata().row("1.2 pod, 9.1 interior name"),
        ask("ns1.svc.cluster.local.", "TXT").nodata().row("12.2 TXT on <ns>.svc"),
        ask("empty.svc.cluster.local.", "A").nodata().row("1.5 namespace without services is NODATA"),
        ask("nope.svc.cluster.local.", "A").nxdomain().row("1.5 unknown namespace is NXDOMAIN"),
        ask("ghost.svc.cluster.local.", "A").nxdomain().row("1.5 services alone do not make a namespace"),
        ask("orphan.ghost.svc.cluster.local.", "A").nxdomain().row("1.5 service in a namespace without object"),
        ask("foo.cluster.local.", "A").nxdomain().row("1.2 first label other than svc/pod"),
        ask("nope.ns1.svc.cluster.local.", "A").nxdomain().row("9.2 unknown service"),
        ask("a.b._http._tcp.web.ns1.svc.cluster.local.", "SRV").nxdomain().row("1.2 too many labels"),
        ask("x._http._tcp.web.ns1.svc.cluster.local.", "A").nxdomain().row("1.2 too many labels"),
        ask("x.10-244-5-5.ns1.pod.cluster.local.", "A").nxdomain().row("1.2 too many labels under pod"),
        ask("x.dns-version.cluster.local.", "TXT").nxdomain().row("1.2 nothing below dns-version"),
        ask("*.ns1.svc.cluster.local.", "A").nxdomain().row("1.6 '*' is no wildcard"),
        ask("*.svc.cluster.local.", "A").nxdomain().row("1.6 '*' as namespace"),
        ask("*.hl.ns1.svc.cluster.local.", "A").nxdomain().row("1.6 '*' as endpoint"),
        ask("_*._tcp.web.ns1.svc.cluster.local.", "SRV").nxdomain().row("1.6 '*' as port"),
        ask("_._tcp.web.ns1.svc.cluster.local.", "SRV").nxdomain().row("1.6 empty port label is no wildcard"),
        ask("google.com.ns1.svc.cluster.local.", "A").nxdomain().row("1.7 search expansion is a local NXDOMAIN"),
        ask("kubernetes.default.ns1.svc.cluster.local.", "A").nxdomain().row("1.7 search expansion"),
        ask("dns-version.cluster.local.", "TXT").found("dns-version.cluster.local. 28800 IN TXT \"1.1.0\"")
            .row("2.1 schema version, TTL 28800"),
        ask("dns-version.cluster.local.", "A").nodata().row("12.1 dns-version A is NODATA"),
        ask("dns-version.cluster.local.", "AAAA").nodata().row("12.1 dns-version AAAA is NODATA"),
        ask("cluster.local.", "SOA").found(
                "cluster.local. 30 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 1700000000 7200 1800 86400 30")
            .row("9.3 SOA at the apex"),
        ask("nope.ns1.svc.cluster.local.", "SOA").nxdomain().row("12.3 SOA on a missing name"),
        ask("kubernetes.default.svc.cluster.local.", "SOA").nodata().row("12.3 SOA on an existing name"),
        ask("kubernetes.default.svc.cluster.local.", "NS").nodata().row("9.4 NS below the apex"),
        ask("kubernetes.default.svc.cluster.local.", "AXFR").refused().row("10.5 AXFR"),
        ask("cluster.local.", "AXFR").refused().row("10.5 AXFR"),
        ask("cluster.local.", "IXFR").refused().row("10.5 IXFR"));
  }

  static List<ZoneCase> serviceCases() {
    String kube = "kubernetes.default.svc.cluster.local.";
    String web = "web.ns1.svc.cluster.local.";
    String dns = "kube-dns.kube-system.svc.cluster.local.";
    String hl = "hl.ns1.svc" + Z;
    return List.of(
        ask(kube, "A").found(kube + T + "A 10.96.0.1").row("3.1"),
        ask(web, "A").found(web + T + "A 10.96.1.1").row("3.1 dual stack A"),
        ask(web, "AAAA").found(web + T + "AAAA fd00::1").row("3.1 dual stack AAAA"),
        ask("v6only.ns1.svc.cluster.local.", "AAAA").found("v6only.ns1.svc.cluster.local." + T + "AAAA fd00::5")
            .row("3.1 IPv6-only"),
        ask("v6only.ns1.svc.cluster.local.", "A").nodata().row("9.1 A on an IPv6-only service"),
        ask(kube, "AAAA").nodata().row("9.1, 15.1 AAAA on an IPv4 service is NODATA"),
        ask(kube, "TXT").nodata().row("9.1 TXT"),
        ask(kube, "MX").nodata().row("9.1 MX"),
        ask(kube, "CNAME").nodata().row("9.1 CNAME"),
        ask(kube, "PTR").nodata().row("9.1 PTR"),
        ask(kube, "HTTPS").nodata().row("9.1 HTTPS"),
        ask(kube, "SVCB").nodata().row("9.1 SVCB"),
        ask(kube, "HINFO").nodata().row("9.1 HINFO"),
        ask(kube, "CAA").nodata().row("9.1 CAA"),
        ask(kube, "DS").nodata().row("9.1 DS"),
        ask(kube, "ANY").nodata().row("9.1, 12.7 ANY"),
        ask("lonely.ns1.svc.cluster.local.", "A").found("lonely.ns1.svc.cluster.local." + T + "A 10.96.1.2")
            .row("3.2 ClusterIP without endpoints still resolves"),
        ask("_https._tcp." + kube, "SRV").found("_https._tcp." + kube + T + "SRV 0 100 443 " + kube)
            .extra(kube + T + "A 10.96.0.1").row("3.3, 3.4"),
        ask("_http._tcp." + web, "SRV").found("_http._tcp." + web + T + "SRV 0 50 80 " + web)
            .extra(web + T + "A 10.96.1.1", web + T + "AAAA fd00::1")
            .row("3.3 Service port not targetPort, 3.4 both families, 3.5 dual stack weight 50"),
        ask("http.tcp." + web, "SRV").found("http.tcp." + web + T + "SRV 0 50 80 " + web)
            .extra(web + T + "A 10.96.1.1", web + T + "AAAA fd00::1").row("1.3 underscores optional"),
        ask("_http._udp." + web, "SRV").nxdomain().row("3.3 protocol mismatch"),
        ask("_nope._tcp." + web, "SRV").nxdomain().row("3.3 unknown port"),
        ask("_dns._udp." + dns, "SRV").found("_dns._udp." + dns + T + "SRV 0 100 53 " + dns)
            .extra(dns + T + "A 10.96.0.10").row("3.3 UDP port"),
        ask(dns, "SRV").found(dns + T + "SRV 0 33 53 " + dns, dns + T + "SRV 0 33 9153 " + dns)
            .extra(dns + T + "A 10.96.0.10").row("3.5 weight floor(100/3), same target+port collapse; 3.6"),
        ask(web, "SRV").found(web + T + "SRV 0 25 80 " + web, web + T + "SRV 0 25 81 " + web)
            .extra(web + T + "A 10.96.1.1", web + T + "AAAA fd00::1")
            .row("3.6 bare SRV lists every port incl. unnamed; 3.5 N = ports x addresses"),
        ask("_tcp." + web, "A").nodata().row("9.1 _tcp.<svc> is an interior name (RFC 8020)"),
        ask("_udp." + web, "A").nxdomain().row("9.2 no UDP port, so no _udp.<svc>"),
        ask("10-244-1-1." + web, "A").found("10-244-1-1." + web + T + "A 10.244.1.1")
            .row("3.7 endpoint of a ClusterIP service"),
        ask("10-244-1-1." + web, "AAAA").nodata().row("3.7, 9.1"),
        ask("10-244-1-2." + web, "A").nxdomain().row("5.2 not-ready endpoint has no name"),
        ask(hl, "A").found(hl + T + "A 10.244.2.1", hl + T + "A 10.244.2.2", hl + T + "A 10.244.2.4")
            .row("4.1 ready endpoints of all slices, duplicates removed; 5.2"),
        ask(hl, "AAAA").found(hl + T + "AAAA fd00::2:1", hl + T + "AAAA 2001:db8::").row("4.1 IPv6 slice"),
        ask(hl, "TXT").nodata().row("9.1 TXT on a headless service"),
        ask("hl-unready.ns1.svc.cluster.local.", "A").nxdomain().row("4.2 no ready endpoint"),
        ask("hl-unready.ns1.svc.cluster.local.", "AAAA").nxdomain().row("4.2 every type"),
        ask("hl-unready.ns1.svc.cluster.local.", "SRV").nxdomain().row("4.2 every type"),
        ask("hl-unready.ns1.svc.cluster.local.", "TXT").nxdomain().row("4.2 every type"),
        ask("_http._tcp.hl-unready.ns1.svc.cluster.local.", "SRV").nxdomain().row("4.2"),
        ask("hl-noslice.ns1.svc.cluster.local.", "A").nxdomain().row("4.2 no EndpointSlice at all"),
        ask("10-244-2-2." + hl, "A").found("10-244-2-2." + hl + T + "A 10.244.2.2").row("4.3 dashed IPv4"),
        ask("2001-db8--0." + hl, "AAAA").found("2001-db8--0." + hl + T + "AAAA 2001:db8::")
            .row("4.3 IPv6 dashing with trailing 0"),
        ask("db-0." + hl, "A").found("db-0." + hl + T + "A 10.244.2.1", "db-0." + hl + T + "A 10.244.2.4")
            .row("4.4 shared hostname"),
        ask("DB-0." + hl, "AAAA").found("DB-0." + hl + T + "AAAA fd00::2:1")
            .row("4.4 hostname across families; 1.4 case-insensitive"),
        ask("10-244-2-1." + hl, "A").nxdomain().row("4.4 an endpoint with a hostname has no dashed name"),
        ask("10-244-2-3." + hl, "A").nxdomain().row("5.2 not-ready endpoint"),
        ask("db-0." + hl, "TXT").nodata().row("9.1 on an endpoint name"),
        ask("_http._tcp." + hl, "SRV")
            .found("_http._tcp." + hl + T + "SRV 0 16 8080 db-0." + hl,
                "_http._tcp." + hl + T + "SRV 0 16 8080 10-244-2-2." + hl,
                "_http._tcp." + hl + T + "SRV 0 16 8080 2001-db8--0." + hl)
            .extra("db-0." + hl + T + "A 10.244.2.1", "db-0." + hl + T + "A 10.244.2.4",
                "db-0." + hl + T + "AAAA fd00::2:1", "10-244-2-2." + hl + T + "A 10.244.2.2",
                "2001-db8--0." + hl + T + "AAAA 2001:db8::")
            .row("4.5 endpoint names x slice port 8080, weight floor(100/6): 10.244.2.2 is listed by two slices and counts twice (3.5), additional addresses"),
        ask(hl, "SRV")
            .found(hl + T + "SRV 0 16 8080 db-0." + hl, hl + T + "SRV 0 16 8080 10-244-2-2." + hl,
                hl + T + "SRV 0 16 8080 2001-db8--0." + hl)
            .extra("db-0." + hl + T + "A 10.244.2.1", "db-0." + hl + T + "A 10.244.2.4",
                "db-0." + hl + T + "AAAA fd00::2:1", "10-244-2-2." + hl + T + "A 10.244.2.2",
                "2001-db8--0." + hl + T + "AAAA 2001:db8::")
            .row("4.7 bare SRV on a headless service"),
        ask("db-0." + hl, "SRV").found("db-0." + hl + T + "SRV 0 33 8080 db-0." + hl)
            .extra("db-0." + hl + T + "A 10.244.2.1", "db-0." + hl + T + "A 10.244.2.4",
                "db-0." + hl + T + "AAAA fd00::2:1")
            .row("4.7 SRV on an endpoint name"),
        ask("_http._udp." + hl, "SRV").nxdomain().row("4.5 protocol mismatch"),
        ask("hl-noports.ns1.svc.cluster.local.", "A")
            .found("hl-noports.ns1.svc.cluster.local." + T + "A 10.244.3.1").row("4.6 A works"),
        ask("hl-noports.ns1.svc.cluster.local.", "SRV").nodata().row("4.6 bare SRV NODATA"),
        ask("_http._tcp.hl-noports.ns1.svc.cluster.local.", "SRV").nxdomain().row("4.6 port SRV NXDOMAIN"));
  }

  static List<ZoneCase> podCases() {
    String pod = ".ns1.pod.cluster.local.";
    return List.of(
        ask("ns1.pod.cluster.local.", "A").nodata().row("8.3 <ns>.pod is NODATA"),
        ask("nope.pod.cluster.local.", "A").nxdomain().row("8.3 namespace must exist"),
        ask("10-244-5-5" + pod, "A").found("10-244-5-5" + pod + T + "A 10.244.5.5").row("8.1 pod A"),
        ask("10-244-9-9" + pod, "A").found("10-244-9-9" + pod + T + "A 10.244.9.9")
            .row("8.3 insecure answers without looking at pods"),
        ask("10-244-5-6" + pod, "A").found("10-244-5-6" + pod + T + "A 10.244.5.6")
            .row("8.3 insecure ignores pod state"),
        ask("fd00--5-5" + pod, "AAAA").found("fd00--5-5" + pod + T + "AAAA fd00::5:5").row("8.1 IPv6 pod"),
        ask("1--2-3" + pod, "AAAA").found("1--2-3" + pod + T + "AAAA 1::2:3")
            .row("8.2 three dashes but '--' is IPv6"),
        ask("10-244-5-5" + pod, "AAAA").nodata().row("9.1 AAAA on an IPv4 pod name"),
        ask("10-244-5-5" + pod, "TXT").nodata().row("9.1"),
        ask("10-244-5-5.nope.pod.cluster.local.", "A").nxdomain().row("8.3 namespace must exist"),
        ask("not-an-ip" + pod, "A").nxdomain().row("8.2 not an address"),
        ask("10-244-5" + pod, "A").nxdomain().row("8.2 two dashes: not IPv4, not IPv6"),
        ask("1-2-3-4-5" + pod, "A").nxdomain().row("8.2 four dashes: invalid IPv6"),
        ask("10-244-5-256" + pod, "A").nxdomain().row("8.2 octet out of range"),
        ask("010-244-5-5" + pod, "A").nxdomain().row("8.2 leading zero does not parse (Go ParseIP)"));
  }

  /** 3.5: weight floor(100/150) = 0 becomes 1; every endpoint has its SRV and its address. */
  static List<ZoneCase> bigServiceCases() {
    String big = "big.ns1.svc" + Z;
    String[] srv = new String[ZoneFixture.BIG];
    String[] extra = new String[ZoneFixture.BIG];
    for (int i = 0; i < ZoneFixture.BIG; i++) {
      String name = "10-245-" + (i / 100) + "-" + (i % 100) + "." + big;
      srv[i] = "_http._tcp." + big + T + "SRV 0 1 8080 " + name;
      extra[i] = name + T + "A 10.245." + (i / 100) + "." + (i % 100);
    }
    return List.of(ask("_http._tcp." + big, "SRV").found(srv).extra(extra).row("3.5 minimum weight 1"));
  }

  @TestFactory
  Stream<DynamicTest> bigService() {
    return ZoneFixture.table(ZoneFixture.zone(PodsMode.INSECURE)).run(bigServiceCases());
  }

  @TestFactory
  Stream<DynamicTest> grammar() {
    return ZoneFixture.table(ZoneFixture.zone(PodsMode.INSECURE)).run(grammarCases());
  }

  @TestFactory
  Stream<DynamicTest> services() {
    return ZoneFixture.table(ZoneFixture.zone(PodsMode.INSECURE)).run(serviceCases());
  }

  @TestFactory
  Stream<DynamicTest> pods() {
    return ZoneFixture.table(ZoneFixture.zone(PodsMode.INSECURE)).run(podCases());
  }
}
