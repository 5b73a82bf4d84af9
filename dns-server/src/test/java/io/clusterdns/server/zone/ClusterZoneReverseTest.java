package io.clusterdns.server.zone;

import static io.clusterdns.server.zone.ZoneCase.ask;
import static io.clusterdns.server.zone.ZoneFixture.TTL;
import static io.clusterdns.server.zone.ZoneFixture.clusterIp;
import static io.clusterdns.server.zone.ZoneFixture.ep;
import static io.clusterdns.server.zone.ZoneFixture.headless;
import static io.clusterdns.server.zone.ZoneFixture.port;
import static io.clusterdns.server.zone.ZoneFixture.slice;

import io.clusterdns.config.KubernetesConfig;
import io.clusterdns.config.PodsMode;
import io.clusterdns.index.ClusterState;
import io.clusterdns.index.SnapshotPublisher;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** PTR answers, reverse misses and reverse zones (behaviours.md 1.1, 7.1-7.5, 8.4, 9.3). */
class ClusterZoneReverseTest {
  private static final String T = " 30 IN PTR ";
  /** fd00::1 (web's IPv6 ClusterIP) as a reverse name. */
  private static final String FD00_1 = "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa.";
  /** 2001:db8:: (a headless endpoint without hostname). */
  private static final String DB8 = "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.";

  /** The fixture plus addresses that two services share. */
  private static ClusterState state() {
    ClusterState s = ZoneFixture.state();
    // 7.2: 10.96.7.7 is the ClusterIP of "dup" and also an endpoint of headless "hl2": the ClusterIP wins.
    s.putService(clusterIp("ns1", "dup", List.of("10.96.7.7"), port("http", "TCP", 80)));
    s.putService(headless("ns1", "hl2", port("http", "TCP", 80)));
    s.putEndpointSlice(slice("ns1", "hl2-1", "hl2", List.of(ep("10.96.7.7", null, true),
        ep("10.244.8.8", "x", true)), port("http", "TCP", 80)));
    // 7.2: 10.244.8.8 is selected by two headless services: one PTR per service.
    s.putService(headless("ns1", "hl3", port("http", "TCP", 80)));
    s.putEndpointSlice(slice("ns1", "hl3-1", "hl3", List.of(ep("10.244.8.8", null, true)),
        port("http", "TCP", 80)));
    return s;
  }

  private static ClusterZone zone(List<String> zones, List<String> fallthrough) {
    return new ClusterZone(new KubernetesConfig(zones, PodsMode.INSECURE, TTL, fallthrough, false),
        SnapshotPublisher.ofSynced(state().build()), ZoneFixture.addresses("10.244.0.10"));
  }

  @TestFactory
  Stream<DynamicTest> kubeadmReverseZones() {
    ClusterZone zone = zone(List.of("cluster.local.", "in-addr.arpa.", "ip6.arpa."),
        List.of("in-addr.arpa.", "ip6.arpa."));
    return ZoneFixture.table(zone).run(List.of(
        ask("1.0.96.10.in-addr.arpa.", "PTR").found("1.0.96.10.in-addr.arpa." + T
            + "kubernetes.default.svc.cluster.local.").row("7.1 ClusterIP"),
        ask(FD00_1, "PTR").found(FD00_1 + T + "web.ns1.svc.cluster.local.").row("7.1 IPv6 ClusterIP, 32 nibbles"),
        ask("1.2.244.10.in-addr.arpa.", "PTR").found("1.2.244.10.in-addr.arpa." + T
            + "db-0.hl.ns1.svc.cluster.local.").row("7.2 headless endpoint hostname"),
        ask("2.2.244.10.in-addr.arpa.", "PTR").found("2.2.244.10.in-addr.arpa." + T
            + "10-244-2-2.hl.ns1.svc.cluster.local.").row("7.2 dashed name; duplicate across slices collapses"),
        ask(DB8, "PTR").found(DB8 + T + "2001-db8--0.hl.ns1.svc.cluster.local.").row("7.2 IPv6 endpoint"),
        ask("1.1.244.10.in-addr.arpa.", "PTR").found("1.1.244.10.in-addr.arpa." + T
            + "10-244-1-1.web.ns1.svc.cluster.local.").row("7.2 endpoint of a ClusterIP service"),
        ask("7.7.96.10.in-addr.arpa.", "PTR").found("7.7.96.10.in-addr.arpa." + T + "dup.ns1.svc.cluster.local.")
            .row("7.2 ClusterIP match hides the endpoint match"),
        ask("8.8.244.10.in-addr.arpa.", "PTR").found("8.8.244.10.in-addr.arpa." + T + "x.hl2.ns1.svc.cluster.local.",
            "8.8.244.10.in-addr.arpa." + T + "10-244-8-8.hl3.ns1.svc.cluster.local.")
            .row("7.2 one PTR per selecting service"),
        ask("1.0.96.10.IN-ADDR.ARPA.", "PTR").found("1.0.96.10.IN-ADDR.ARPA." + T
            + "kubernetes.default.svc.cluster.local.").row("7.3 target lowercase whatever the question's case"),
        ask(FD00_1.toUpperCase(), "PTR").found(FD00_1.toUpperCase() + T + "web.ns1.svc.cluster.local.")
            .row("7.3 uppercase nibbles"),
        ask("1.0.96.10.in-addr.arpa.", "A").nodata().soa("in-addr.arpa.").row("9.1 existing reverse name"),
        ask("9.9.9.9.in-addr.arpa.", "PTR").fallThrough().row("7.4 unknown address falls through"),
        ask("3.2.244.10.in-addr.arpa.", "PTR").fallThrough().row("7.4, 5.2 not-ready endpoint"),
        ask("5.5.244.10.in-addr.arpa.", "PTR").fallThrough().row("8.4 no PTR for pod IPs"),
        ask("9.9.9.96.10.in-addr.arpa.", "PTR").fallThrough().row("7.5 wrong label count"),
        ask("0.96.10.in-addr.arpa.", "PTR").fallThrough().row("7.5 partial name"),
        ask("01.0.96.10.in-addr.arpa.", "PTR").fallThrough().row("7.5 leading zero"),
        ask("256.0.96.10.in-addr.arpa.", "PTR").fallThrough().row("7.5 octet out of range"),
        ask(FD00_1.substring(2), "PTR").fallThrough().row("7.5 31 nibbles"),
        ask("g" + FD00_1.substring(1), "PTR").fallThrough().row("7.5 not a hex nibble"),
        ask("in-addr.arpa.", "SOA").found("in-addr.arpa. 30 IN SOA ns.dns.in-addr.arpa. hostmaster.in-addr.arpa."
            + " 1700000000 7200 1800 86400 30").row("9.3 SOA of a reverse zone"),
        ask("kubernetes.default.svc.cluster.local.", "A")
            .found("kubernetes.default.svc.cluster.local. 30 IN A 10.96.0.1").row("1.1 forward zone still served"),
        ask("nope.cluster.local.", "A").nxdomain().row("1.7 forward misses never fall through")));
  }

  @TestFactory
  Stream<DynamicTest> withoutFallthroughMissesAreNxdomain() {
    ClusterZone zone = zone(List.of("cluster.local.", "in-addr.arpa.", "ip6.arpa."), List.of());
    return ZoneFixture.table(zone).run(List.of(
        ask("9.9.9.9.in-addr.arpa.", "PTR").nxdomain().soa("in-addr.arpa.").row("7.4 NXDOMAIN, 9.3 reverse SOA"),
        ask("9.9.9.9.IN-ADDR.arpa.", "PTR").nxdomain().soa("IN-ADDR.arpa.").row("9.3 owner spelled as asked"),
        ask(FD00_1.replace("1.0.0.0.0", "2.0.0.0.0"), "PTR").nxdomain().soa("ip6.arpa.").row("7.4 IPv6 miss"),
        ask("010.0.96.10.in-addr.arpa.", "PTR").nxdomain().soa("in-addr.arpa.").row("7.5 malformed is a miss"),
        ask("in-addr.arpa.", "A").nodata().soa("in-addr.arpa.").row("9.1 reverse apex exists")));
  }

  @TestFactory
  Stream<DynamicTest> narrowerReverseZoneWins() {
    ClusterZone zone = zone(List.of("cluster.local.", "in-addr.arpa.", "96.10.in-addr.arpa."), List.of());
    return ZoneFixture.table(zone).run(List.of(
        ask("9.9.96.10.in-addr.arpa.", "PTR").nxdomain().soa("96.10.in-addr.arpa.")
            .row("1.1 longest zone wins, 9.3 its SOA"),
        ask("9.9.96.10.IN-ADDR.ARPA.", "PTR").nxdomain().soa("96.10.IN-ADDR.ARPA.").row("1.1, 9.3 spelling"),
        ask("9.9.9.9.in-addr.arpa.", "PTR").nxdomain().soa("in-addr.arpa.").row("1.1 wider zone elsewhere"),
        ask("1.0.96.10.in-addr.arpa.", "PTR").found("1.0.96.10.in-addr.arpa." + T
            + "kubernetes.default.svc.cluster.local.").row("1.1, 7.1 in the narrower zone"),
        ask("96.10.in-addr.arpa.", "SOA").found("96.10.in-addr.arpa. 30 IN SOA ns.dns.96.10.in-addr.arpa."
            + " hostmaster.96.10.in-addr.arpa. 1700000000 7200 1800 86400 30").row("9.3 narrower zone apex")));
  }
}
