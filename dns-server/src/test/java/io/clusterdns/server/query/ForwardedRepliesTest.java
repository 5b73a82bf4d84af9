package io.clusterdns.server.query;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clusterdns.config.CacheConfig;
import io.clusterdns.config.KubernetesConfig;
import io.clusterdns.config.PodsMode;
import io.clusterdns.index.ClusterSnapshot;
import io.clusterdns.index.SnapshotPublisher;
import io.clusterdns.server.cache.CacheMetrics;
import io.clusterdns.server.cache.CachingResolver;
import io.clusterdns.server.cache.ResponseCache;
import io.clusterdns.server.forward.ForwardRoutes;
import io.clusterdns.server.forward.LoopDetector;
import io.clusterdns.server.zone.ClusterZone;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Cache hits of forwarded names from encoded bytes ({@link ForwardedReplies}) against the reference: the same
 * cache served through the full path, which clones and encodes dnsjava messages. Same bytes at every second
 * of the TTL countdown, for every transport and EDNS shape; shuffled like the full path under loadbalance.
 */
class ForwardedRepliesTest {
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final ResponseCache cache = new ResponseCache(CacheConfig.of(3600),
      CacheMetrics.register(new PrometheusRegistry()), "dns://:53", nanos::get, Runnable::run);
  private final ClusterZone zone = new ClusterZone(KubernetesConfig.kubeadm("cluster.local", PodsMode.INSECURE, 30),
      SnapshotPublisher.ofSynced(ClusterSnapshot.EMPTY), List.of());

  private QueryPipeline pipeline(boolean fast, boolean loadbalance) {
    CachingResolver resolver = new CachingResolver(cache, ForwardRoutes.of(List.of()));
    UpstreamPath upstream = new UpstreamPath() {
      @Override
      public CompletableFuture<Message> forward(Message query, boolean tcp) {
        return resolver.resolve(query, tcp);
      }

      @Override
      public ResponseCache cache() {
        return cache;
      }
    };
    return new QueryPipeline(zone, upstream, QueryObserver.NONE, new LoopDetector(Name.root), loadbalance,
        fast ? new ClusterReplies(zone, loadbalance, ClusterReplies.DEFAULT_MAX_BYTES) : null);
  }

  private static byte[] ask(QueryPipeline p, byte[] packet, boolean tcp) {
    AtomicReference<byte[]> out = new AtomicReference<>();
    p.handle(packet, tcp, false, out::set);
    assertNotNull(out.get(), "a reply, synchronously (a cache hit)");
    return out.get();
  }

  private static byte[] query(String name, int type, int payload, boolean dnssecOk, boolean cd, int id)
      throws IOException {
    Message m = Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
    m.getHeader().setID(id);
    if (cd) {
      m.getHeader().setFlag(Flags.CD);
    }
    if (payload > 0) {
      m.addRecord(new OPTRecord(payload, 0, 0, dnssecOk ? ExtendedFlags.DO : 0), Section.ADDITIONAL);
    }
    return m.toWire();
  }

  /** Files an upstream reply for the question, as the forwarder would after a miss. */
  private void upstream(String name, int type, boolean dnssecOk, boolean cd, int rcode, int[] flags, String... records)
      throws IOException {
    Message q = new Message(query(name, type, dnssecOk ? 1232 : 0, dnssecOk, cd, 1));
    Message r = new Message(1);
    r.getHeader().setFlag(Flags.QR);
    for (int f : flags) {
      r.getHeader().setFlag(f);
    }
    r.getHeader().setRcode(rcode);
    r.addRecord(q.getQuestion(), Section.QUESTION);
    for (String text : records) {
      String[] p = text.split(" ", 5);
      int section = p[0].equals("an") ? Section.ANSWER : p[0].equals("au") ? Section.AUTHORITY : Section.ADDITIONAL;
      r.addRecord(Record.fromString(Name.fromString(p[1]), Type.value(p[3]), DClass.IN, Long.parseLong(p[2]), p[4],
          Name.root), section);
    }
    assertTrue(cache.store(q, new Message(r.toWire())), "stored " + name);
  }

  private void fileReplies() throws IOException {
    int[] ra = {Flags.RA};
    upstream("www.example.test.", Type.A, false, false, Rcode.NOERROR, ra, "an www.example.test. 300 A 192.0.2.1");
    upstream("multi.example.test.", Type.A, false, false, Rcode.NOERROR, new int[] {Flags.RA, Flags.AD},
        "an multi.example.test. 300 A 192.0.2.1", "an multi.example.test. 200 A 192.0.2.2",
        "an multi.example.test. 300 A 192.0.2.3", "an multi.example.test. 300 A 192.0.2.4");
    upstream("alias.example.test.", Type.A, false, false, Rcode.NOERROR, ra,
        "an alias.example.test. 300 CNAME target.example.net.", "an target.example.net. 60 A 198.51.100.7",
        "an target.example.net. 60 A 198.51.100.8");
    upstream("nope.example.test.", Type.A, false, false, Rcode.NXDOMAIN, ra,
        "au example.test. 600 SOA ns.example.test. admin.example.test. 5 3600 600 86400 120");
    upstream("www.example.test.", Type.AAAA, false, false, Rcode.NOERROR, ra,
        "au example.test. 600 SOA ns.example.test. admin.example.test. 5 3600 600 86400 120");
    upstream("signed.example.test.", Type.A, true, true, Rcode.NOERROR, ra, "an signed.example.test. 300 A 192.0.2.9");
    upstream("mx.example.test.", Type.MX, false, false, Rcode.NOERROR, ra,
        "an mx.example.test. 300 MX 10 a.mx.example.test.", "an mx.example.test. 300 MX 20 b.mx.example.test.",
        "ad a.mx.example.test. 300 A 192.0.2.20");
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      many.add("an big.example.test. 300 A 10.9." + (i / 200) + "." + (i % 200));
    }
    upstream("big.example.test.", Type.A, false, false, Rcode.NOERROR, ra, many.toArray(new String[0]));
  }

  @Test
  void hitsGiveTheFullPathsBytesAsTheTtlCountsDown() throws IOException {
    fileReplies();
    QueryPipeline reference = pipeline(false, false);
    QueryPipeline fast = pipeline(true, false);
    record Ask(String name, int type, boolean dnssecOk, boolean cd) {}
    List<Ask> asks = List.of(new Ask("www.example.test.", Type.A, false, false),
        new Ask("multi.example.test.", Type.A, false, false), new Ask("alias.example.test.", Type.A, false, false),
        new Ask("nope.example.test.", Type.A, false, false), new Ask("www.example.test.", Type.AAAA, false, false),
        new Ask("signed.example.test.", Type.A, true, true), new Ask("mx.example.test.", Type.MX, false, false),
        new Ask("big.example.test.", Type.A, false, false), new Ask("WWW.Example.TEST.", Type.A, false, false));
    for (int second = 0; second < 70; second += 7) {
      for (Ask a : asks) {
        for (int payload : new int[] {0, 1232}) {
          for (boolean tcp : List.of(false, true)) {
            byte[] q = query(a.name(), a.type(), a.dnssecOk() ? 1232 : payload, a.dnssecOk(), a.cd(), 0x4321);
            String what = a + " payload " + payload + (tcp ? " tcp" : " udp") + " at +" + second + " s";
            assertArrayEquals(ask(reference, q, tcp), ask(fast, q, tcp), what);
          }
        }
      }
      nanos.addAndGet(7_000_000_000L);
    }
  }

  @Test
  void hitsAreCountedOnceAsTheFullPathCountsThem() throws IOException {
    PrometheusRegistry registry = new PrometheusRegistry();
    ResponseCache counted = new ResponseCache(CacheConfig.of(3600), CacheMetrics.register(registry), "dns://:53",
        nanos::get, Runnable::run);
    Message q = new Message(query("www.example.test.", Type.A, 0, false, false, 1));
    Message r = new Message(1);
    r.getHeader().setFlag(Flags.QR);
    r.addRecord(q.getQuestion(), Section.QUESTION);
    r.addRecord(Record.fromString(Name.fromString("www.example.test."), Type.A, DClass.IN, 300, "192.0.2.1",
        Name.root), Section.ANSWER);
    counted.store(q, new Message(r.toWire()));
    ForwardedReplies fast = new ForwardedReplies(counted, false);
    WireQuery w = WireQuery.read(query("www.example.test.", Type.A, 0, false, false, 2));
    for (int i = 0; i < 5; i++) {
      assertNotNull(fast.reply(w, false));
    }
    String text = scrape(registry);
    assertTrue(text.contains("coredns_cache_hits_total{server=\"dns://:53\",type=\"success\",view=\"\",zones=\".\"} 5.0")
        || text.matches("(?s).*coredns_cache_hits_total\\{[^}]*type=\"success\"[^}]*\\} 5\\.0.*"), text);
    assertTrue(text.matches("(?s).*coredns_cache_requests_total\\{[^}]*\\} 5\\.0.*"), text);
  }

  @Test
  void loadbalanceShufflesCachedForwardedAnswers() throws IOException {
    fileReplies();
    QueryPipeline fast = pipeline(true, true);
    byte[] q = query("multi.example.test.", Type.A, 0, false, false, 3);
    Set<String> orders = new HashSet<>();
    Set<String> records = null;
    for (int i = 0; i < 200; i++) {
      Message m = new Message(ask(fast, q, false));
      List<Record> an = m.getSection(Section.ANSWER);
      Set<String> now = new java.util.TreeSet<>();
      an.forEach(rr -> now.add(rr.toString()));
      if (records == null) {
        records = now;
      }
      assertEquals(records, now, "same records every time");
      orders.add(an.toString());
    }
    assertEquals(4, records.size());
    assertTrue(orders.size() > 1, "order varies");
  }

  private static String scrape(PrometheusRegistry registry) throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    new io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter(false).write(out, registry.scrape());
    return out.toString(java.nio.charset.StandardCharsets.UTF_8);
  }
}
