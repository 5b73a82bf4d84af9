package io.clusterdns.server.zone;

import static io.clusterdns.server.zone.ZoneCase.ask;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clusterdns.config.KubernetesConfig;
import io.clusterdns.config.PodsMode;
import io.clusterdns.index.SnapshotPublisher;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.xbill.DNS.Name;

/** Zones, NS, SOA and TTL (behaviours.md 1.1, 9.3, 9.4, 9.5). */
class ClusterZoneApexTest {

  @TestFactory
  Stream<DynamicTest> nsNamesTheServiceWhoseEndpointIsThisServer() {
    String dns = "kube-dns.kube-system.svc.cluster.local.";
    return ZoneFixture.table(ZoneFixture.zone(PodsMode.INSECURE)).run(List.of(
        ask("cluster.local.", "NS").found("cluster.local. 30 IN NS " + dns).extra(dns + " 30 IN A 10.96.0.10")
            .row("9.4 own pod IP is a kube-dns endpoint: NS kube-dns, glue its ClusterIP"),
        ask("in-addr.arpa.", "NS").found("in-addr.arpa. 30 IN NS " + dns).extra(dns + " 30 IN A 10.96.0.10")
            .row("9.4 reverse apex NS"),
        ask("ns.dns.cluster.local.", "A").found("ns.dns.cluster.local. 30 IN A 10.244.0.10")
            .row("9.4 ns.dns = own addresses, loopback left out"),
        ask("ns.dns.cluster.local.", "AAAA").nodata().row("9.4, 9.1 no own IPv6 address"),
        ask("dns.cluster.local.", "A").nodata().row("1.2 dns is the interior name above ns.dns"),
        ask("x.ns.dns.cluster.local.", "A").nxdomain().row("1.2 nothing below ns.dns"),
        ask("foo.dns.cluster.local.", "A").nxdomain().row("1.2 only ns.dns")));
  }

  @TestFactory
  Stream<DynamicTest> nsFallsBackToNsDnsWithOwnAddresses() {
    ClusterZone zone = new ClusterZone(KubernetesConfig.kubeadm("cluster.local", PodsMode.INSECURE, 30),
        SnapshotPublisher.ofSynced(ZoneFixture.snapshot()),
        ZoneFixture.addresses("192.0.2.53", "2001:db8::53", "127.0.0.1", "::1", "0.0.0.0"));
    String ns = "ns.dns.cluster.local.";
    return ZoneFixture.table(zone).run(List.of(
        ask("cluster.local.", "NS").found("cluster.local. 30 IN NS " + ns)
            .extra(ns + " 30 IN A 192.0.2.53", ns + " 30 IN AAAA 2001:db8::53")
            .row("9.4 not an endpoint: ns.dns with non-loopback own addresses as glue"),
        ask(ns, "A").found(ns + " 30 IN A 192.0.2.53").row("9.4 ns.dns A"),
        ask(ns, "AAAA").found(ns + " 30 IN AAAA 2001:db8::53").row("9.4 ns.dns AAAA")));
  }

  @TestFactory
  Stream<DynamicTest> ttlIsConfiguredAndSoaTtlCappedAt300() {
    ClusterZone zone = new ClusterZone(KubernetesConfig.kubeadm("cluster.local", PodsMode.INSECURE, 400),
        SnapshotPublisher.ofSynced(ZoneFixture.snapshot()), ZoneFixture.addresses("10.244.0.10"));
    String kube = "kubernetes.default.svc.cluster.local.";
    String web = "web.ns1.svc.cluster.local.";
    return new ZoneTable(zone, 400, ZoneFixture.SERIAL).run(List.of(
        ask(kube, "A").found(kube + " 400 IN A 10.96.0.1").row("9.5 configured TTL"),
        ask("_http._tcp." + web, "SRV").found("_http._tcp." + web + " 400 IN SRV 0 50 80 " + web)
            .extra(web + " 400 IN A 10.96.1.1", web + " 400 IN AAAA fd00::1").row("9.5 SRV and additional"),
        ask("ext.ns1.svc.cluster.local.", "CNAME").found("ext.ns1.svc.cluster.local. 400 IN CNAME foo.example.com.")
            .row("6.1 CNAME TTL = zone TTL"),
        ask("dns-version.cluster.local.", "TXT").found("dns-version.cluster.local. 28800 IN TXT \"1.1.0\"")
            .row("9.5 except dns-version"),
        ask("cluster.local.", "SOA").found("cluster.local. 300 IN SOA ns.dns.cluster.local. hostmaster.cluster.local."
            + " 1700000000 7200 1800 86400 400").row("9.3 SOA TTL min(ttl,300), minimum = ttl"),
        ask("nope.cluster.local.", "A").nxdomain().row("9.3 negative SOA with ttl 400"),
        ask("1.0.96.10.in-addr.arpa.", "PTR")
            .found("1.0.96.10.in-addr.arpa. 400 IN PTR kubernetes.default.svc.cluster.local.").row("9.5 PTR")));
  }

  @TestFactory
  Stream<DynamicTest> ttlZeroIsAllowed() {
    ClusterZone zone = new ClusterZone(KubernetesConfig.kubeadm("cluster.local", PodsMode.INSECURE, 0),
        SnapshotPublisher.ofSynced(ZoneFixture.snapshot()), List.of());
    return new ZoneTable(zone, 0, ZoneFixture.SERIAL).run(List.of(
        ask("kubernetes.default.svc.cluster.local.", "A").found("kubernetes.default.svc.cluster.local. 0 IN A 10.96.0.1")
            .row("9.5 ttl 0"),
        ask("kubernetes.default.svc.cluster.local.", "AAAA").nodata().row("9.5 ttl 0 negative")));
  }

  @TestFactory
  Stream<DynamicTest> severalForwardZones() {
    ClusterZone zone = new ClusterZone(
        new KubernetesConfig(List.of("cluster.local.", "cluster.example.", "in-addr.arpa."), PodsMode.INSECURE, 30,
            List.of("in-addr.arpa."), false),
        SnapshotPublisher.ofSynced(ZoneFixture.snapshot()), ZoneFixture.addresses("10.244.0.10"));
    return ZoneFixture.table(zone).run(List.of(
        ask("kubernetes.default.svc.cluster.example.", "A")
            .found("kubernetes.default.svc.cluster.example. 30 IN A 10.96.0.1").row("1.1 second cluster zone"),
        ask("nope.svc.cluster.example.", "A").nxdomain().soa("cluster.example.").row("1.1, 9.3 its own SOA"),
        ask("1.0.96.10.in-addr.arpa.", "PTR")
            .found("1.0.96.10.in-addr.arpa. 30 IN PTR kubernetes.default.svc.cluster.local.")
            .row("7.3 PTR targets use the primary (first) zone")));
  }

  @Test
  void coversZonesCaseInsensitivelyAndNothingElse() {
    ClusterZone zone = ZoneFixture.zone(PodsMode.INSECURE);
    for (String in : List.of("cluster.local.", "CLUSTER.Local.", "a.b.svc.cluster.local.", "in-addr.arpa.",
        "4.3.2.1.in-addr.arpa.", "ip6.arpa.")) {
      assertTrue(zone.covers(Name.fromConstantString(in)), in);
    }
    for (String out : List.of("google.com.", "local.", "xcluster.local.", "cluster.local.com.", "arpa.", ".")) {
      assertFalse(zone.covers(Name.fromConstantString(out)), out);
    }
  }
}
