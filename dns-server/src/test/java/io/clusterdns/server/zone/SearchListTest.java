package io.clusterdns.server.zone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clusterdns.config.KubernetesConfig;
import io.clusterdns.config.PodsMode;
import io.clusterdns.index.SnapshotPublisher;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Short names as a pod of {@code ns1} resolves them (issue 21): a table of question → the reply's answer section
 * in zone-file text, or "upstream" when the name is left to the forwarder.
 */
class SearchListTest {
  private static final String S = ".ns1.svc.cluster.local.";
  private static final String CNAME = " 30 IN CNAME ";

  private static final SearchList SEARCH = new SearchList(List.of("ns1"), "cluster.local",
      ZoneFixture.TTL, ZoneFixture.zone(PodsMode.INSECURE));

  record Row(String qname, String qtype, String why, List<String> answer) {}

  private static Row row(String qname, String qtype, String why, String... answer) {
    return new Row(qname, qtype, why, List.of(answer));
  }

  private static Row upstream(String qname, String qtype, String why) {
    return new Row(qname, qtype, why, null);
  }

  @TestFactory
  Stream<DynamicTest> shortNames() {
    return Stream.of(
        row("web.", "A", "a service of the search namespace", "web." + CNAME + "web" + S, "web" + S + " 30 IN A 10.96.1.1"),
        row("web.ns1.", "A", "NAME.NS tried under svc.<zone>", "web.ns1." + CNAME + "web" + S,
            "web" + S + " 30 IN A 10.96.1.1"),
        row("web.", "AAAA", "the other family", "web." + CNAME + "web" + S, "web" + S + " 30 IN AAAA fd00:0:0:0:0:0:0:1"),
        row("WEB.Ns1.", "A", "the question's spelling is kept", "WEB.Ns1." + CNAME + "WEB.Ns1.svc.cluster.local.",
            "WEB.Ns1.svc.cluster.local. 30 IN A 10.96.1.1"),
        row("kubernetes.default.", "A", "another namespace by NAME.NS",
            "kubernetes.default." + CNAME + "kubernetes.default.svc.cluster.local.",
            "kubernetes.default.svc.cluster.local. 30 IN A 10.96.0.1"),
        row("web.", "MX", "exists without the type: the CNAME alone (NODATA at the target)",
            "web." + CNAME + "web" + S),
        row("10-244-1-5.ns1.pod.", "A", "NAME.<zone>: a pod name",
            "10-244-1-5.ns1.pod." + CNAME + "10-244-1-5.ns1.pod.cluster.local.",
            "10-244-1-5.ns1.pod.cluster.local. 30 IN A 10.244.1.5"),
        upstream("nosuch.", "A", "in no namespace: forwarded as asked"),
        upstream("www.example.com.", "A", "an outside name: every expansion is NXDOMAIN"),
        upstream("a.b.c.d.e.f.", "A", "five dots or more (ndots:5): never searched"),
        upstream(".", "NS", "the root"))
        .map(r -> DynamicTest.dynamicTest(r.qname() + " " + r.qtype() + ": " + r.why(), () -> check(r)));
  }

  private static void check(Row r) throws Exception {
    Message q = Message.newQuery(Record.newRecord(Name.fromString(r.qname()), Type.value(r.qtype()), DClass.IN));
    Message reply = SEARCH.answer(q);
    if (r.answer() == null) {
      assertNull(reply, () -> "left to the upstream, not " + reply);
      return;
    }
    List<String> got = new ArrayList<>();
    for (Record rec : reply.getSection(Section.ANSWER)) {
      got.add(rec.toString().replaceAll("\\s+", " "));
    }
    assertEquals(r.answer(), got);
    assertFalse(reply.getHeader().getFlag(org.xbill.DNS.Flags.AA), "not authoritative for the short name");
  }

  @Test
  void searchesTheNamespacesInOrderThenSvcThenTheZone() {
    SearchList two = new SearchList(List.of("ns1", "default"), "cluster.local.", 30,
        ZoneFixture.zone(PodsMode.INSECURE));
    assertEquals(List.of("ns1.svc.cluster.local.", "default.svc.cluster.local.", "svc.cluster.local.",
        "cluster.local."), two.suffixes().stream().map(Name::toString).toList());
  }

  @Test
  void nothingIsSearchedBeforeTheFirstSync() throws Exception {
    ClusterZone unsynced = new ClusterZone(KubernetesConfig.kubeadm("cluster.local", PodsMode.INSECURE, 30),
        new SnapshotPublisher(), List.of());
    SearchList s = new SearchList(List.of("ns1"), "cluster.local", 30, unsynced);
    assertNull(s.answer(Message.newQuery(Record.newRecord(Name.fromString("web."), Type.A, DClass.IN))),
        "the upstream answers while the API server is away");
  }

  @Test
  void theByteFastPathLeavesShortOutsideNamesToTheSearch() {
    assertTrue(SEARCH.claimsWire(wire("web.ns1.")));
    assertTrue(SEARCH.claimsWire(wire("www.example.com.")));
    assertFalse(SEARCH.claimsWire(wire("a.b.c.d.e.f.")), "five dots");
    assertFalse(SEARCH.claimsWire(wire("web.ns1.svc.cluster.local.")), "the cluster zone itself");
  }

  private static byte[] wire(String name) {
    return Name.fromConstantString(name).toWire();
  }
}
