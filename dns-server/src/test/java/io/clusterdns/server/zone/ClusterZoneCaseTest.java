package io.clusterdns.server.zone;

import static io.clusterdns.server.zone.ZoneCase.ask;

import io.clusterdns.config.PodsMode;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Letter case (behaviours.md 1.4, 10.6): matching ignores case; owners keep the question's spelling; SRV
 * targets and additional owners are object names plus the question's spelling of the zone; negative SOAs
 * are owned by the zone as spelled in the question.
 */
class ClusterZoneCaseTest {

  @TestFactory
  Stream<DynamicTest> spelling() {
    String kube = "KUBERNETES.Default.SVC.Cluster.Local.";
    String srv = "_HTTP._TCP.Web.NS1.svc.CLUSTER.local.";
    String web = "web.ns1.svc.CLUSTER.local.";
    return ZoneFixture.table(ZoneFixture.zone(PodsMode.INSECURE)).run(List.of(
        ask(kube, "A").found(kube + " 30 IN A 10.96.0.1").row("1.4 match, 10.6 owner as asked"),
        ask(srv, "SRV").found(srv + " 30 IN SRV 0 50 80 " + web)
            .extra(web + " 30 IN A 10.96.1.1", web + " 30 IN AAAA fd00::1")
            .row("1.4 port/protocol case, 10.6 target = object names + zone as asked"),
        ask("_HTTP._TCP.HL.ns1.svc.Cluster.Local.", "SRV")
            .found("_HTTP._TCP.HL.ns1.svc.Cluster.Local. 30 IN SRV 0 16 8080 db-0.hl.ns1.svc.Cluster.Local.",
                "_HTTP._TCP.HL.ns1.svc.Cluster.Local. 30 IN SRV 0 16 8080 10-244-2-2.hl.ns1.svc.Cluster.Local.",
                "_HTTP._TCP.HL.ns1.svc.Cluster.Local. 30 IN SRV 0 16 8080 2001-db8--0.hl.ns1.svc.Cluster.Local.")
            .extra("db-0.hl.ns1.svc.Cluster.Local. 30 IN A 10.244.2.1",
                "db-0.hl.ns1.svc.Cluster.Local. 30 IN A 10.244.2.4",
                "db-0.hl.ns1.svc.Cluster.Local. 30 IN AAAA fd00::2:1",
                "10-244-2-2.hl.ns1.svc.Cluster.Local. 30 IN A 10.244.2.2",
                "2001-db8--0.hl.ns1.svc.Cluster.Local. 30 IN AAAA 2001:db8::")
            .row("10.6 headless SRV targets and additional owners"),
        ask("Nope.NS1.svc.Cluster.LOCAL.", "A").nxdomain().soa("Cluster.LOCAL.").row("9.3 SOA owner as asked"),
        ask("Kubernetes.default.svc.CLUSTER.LOCAL.", "AAAA").nodata().soa("CLUSTER.LOCAL.").row("9.3, 9.1"),
        ask("CLUSTER.local.", "SOA").found("CLUSTER.local. 30 IN SOA ns.dns.CLUSTER.local. hostmaster.CLUSTER.local."
            + " 1700000000 7200 1800 86400 30").row("9.3 apex SOA owner as asked"),
        ask("10-244-5-5.NS1.POD.cluster.local.", "A").found("10-244-5-5.NS1.POD.cluster.local. 30 IN A 10.244.5.5")
            .row("1.4 pod namespace"),
        ask("FD00--5-5.ns1.pod.cluster.local.", "AAAA").found("FD00--5-5.ns1.pod.cluster.local. 30 IN AAAA fd00::5:5")
            .row("1.4 hex digits in pod names"),
        ask("Cluster.Local.", "NS").found("Cluster.Local. 30 IN NS kube-dns.kube-system.svc.Cluster.Local.")
            .extra("kube-dns.kube-system.svc.Cluster.Local. 30 IN A 10.96.0.10").row("10.6 NS target zone as asked"),
        ask("DNS-VERSION.cluster.local.", "TXT").found("DNS-VERSION.cluster.local. 28800 IN TXT \"1.1.0\"")
            .row("1.4, 2.1")));
  }
}
