package io.clusterdns.server.zone;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clusterdns.config.KubernetesConfig;
import io.clusterdns.config.PodsMode;
import io.clusterdns.index.ClusterState;
import io.clusterdns.index.NamespaceInfo;
import io.clusterdns.index.SnapshotPublisher;
import io.clusterdns.server.forward.LoopDetector;
import io.clusterdns.server.query.ClusterReplies;
import io.clusterdns.server.query.QueryObserver;
import io.clusterdns.server.query.QueryPipeline;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Replies from encoded bytes ({@link ClusterReplies}) against the reference: the same pipeline building every
 * reply from dnsjava records. Every question of the answer tables, over UDP and TCP, with and without EDNS,
 * must give the same bytes on the first query (built) and the second (from the cache); a change to the
 * cluster must be visible at the next query.
 */
class ClusterRepliesTest {
  private static final LoopDetector NO_LOOP = new LoopDetector(Name.root);

  /** What an upstream-bound question gets here: a failure, the same for both pipelines (SERVFAIL). */
  private static io.clusterdns.server.query.UpstreamPath failingUpstream() {
    return (q, tcp) -> CompletableFuture.failedFuture(new IllegalStateException("no upstream in this test"));
  }

  private static QueryPipeline pipeline(ClusterZone zone, boolean fast, boolean loadbalance, long maxBytes) {
    return new QueryPipeline(zone, failingUpstream(), QueryObserver.NONE, NO_LOOP, loadbalance,
        fast ? new ClusterReplies(zone, loadbalance, maxBytes) : null);
  }

  private static byte[] ask(QueryPipeline p, byte[] packet, boolean tcp) {
    AtomicReference<byte[]> out = new AtomicReference<>();
    p.handle(packet, tcp, false, out::set);
    assertNotNull(out.get(), "a reply, synchronously");
    return out.get();
  }

  /** The query as a stub resolver sends it: random ID, RD, optionally OPT with a payload size and DO. */
  static byte[] query(String name, int type, int payload, boolean dnssecOk, int id) throws IOException {
    Message m = Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
    m.getHeader().setID(id);
    if (payload > 0) {
      m.addRecord(new OPTRecord(payload, 0, 0, dnssecOk ? org.xbill.DNS.ExtendedFlags.DO : 0), Section.ADDITIONAL);
    }
    return m.toWire();
  }

  private static List<ZoneCase> allCases() {
    List<ZoneCase> cases = new ArrayList<>();
    cases.addAll(ClusterZonePodsInsecureTest.grammarCases());
    cases.addAll(ClusterZonePodsInsecureTest.serviceCases());
    cases.addAll(ClusterZonePodsInsecureTest.podCases());
    cases.addAll(ClusterZonePodsInsecureTest.bigServiceCases());
    String s = ".ns1.svc.cluster.local.";
    for (String svc : List.of("ext", "ext-dot", "ext-in", "ext-chain", "ext-version", "ext-self", "ext-loop-a",
        "ext-missing", "ext-ip", "c0", "c1")) {
      for (String t : List.of("A", "AAAA", "CNAME", "TXT", "SRV")) {
        cases.add(ZoneCase.ask(svc + s, t));
      }
    }
    for (String name : List.of("cluster.local.", "dns-version.cluster.local.", "ns.dns.cluster.local.",
        "1.0.96.10.in-addr.arpa.", "1.2.244.10.in-addr.arpa.", "9.9.9.10.in-addr.arpa.", "in-addr.arpa.",
        "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa.")) {
      for (String t : List.of("A", "AAAA", "NS", "SOA", "PTR", "TXT", "ANY", "AXFR")) {
        cases.add(ZoneCase.ask(name, t));
      }
    }
    return cases;
  }

  /** EDNS payload sizes tried: none, the 512 floor, a common size, a large one. */
  private static final int[] PAYLOADS = {0, 100, 1232, 4096};

  @TestFactory
  Stream<DynamicTest> everyTableQuestionGivesTheBuiltBytes() {
    List<DynamicTest> tests = new ArrayList<>();
    for (PodsMode mode : PodsMode.values()) {
      ClusterZone zone = ZoneFixture.zone(mode);
      QueryPipeline reference = pipeline(zone, false, false, ClusterReplies.DEFAULT_MAX_BYTES);
      QueryPipeline fast = pipeline(zone, true, false, ClusterReplies.DEFAULT_MAX_BYTES);
      for (ZoneCase c : allCases()) {
        tests.add(DynamicTest.dynamicTest(mode + " " + c.qname + " " + c.qtype, () -> {
          int type = Type.value(c.qtype);
          for (String name : List.of(c.qname, c.qname.toLowerCase(java.util.Locale.ROOT))) {
            for (int payload : PAYLOADS) {
              for (boolean tcp : List.of(false, true)) {
                byte[] q = query(name, type, payload, payload == 1232, 0x1234 + payload);
                byte[] expected = ask(reference, q, tcp);
                String what = name + " " + c.qtype + " payload " + payload + (tcp ? " tcp" : " udp");
                assertArrayEquals(expected, ask(fast, q, tcp), what + ": first (built)");
                assertArrayEquals(expected, ask(fast, q, tcp), what + ": second (cached)");
              }
            }
          }
        }));
      }
    }
    return tests.stream();
  }

  @Test
  void idRdAndCdAreTheQuerysOwn() throws IOException {
    ClusterZone zone = ZoneFixture.zone(PodsMode.INSECURE);
    QueryPipeline fast = pipeline(zone, true, false, ClusterReplies.DEFAULT_MAX_BYTES);
    byte[] q = query("web.ns1.svc.cluster.local.", Type.A, 0, false, 1);
    ask(fast, q, false);
    Message m = Message.newQuery(Record.newRecord(Name.fromString("web.ns1.svc.cluster.local."), Type.A, DClass.IN));
    m.getHeader().setID(0xbeef);
    m.getHeader().unsetFlag(Flags.RD);
    m.getHeader().setFlag(Flags.CD);
    Message r = new Message(ask(fast, m.toWire(), false));
    assertEquals(0xbeef, r.getHeader().getID());
    assertTrue(!r.getHeader().getFlag(Flags.RD) && r.getHeader().getFlag(Flags.CD) && r.getHeader().getFlag(Flags.AA));
  }

  @Test
  void questionSpellingIsEchoedWhateverWasCachedBefore() throws IOException {
    ClusterZone zone = ZoneFixture.zone(PodsMode.INSECURE);
    QueryPipeline fast = pipeline(zone, true, false, ClusterReplies.DEFAULT_MAX_BYTES);
    ask(fast, query("web.ns1.svc.cluster.local.", Type.A, 0, false, 1), false);
    Message r = new Message(ask(fast, query("WEB.Ns1.svc.cluster.LOCAL.", Type.A, 0, false, 2), false));
    assertEquals("WEB.Ns1.svc.cluster.LOCAL.", r.getQuestion().getName().toString());
    assertEquals("WEB.Ns1.svc.cluster.LOCAL.", r.getSection(Section.ANSWER).get(0).getName().toString());
  }

  @Test
  void negativeAnswersCarryTheCurrentSerial() throws IOException {
    ClusterState state = ZoneFixture.state();
    SnapshotPublisher publisher = SnapshotPublisher.ofSynced(state.build());
    ClusterZone zone = zoneOf(publisher);
    QueryPipeline fast = pipeline(zone, true, false, ClusterReplies.DEFAULT_MAX_BYTES);
    QueryPipeline reference = pipeline(zone, false, false, ClusterReplies.DEFAULT_MAX_BYTES);
    byte[] q = query("nope.ns1.svc.cluster.local.", Type.A, 0, false, 7);
    long before = soaSerial(ask(fast, q, false));

    // Another namespace changes: the ns1 reply stays cached, but the zone's serial moved (behaviours.md 9.3).
    state.putNamespace(new NamespaceInfo("other", Map.of()));
    publisher.publish(state.build());
    byte[] after = ask(fast, q, false);
    assertArrayEquals(ask(reference, q, false), after);
    assertTrue(soaSerial(after) > before, "serial moved: " + before + " -> " + soaSerial(after));
  }

  @Test
  void aWatchEventIsVisibleAtTheNextQuery() throws IOException {
    ClusterState state = ZoneFixture.state();
    SnapshotPublisher publisher = SnapshotPublisher.ofSynced(state.build());
    ClusterZone zone = zoneOf(publisher);
    QueryPipeline fast = pipeline(zone, true, false, ClusterReplies.DEFAULT_MAX_BYTES);
    QueryPipeline reference = pipeline(zone, false, false, ClusterReplies.DEFAULT_MAX_BYTES);
    byte[] added = query("fresh.ns1.svc.cluster.local.", Type.A, 0, false, 1);
    byte[] headless = query("hl.ns1.svc.cluster.local.", Type.A, 0, false, 2);
    byte[] inNs = query("web.ns1.svc.cluster.local.", Type.A, 0, false, 3);
    byte[] elsewhere = query("kubernetes.default.svc.cluster.local.", Type.A, 0, false, 4);
    assertEquals(Rcode.NXDOMAIN, new Message(ask(fast, added, false)).getRcode());
    assertEquals(3, new Message(ask(fast, headless, false)).getSection(Section.ANSWER).size());
    ask(fast, inNs, false);
    ask(fast, elsewhere, false);

    // A service is added.
    state.putService(ZoneFixture.clusterIp("ns1", "fresh", List.of("10.96.7.7")));
    publisher.publish(state.build());
    Message r = new Message(ask(fast, added, false));
    assertEquals(Rcode.NOERROR, r.getRcode());
    assertEquals("10.96.7.7", ((org.xbill.DNS.ARecord) r.getSection(Section.ANSWER).get(0)).getAddress()
        .getHostAddress());

    // An endpoint turns not ready: 10.244.2.1 leaves the headless answer.
    state.putEndpointSlice(ZoneFixture.slice("ns1", "hl-a", "hl",
        List.of(ZoneFixture.ep("10.244.2.1", "db-0", false), ZoneFixture.ep("10.244.2.2", null, true),
            ZoneFixture.ep("10.244.2.3", null, false), ZoneFixture.ep("10.244.2.4", "db-0", true)),
        ZoneFixture.port("http", "TCP", 8080)));
    publisher.publish(state.build());
    byte[] now = ask(fast, headless, false);
    assertArrayEquals(ask(reference, headless, false), now);
    assertEquals(2, new Message(now).getSection(Section.ANSWER).size());

    // The namespace is deleted.
    state.removeNamespace("ns1");
    publisher.publish(state.build());
    assertEquals(Rcode.NXDOMAIN, new Message(ask(fast, inNs, false)).getRcode());
    assertArrayEquals(ask(reference, elsewhere, false), ask(fast, elsewhere, false), "other namespaces unchanged");
  }

  @Test
  void tooBigForTheClientIsTruncatedAsBefore() throws IOException {
    ClusterZone zone = ZoneFixture.zone(PodsMode.INSECURE);
    QueryPipeline fast = pipeline(zone, true, false, ClusterReplies.DEFAULT_MAX_BYTES);
    QueryPipeline reference = pipeline(zone, false, false, ClusterReplies.DEFAULT_MAX_BYTES);
    byte[] q = query("big.ns1.svc.cluster.local.", Type.A, 0, false, 9);
    ask(fast, query("big.ns1.svc.cluster.local.", Type.A, 0, false, 9), true); // cached from a TCP query
    byte[] udp = ask(fast, q, false);
    assertArrayEquals(ask(reference, q, false), udp);
    Message m = new Message(udp);
    assertTrue(m.getHeader().getFlag(Flags.TC), "TC over UDP");
    assertTrue(udp.length <= 512);
    byte[] tcp = ask(fast, q, true);
    assertEquals(ZoneFixture.BIG, new Message(tcp).getSection(Section.ANSWER).size(), "all of it over TCP");
  }

  @Test
  void loadbalanceShufflesCachedAnswersLikeBuiltOnes() throws IOException {
    ClusterZone zone = ZoneFixture.zone(PodsMode.INSECURE);
    QueryPipeline fast = pipeline(zone, true, true, ClusterReplies.DEFAULT_MAX_BYTES);
    QueryPipeline reference = pipeline(zone, false, false, ClusterReplies.DEFAULT_MAX_BYTES);
    byte[] q = query("hl.ns1.svc.cluster.local.", Type.A, 1232, false, 5);
    TreeSet<String> expected = sorted(ask(reference, q, false));
    java.util.Set<String> orders = new java.util.HashSet<>();
    for (int i = 0; i < 200; i++) {
      byte[] r = ask(fast, q, false);
      assertEquals(expected, sorted(r), "same records");
      orders.add(new Message(r).getSection(Section.ANSWER).toString());
    }
    assertTrue(orders.size() > 1, "order varies: " + orders.size());
  }

  @Test
  void theCacheStaysWithinItsWeightBoundAt100kNames() throws IOException {
    ClusterZone zone = ZoneFixture.zone(PodsMode.INSECURE);
    long bound = 4L << 20;
    ClusterReplies replies = new ClusterReplies(zone, false, bound);
    QueryPipeline fast = new QueryPipeline(zone, failingUpstream(), QueryObserver.NONE, NO_LOOP, false, replies);
    for (int i = 0; i < 100_000; i++) {
      ask(fast, query("svc-" + i + ".ns1.svc.cluster.local.", Type.A, 0, false, i & 0xffff), false);
    }
    long weight = replies.weight();
    long size = replies.size();
    assertTrue(weight <= bound, "weight " + weight + " <= " + bound);
    assertTrue(size > 1000 && size < 100_000, "evicted some, kept many: " + size);
  }

  // ------------------------------------------------------------------------------------------- helpers

  private static ClusterZone zoneOf(SnapshotPublisher publisher) {
    return new ClusterZone(KubernetesConfig.kubeadm("cluster.local", PodsMode.INSECURE, ZoneFixture.TTL),
        publisher, ZoneFixture.addresses("127.0.0.1", "10.244.0.10"));
  }

  private static long soaSerial(byte[] reply) throws IOException {
    Message m = new Message(reply);
    return ((org.xbill.DNS.SOARecord) m.getSection(Section.AUTHORITY).get(0)).getSerial();
  }

  private static TreeSet<String> sorted(byte[] reply) throws IOException {
    List<String> out = new ArrayList<>();
    for (Record r : new Message(reply).getSection(Section.ANSWER)) {
      out.add(r.toString());
    }
    Collections.sort(out);
    return new TreeSet<>(out);
  }
}
