package io.clusterdns.server.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clusterdns.config.ForwardConfig;
import io.clusterdns.config.HostPort;
import io.clusterdns.config.KubernetesConfig;
import io.clusterdns.config.PodsMode;
import io.clusterdns.index.ClusterState;
import io.clusterdns.index.SnapshotPublisher;
import io.clusterdns.k8s.ManifestLoader;
import io.clusterdns.server.zone.ClusterZone;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

/** Explanations over the demo cluster (its manifest says what each name holds). */
class ExplainerTest {
  private static Explainer explainer(PodsMode pods) throws Exception {
    ClusterState state = new ClusterState(false);
    ManifestLoader.loadDemo(state);
    KubernetesConfig k = KubernetesConfig.kubeadm("cluster.local.", pods, 30);
    ClusterZone zone = new ClusterZone(k, SnapshotPublisher.ofSynced(state.build()),
        List.of(InetAddress.getByName("10.96.0.10")));
    List<ForwardConfig> forwards = List.of(
        ForwardConfig.defaults(List.of(new HostPort("127.0.0.1", 5300))),
        ForwardConfig.defaults(List.of(new HostPort("127.0.0.1", 5301))).withZone("corp.example.",
            List.of(new HostPort("127.0.0.1", 5301))));
    return new Explainer(zone, k, forwards, false);
  }

  private static Explanation explain(String name, int type) throws Exception {
    return explainer(PodsMode.INSECURE).fromIndex(Name.fromString(name), type);
  }

  @Test
  void headlessAnswerNamesEachEndpointAndTheOneLeftOut() throws Exception {
    Explanation e = explain("db.demo.svc.cluster.local.", Type.A);
    assertEquals("NOERROR", e.rcode());
    assertEquals(2, e.answer().size());
    assertTrue(e.rule().contains("(4.1)"), e.rule());
    List<String> endpoints = e.sources().stream().filter(s -> s.kind().equals("Endpoint"))
        .map(s -> s.name() + " " + s.detail().split(",")[0]).toList();
    assertEquals(List.of("db-0 ready", "db-1 ready", "db-2 NOT ready"), endpoints);
    assertTrue(e.sources().get(2).detail().contains("EndpointSlice demo/"), e.sources().toString());
  }

  @Test
  void aNotReadyEndpointIsGivenAsTheReasonItsNameIsMissing() throws Exception {
    Explanation e = explain("db-2.db.demo.svc.cluster.local.", Type.A);
    assertEquals("NXDOMAIN", e.rcode());
    assertTrue(e.why().get(0).contains("'db-2'") && e.why().get(0).contains("is not ready"), e.why().toString());
    assertEquals(List.of("db-0.db.demo.svc", "db-1.db.demo.svc"), e.closest());
  }

  @Test
  void aMissingServiceGetsItsNamesakesAndNearSpellings() throws Exception {
    Explanation other = explain("web.default.svc.cluster.local.", Type.A);
    assertEquals("NXDOMAIN", other.rcode());
    assertEquals(List.of("web.demo.svc"), other.closest(), "the same service in another namespace");
    Explanation typo = explain("wbe.demo.svc.cluster.local.", Type.A);
    assertTrue(typo.closest().contains("web.demo.svc"), typo.closest().toString());
    Explanation ns = explain("web.demoo.svc.cluster.local.", Type.A);
    assertTrue(ns.rule().startsWith("no Namespace 'demoo'"), ns.rule());
    assertEquals(List.of("demo"), ns.closest());
  }

  @Test
  void srvWithAWrongPortNameListsThePortsThatExist() throws Exception {
    Explanation e = explain("_http._udp.web.demo.svc.cluster.local.", Type.SRV);
    assertEquals("NXDOMAIN", e.rcode());
    assertTrue(e.why().get(0).contains("http/TCP"), e.why().toString());
  }

  @Test
  void replyIsTheZoneCodesOwnForEveryKind() throws Exception {
    // ClusterIP, headless SRV, ExternalName CNAME, PTR, pod, dns-version: the rule cites the row that applied.
    assertTrue(explain("web.demo.svc.cluster.local.", Type.A).rule().contains("(3.1, 3.2)"));
    assertTrue(explain("_postgres._tcp.db.demo.svc.cluster.local.", Type.SRV).rule().contains("(4.5)"));
    Explanation cname = explain("search.demo.svc.cluster.local.", Type.A);
    assertTrue(cname.answer().get(0).contains("CNAME"), cname.answer().toString());
    assertTrue(cname.why().get(0).contains("resolves it upstream"), cname.why().toString());
    Explanation ptr = explain("1.0.96.10.in-addr.arpa.", Type.PTR);
    assertEquals("reverse zone in-addr.arpa.", ptr.route());
    assertEquals("Service", ptr.sources().get(0).kind());
    assertEquals("default/kubernetes", ptr.sources().get(0).name());
    assertTrue(explain("dns-version.cluster.local.", Type.TXT).ttl().startsWith("28800 s"));
  }

  @Test
  void podsVerifiedNamesThePod() throws Exception {
    Explainer verified = explainer(PodsMode.VERIFIED);
    Explanation known = verified.fromIndex(Name.fromString("10-244-1-10.demo.pod.cluster.local."), Type.A);
    assertEquals("NOERROR", known.rcode());
    assertEquals("Pod", known.sources().get(known.sources().size() - 1).kind());
    Explanation unknown = verified.fromIndex(Name.fromString("10-244-9-9.demo.pod.cluster.local."), Type.A);
    assertEquals("NXDOMAIN", unknown.rcode());
    assertTrue(unknown.rule().startsWith("pods verified: no running Pod"), unknown.rule());
  }

  @Test
  void forwardedNamesTakeTheMostSpecificForwardZoneAndAreNotAskedOffline() throws Exception {
    Explanation e = explain("db.corp.example.", Type.A);
    assertEquals("forwarded", e.route());
    assertEquals("corp.example.", e.forwarding().zone());
    assertEquals(List.of("127.0.0.1:5301"), e.forwarding().upstreams());
    assertNull(e.rcode(), "nothing is sent upstream without a server");
    assertEquals(".", explain("example.com.", Type.A).forwarding().zone());
  }

  @Test
  void jsonCarriesEveryField() throws Exception {
    Explanation e = explain("db-2.db.demo.svc.cluster.local.", Type.A);
    assertEquals(e, ExplanationText.fromJson(ExplanationText.json(e)));
  }

  @Test
  void closestIsBoundedAndOrderedByDistance() {
    assertEquals(List.of("web"), Explainer.closest("wbe", List.of("webs", "api", "web", "database")));
    assertEquals(List.of("webs", "web-v2"), Explainer.closest("web", List.of("web-v2", "api", "webs", "db")),
        "one edit first, then names that start with the asked one");
    assertEquals(1, Explainer.distance("wbe", "web", 3), "a swap of neighbours is one edit");
    assertEquals(4, Explainer.distance("abcdef", "uvwxyz", 3), "stops once the distance passes the limit");
  }
}
