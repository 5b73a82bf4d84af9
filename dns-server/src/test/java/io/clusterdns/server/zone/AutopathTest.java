package io.clusterdns.server.zone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.clusterdns.config.KubernetesConfig;
import io.clusterdns.config.PodsMode;
import io.clusterdns.index.ClusterState;
import io.clusterdns.index.NamespaceInfo;
import io.clusterdns.index.SnapshotPublisher;
import io.clusterdns.server.forward.LoopDetector;
import io.clusterdns.server.query.Autopath;
import io.clusterdns.server.query.QueryObserver;
import io.clusterdns.server.query.QueryPipeline;
import io.clusterdns.server.query.Stages;
import io.clusterdns.server.query.UpstreamPath;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * {@code autopath @kubernetes} (issue 22) against the fixture cluster and an in-memory upstream: a table of question
 * (as a pod of some namespace asks its first search expansion) → rcode, answer section in zone-file text, and the
 * names the upstream was asked, in order. Through the whole pipeline, with and without the byte fast path.
 */
class AutopathTest {
  private static final LoopDetector NO_LOOP = new LoopDetector(Name.root);
  private static final String CNAME = " 30 IN CNAME ";
  /** The node's search domains (the cloud's). */
  private static final List<String> NODE = List.of("corp.example.", "ec2.internal.");

  /** Outside names the fake upstream knows; every other name is NXDOMAIN there. */
  private static final Map<String, String> OUTSIDE = Map.of(
      "api.example.test.", "192.0.2.10",
      "foo.example.com.", "192.0.2.20",
      "intranet.corp.example.", "192.0.2.30");

  /** An upstream answering {@link #OUTSIDE} (A only; NODATA for other types), recording what it was asked. */
  private static final class FakeUpstream implements UpstreamPath {
    final List<String> asked = new ArrayList<>();
    String failOn;

    @Override
    public CompletableFuture<Message> forward(Message query, boolean tcp) {
      Record q = query.getQuestion();
      String name = q.getName().toString().toLowerCase(java.util.Locale.ROOT);
      asked.add(name);
      if (name.equals(failOn)) {
        return CompletableFuture.failedFuture(new IllegalStateException("upstream timed out"));
      }
      Message reply = new Message(query.getHeader().getID());
      reply.getHeader().setFlag(Flags.QR);
      reply.getHeader().setFlag(Flags.RA);
      reply.addRecord(q, Section.QUESTION);
      String ip = OUTSIDE.get(name);
      if (ip == null) {
        reply.getHeader().setRcode(Rcode.NXDOMAIN);
      } else if (q.getType() == Type.A) {
        try {
          reply.addRecord(new ARecord(q.getName(), DClass.IN, 300, java.net.InetAddress.getByName(ip)),
              Section.ANSWER);
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      }
      return CompletableFuture.completedFuture(reply);
    }
  }

  private static QueryPipeline pipeline(ClusterZone zone, UpstreamPath upstream, boolean on, List<String> node) {
    Autopath autopath = on ? new Autopath(zone, List.of("."), node) : null;
    return new QueryPipeline(zone, upstream, QueryObserver.NONE, NO_LOOP, false,
        new Stages(null, null, List.of(), autopath));
  }

  private static Message ask(QueryPipeline p, String name, int type) throws IOException {
    Message m = Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
    AtomicReference<byte[]> out = new AtomicReference<>();
    p.handle(m.toWire(), false, false, out::set);
    assertNotNull(out.get(), "a reply, synchronously (the fake upstream completes at once)");
    return new Message(out.get());
  }

  private static List<String> answer(Message reply) {
    List<String> got = new ArrayList<>();
    for (Record r : reply.getSection(Section.ANSWER)) {
      got.add(r.toString().replaceAll("\\s+", " "));
    }
    return got;
  }

  record Row(String why, String qname, String qtype, int rcode, List<String> answer, List<String> upstream) {}

  private static Row row(String why, String qname, String qtype, int rcode, List<String> answer,
      String... upstream) {
    return new Row(why, qname, qtype, rcode, answer, List.of(upstream));
  }

  private static final String APS = "api.example.test.";

  @TestFactory
  Stream<DynamicTest> walks() {
    return Stream.of(
        row("an outside name: CNAME to the bare name and the upstream's A, after the node's domains",
            APS + "ns1.svc.cluster.local.", "A", Rcode.NOERROR,
            List.of(APS + "ns1.svc.cluster.local." + " 300 IN CNAME " + APS, APS + " 300 IN A 192.0.2.10"),
            APS + "corp.example.", APS + "ec2.internal.", APS),
        row("NAME.NS is a service of another namespace: CNAME to NAME.NS.svc.<zone>, no upstream",
            "kubernetes.default.ns1.svc.cluster.local.", "A", Rcode.NOERROR,
            List.of("kubernetes.default.ns1.svc.cluster.local." + CNAME + "kubernetes.default.svc.cluster.local.",
                "kubernetes.default.svc.cluster.local. 30 IN A 10.96.0.1")),
        row("the same from a pod of yet another namespace (the namespace is read from the name)",
            "kubernetes.default.kube-system.svc.cluster.local.", "A", Rcode.NOERROR,
            List.of("kubernetes.default.kube-system.svc.cluster.local." + CNAME
                + "kubernetes.default.svc.cluster.local.", "kubernetes.default.svc.cluster.local. 30 IN A 10.96.0.1")),
        row("a service of the namespace itself: its normal answer, no walk",
            "web.ns1.svc.cluster.local.", "A", Rcode.NOERROR, List.of("web.ns1.svc.cluster.local. 30 IN A 10.96.1.1")),
        row("NODATA at the first name that exists: no CNAME, no records",
            "kubernetes.default.ns1.svc.cluster.local.", "MX", Rcode.NOERROR, List.of()),
        row("an ExternalName found under svc.<zone>: CNAME to it, its CNAME, the target's records",
            "ext.ns1.default.svc.cluster.local.", "A", Rcode.NOERROR,
            List.of("ext.ns1.default.svc.cluster.local." + CNAME + "ext.ns1.svc.cluster.local.",
                "ext.ns1.svc.cluster.local." + CNAME + "foo.example.com.", "foo.example.com. 300 IN A 192.0.2.20"),
            "foo.example.com."),
        row("a name under a node search domain wins over the bare name",
            "intranet.ns1.svc.cluster.local.", "A", Rcode.NOERROR,
            List.of("intranet.ns1.svc.cluster.local. 300 IN CNAME intranet.corp.example.",
                "intranet.corp.example. 300 IN A 192.0.2.30"),
            "intranet.corp.example."),
        row("every step NXDOMAIN: the asked name's own NXDOMAIN",
            "nosuch.example.test.ns1.svc.cluster.local.", "A", Rcode.NXDOMAIN, List.of(),
            "nosuch.example.test.corp.example.", "nosuch.example.test.ec2.internal.", "nosuch.example.test."),
        row("not a first expansion (pod names): NXDOMAIN, no walk",
            "api.example.test.ns1.pod.cluster.local.", "A", Rcode.NXDOMAIN, List.of()),
        row("glibc's second try <name>.svc.<zone>: no namespace 'test', so NXDOMAIN, no walk",
            APS + "svc.cluster.local.", "A", Rcode.NXDOMAIN, List.of()),
        row("nothing left of <ns>.svc: NXDOMAIN, no walk", "nosuchns.svc.cluster.local.", "A", Rcode.NXDOMAIN,
            List.of()))
        .flatMap(r -> Stream.of(true, false).map(fast -> DynamicTest.dynamicTest(
            r.qname() + " " + r.qtype() + (fast ? " (byte fast path)" : " (built)") + ": " + r.why(),
            () -> check(r, fast))));
  }

  private static void check(Row r, boolean fast) throws Exception {
    ClusterZone zone = ZoneFixture.zone(PodsMode.INSECURE);
    FakeUpstream upstream = new FakeUpstream();
    QueryPipeline p = fast ? pipeline(zone, upstream, true, NODE)
        : new QueryPipeline(zone, upstream, QueryObserver.NONE, NO_LOOP, false, null,
            new Stages(null, null, List.of(), new Autopath(zone, List.of("."), NODE)));
    for (int round = 0; round < 2; round++) { // the second round may come from cached bytes
      upstream.asked.clear();
      Message reply = ask(p, r.qname(), Type.value(r.qtype()));
      assertEquals(Rcode.string(r.rcode()), Rcode.string(reply.getRcode()), "round " + round);
      assertEquals(r.answer(), answer(reply), "round " + round);
      assertEquals(r.upstream(), upstream.asked, "round " + round + ": upstream asked");
      assertEquals(r.qname(), reply.getQuestion().getName().toString(), "the question is the asked one");
    }
  }

  /**
   * Whether a name is walked depends on its namespace existing, and the byte fast path remembers the answer: a
   * namespace created after its names were asked must make them walk, not keep the remembered NXDOMAIN.
   */
  @Test
  void aNamespaceCreatedLaterIsWalkedFromThen() throws Exception {
    ClusterState state = ZoneFixture.state();
    SnapshotPublisher source = SnapshotPublisher.ofSynced(state.build());
    ClusterZone zone = new ClusterZone(KubernetesConfig.kubeadm("cluster.local", PodsMode.INSECURE, ZoneFixture.TTL),
        source, ZoneFixture.addresses("127.0.0.1"));
    FakeUpstream upstream = new FakeUpstream();
    QueryPipeline p = pipeline(zone, upstream, true, NODE);
    String name = APS + "shop.svc.cluster.local.";
    for (int round = 0; round < 2; round++) {
      assertEquals(Rcode.NXDOMAIN, ask(p, name, Type.A).getRcode(), "no namespace shop yet, round " + round);
    }
    assertEquals(List.of(), upstream.asked, "a name of no namespace is not walked");

    state.putNamespace(new NamespaceInfo("shop", Map.of()));
    source.publish(state.build());
    Message walked = ask(p, name, Type.A);
    assertEquals(Rcode.NOERROR, walked.getRcode());
    assertEquals(List.of(name + " 300 IN CNAME " + APS, APS + " 300 IN A 192.0.2.10"), answer(walked),
        "the CNAME carries the found record's TTL, as CoreDNS's cnamer");
  }

  @Test
  void offByDefaultTheFirstExpansionIsNxdomain() throws Exception {
    FakeUpstream upstream = new FakeUpstream();
    QueryPipeline p = pipeline(ZoneFixture.zone(PodsMode.INSECURE), upstream, false, NODE);
    for (int round = 0; round < 2; round++) {
      Message reply = ask(p, APS + "ns1.svc.cluster.local.", Type.A);
      assertEquals(Rcode.NXDOMAIN, reply.getRcode());
      assertEquals(List.of(), upstream.asked);
    }
  }

  @Test
  void upstreamFailureOnTheBareNameIsServfail() throws Exception {
    FakeUpstream upstream = new FakeUpstream();
    upstream.failOn = APS;
    Message reply = ask(pipeline(ZoneFixture.zone(PodsMode.INSECURE), upstream, true, NODE),
        APS + "ns1.svc.cluster.local.", Type.A);
    assertEquals(Rcode.SERVFAIL, reply.getRcode());
    assertEquals(List.of(), answer(reply));
  }

  @Test
  void aWalkAsksEachNodeDomainOnceThenTheBareName() throws Exception {
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 29; i++) {
      many.add("d" + i + ".example.");
    }
    FakeUpstream upstream = new FakeUpstream();
    Message reply = ask(pipeline(ZoneFixture.zone(PodsMode.INSECURE), upstream, true, many),
        "x.ns1.svc.cluster.local.", Type.A);
    assertEquals(Rcode.NXDOMAIN, reply.getRcode());
    assertEquals(30, upstream.asked.size(), "29 node domains and the bare name; the two cluster steps are local");
    assertEquals("x.", upstream.asked.get(29));
  }

  @Test
  void onlyNamesUnderTheDirectivesZonesAreWalked() throws Exception {
    ClusterZone zone = ZoneFixture.zone(PodsMode.INSECURE);
    FakeUpstream upstream = new FakeUpstream();
    QueryPipeline p = new QueryPipeline(zone, upstream, QueryObserver.NONE, NO_LOOP, false,
        new Stages(null, null, List.of(), new Autopath(zone, List.of("default.svc.cluster.local."), NODE)));
    assertEquals(Rcode.NXDOMAIN, ask(p, APS + "ns1.svc.cluster.local.", Type.A).getRcode());
    assertEquals(Rcode.NOERROR, ask(p, APS + "default.svc.cluster.local.", Type.A).getRcode());
  }
}
