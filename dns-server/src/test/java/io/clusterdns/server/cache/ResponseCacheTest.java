package io.clusterdns.server.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clusterdns.config.CacheConfig;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
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

/** Cache semantics of behaviours.md 11.4 with a hand-moved clock. */
class ResponseCacheTest {

  private final FakeTicker ticker = new FakeTicker();
  private final PrometheusRegistry registry = new PrometheusRegistry();

  private ResponseCache cache(CacheConfig c) {
    return new ResponseCache(c, CacheMetrics.register(registry), "dns://:53", ticker, Runnable::run);
  }

  static Message query(String name, int type) throws IOException {
    return Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
  }

  static Message reply(Message q, int rcode, String... records) throws IOException {
    Message r = new Message(q.getHeader().getID());
    r.getHeader().setFlag(Flags.QR);
    r.getHeader().setFlag(Flags.RA);
    r.getHeader().setRcode(rcode);
    r.addRecord(q.getQuestion(), Section.QUESTION);
    for (String text : records) {
      // "SECTION owner ttl type rdata"
      String[] p = text.split(" ", 5);
      int section = switch (p[0]) {
        case "an" -> Section.ANSWER;
        case "au" -> Section.AUTHORITY;
        default -> Section.ADDITIONAL;
      };
      r.addRecord(Record.fromString(Name.fromString(p[1]), Type.value(p[3]), DClass.IN,
          Long.parseLong(p[2]), p[4], Name.root), section);
    }
    return new Message(r.toWire()); // as the forwarder hands it over: parsed from the wire
  }

  private static final String SOA = "au example.com. %d SOA ns.example.com. admin.example.com. 1 3600 600 86400 %d";

  private static Message hit(ResponseCache c, Message q) {
    return assertInstanceOf(ResponseCache.Hit.class, c.lookup(q)).reply();
  }

  private static void allTtls(Message m, long ttl) {
    for (int s = Section.ANSWER; s <= Section.ADDITIONAL; s++) {
      for (Record r : m.getSection(s)) {
        assertEquals(ttl, r.getTTL(), "TTL of " + r);
      }
    }
  }

  @Test
  void servedTtlsCountDownAndAllRecordsCarryTheSmallest() throws Exception {
    ResponseCache c = cache(CacheConfig.of(3600));
    Message q = query("www.example.com.", Type.A);
    assertTrue(c.store(q, reply(q, Rcode.NOERROR, "an www.example.com. 100 A 192.0.2.1",
        "an www.example.com. 60 A 192.0.2.2", "ad ns.example.com. 300 A 192.0.2.53")));
    allTtls(hit(c, q), 60);
    ticker.advance(Duration.ofSeconds(25));
    allTtls(hit(c, q), 35);
    ticker.advance(Duration.ofSeconds(35));
    assertInstanceOf(ResponseCache.Miss.class, c.lookup(q));
  }

  @Test
  void theCacheTtlCapsAndMinTtlFloorsTheStoredTtl() throws Exception {
    ResponseCache c = cache(CacheConfig.of(30)); // kubeadm: cache 30
    Message q = query("long.example.com.", Type.A);
    c.store(q, reply(q, Rcode.NOERROR, "an long.example.com. 86400 A 192.0.2.1"));
    allTtls(hit(c, q), 30);
    Message q2 = query("short.example.com.", Type.A);
    c.store(q2, reply(q2, Rcode.NOERROR, "an short.example.com. 1 A 192.0.2.1"));
    allTtls(hit(c, q2), 5);
    ticker.advance(Duration.ofSeconds(3));
    allTtls(hit(c, q2), 2);
  }

  @Test
  void hitsAreAuthoritativeEvenWhenTheUpstreamReplyWasNot() throws Exception {
    ResponseCache c = cache(CacheConfig.of(30));
    Message q = query("www.example.com.", Type.A);
    Message upstream = reply(q, Rcode.NOERROR, "an www.example.com. 60 A 192.0.2.1");
    upstream.getHeader().unsetFlag(Flags.AA); // a recursive upstream's answer
    c.store(q, upstream);
    // behaviours.md 9.6: CoreDNS's cache sets AA on what it serves (old glibc drops non-AA replies).
    assertTrue(hit(c, q).getHeader().getFlag(Flags.AA));
  }

  @Test
  void hitsEchoTheClientsIdRdAndQuestionSpelling() throws Exception {
    ResponseCache c = cache(CacheConfig.of(30));
    Message q = query("www.example.com.", Type.A);
    c.store(q, reply(q, Rcode.NOERROR, "an www.example.com. 60 A 192.0.2.1"));
    Message q2 = query("WwW.ExAmple.COM.", Type.A);
    Message r = hit(c, q2);
    assertEquals(q2.getHeader().getID(), r.getHeader().getID());
    assertTrue(r.getHeader().getFlag(Flags.RD));
    assertEquals("WwW.ExAmple.COM.", r.getQuestion().getName().toString());
    Message wire = new Message(r.toWire());
    assertEquals("WwW.ExAmple.COM.", wire.getSection(Section.ANSWER).get(0).getName().toString(),
        "the answer's owner is rendered as a pointer to the question");
  }

  @ParameterizedTest(name = "DO={0} CD={1}")
  @CsvSource({"true,false", "false,true", "true,true"})
  void dnssecOkAndCheckingDisabledAreSeparateEntries(boolean dnssecOk, boolean cd) throws Exception {
    ResponseCache c = cache(CacheConfig.of(30));
    Message plain = query("www.example.com.", Type.A);
    c.store(plain, reply(plain, Rcode.NOERROR, "an www.example.com. 60 A 192.0.2.1"));
    Message other = query("www.example.com.", Type.A);
    if (dnssecOk) {
      other.addRecord(new OPTRecord(1232, 0, 0, ExtendedFlags.DO), Section.ADDITIONAL);
    }
    if (cd) {
      other.getHeader().setFlag(Flags.CD);
    }
    assertInstanceOf(ResponseCache.Miss.class, c.lookup(other));
    assertInstanceOf(ResponseCache.Hit.class, c.lookup(plain));
  }

  @Test
  void nxdomainIsCachedForTheSoaMinimumAndCountsDown() throws Exception {
    ResponseCache c = cache(CacheConfig.of(3600));
    Message q = query("nope.example.com.", Type.A);
    c.store(q, reply(q, Rcode.NXDOMAIN, SOA.formatted(120, 60)));
    Message r = hit(c, q);
    assertEquals(Rcode.NXDOMAIN, r.getRcode());
    allTtls(r, 60); // min(SOA TTL 120, MINIMUM 60), RFC 2308 5
    ticker.advance(Duration.ofSeconds(59));
    allTtls(hit(c, q), 1);
    ticker.advance(Duration.ofSeconds(1));
    assertInstanceOf(ResponseCache.Miss.class, c.lookup(q));
    assertTrue(scrape().contains("coredns_cache_hits_total{server=\"dns://:53\",type=\"denial\",view=\"\","
        + "zones=\".\"} 2.0"), scrape());
  }

  @Test
  void nodataIsCachedInTheDenialSection() throws Exception {
    ResponseCache c = cache(CacheConfig.of(30));
    Message q = query("www.example.com.", Type.AAAA);
    c.store(q, reply(q, Rcode.NOERROR, SOA.formatted(300, 300)));
    assertEquals(1, c.denialEntries());
    assertEquals(0, c.successEntries());
    allTtls(hit(c, q), 30);
  }

  @Test
  void upstreamServfailIsCachedFiveSeconds() throws Exception {
    ResponseCache c = cache(CacheConfig.of(30));
    Message q = query("broken.example.com.", Type.A);
    assertTrue(c.store(q, reply(q, Rcode.SERVFAIL)));
    assertEquals(Rcode.SERVFAIL, hit(c, q).getRcode());
    ticker.advance(Duration.ofSeconds(5));
    assertInstanceOf(ResponseCache.Miss.class, c.lookup(q));
  }

  @ParameterizedTest
  @CsvSource({"REFUSED", "FORMERR", "NOTIMP", "TC"})
  void truncatedAndOtherErrorRepliesAreNotCached(String what) throws Exception {
    ResponseCache c = cache(CacheConfig.of(30));
    Message q = query("www.example.com.", Type.TXT);
    Message r;
    if (what.equals("TC")) {
      r = reply(q, Rcode.NOERROR, "an www.example.com. 60 TXT \"part\"");
      r.getHeader().setFlag(Flags.TC);
    } else {
      r = reply(q, Rcode.value(what));
    }
    assertFalse(c.store(q, r));
    assertInstanceOf(ResponseCache.Miss.class, c.lookup(q));
  }

  @Test
  void disabledZonesAndNamesOutsideTheCacheZonesAreNotCached() throws Exception {
    ResponseCache c = cache(CacheConfig.kubeadm("cluster.local."));
    Message svc = query("kubernetes.default.svc.cluster.local.", Type.A);
    assertFalse(c.store(svc, reply(svc, Rcode.NOERROR, "an kubernetes.default.svc.cluster.local. 5 A 10.0.0.1")));
    Message missing = query("nope.svc.cluster.local.", Type.A);
    assertFalse(c.store(missing, reply(missing, Rcode.NXDOMAIN, SOA.formatted(5, 5))));
    Message ext = query("www.example.com.", Type.A);
    assertTrue(c.store(ext, reply(ext, Rcode.NOERROR, "an www.example.com. 60 A 192.0.2.1")));
  }

  @Test
  void capacityBoundsTheEntriesAndEvictionsAreCounted() throws Exception {
    ResponseCache c = cache(CacheConfig.of(30).withCapacity(10, 10, 1 << 20));
    for (int i = 0; i < 200; i++) {
      Message q = query("n" + i + ".example.com.", Type.A);
      c.store(q, reply(q, Rcode.NOERROR, "an n" + i + ".example.com. 60 A 192.0.2.1"));
    }
    c.cleanUp();
    assertTrue(c.successEntries() <= 10, "entries: " + c.successEntries());
    assertTrue(scrape().contains("coredns_cache_evictions_total{server=\"dns://:53\",type=\"success\""));
  }

  @Test
  void bytesBoundTheEntriesWhenRepliesAreLarge() throws Exception {
    // 10,000 entries allowed, but only 64 KiB: a 1 KiB reply weighs about 6 KiB on the heap.
    ResponseCache c = cache(CacheConfig.of(30).withCapacity(10_000, 10_000, 64 << 10));
    String big = "\"" + "z".repeat(200) + "\"";
    for (int i = 0; i < 100; i++) {
      Message q = query("n" + i + ".example.com.", Type.TXT);
      String o = "an n" + i + ".example.com. 60 TXT ";
      c.store(q, reply(q, Rcode.NOERROR, o + big, o + big.replace('z', 'y'), o + big.replace('z', 'x'),
          o + big.replace('z', 'w'), o + big.replace('z', 'v')));
    }
    c.cleanUp();
    assertTrue(c.successEntries() <= 12, "entries: " + c.successEntries());
  }

  @Test
  void staleEntriesAreOfferedWithTtlZeroInsideTheServeStaleWindowOnly() throws Exception {
    ResponseCache c = cache(CacheConfig.of(30).withServeStale(Duration.ofSeconds(60), false));
    Message q = query("www.example.com.", Type.A);
    c.store(q, reply(q, Rcode.NOERROR, "an www.example.com. 10 A 192.0.2.1"));
    ticker.advance(Duration.ofSeconds(30));
    ResponseCache.Stale s = assertInstanceOf(ResponseCache.Stale.class, c.lookup(q));
    allTtls(s.reply(), 0);
    ticker.advance(Duration.ofSeconds(45));
    assertInstanceOf(ResponseCache.Miss.class, c.lookup(q));
  }

  @Test
  void aReplyForAnotherQuestionIsDropped() throws Exception {
    ResponseCache c = cache(CacheConfig.of(30));
    Message q = query("www.example.com.", Type.A);
    Message other = query("evil.example.com.", Type.A);
    assertFalse(c.store(q, reply(other, Rcode.NOERROR, "an evil.example.com. 60 A 203.0.113.1")));
  }

  private String scrape() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, registry.scrape());
    return out.toString(StandardCharsets.UTF_8);
  }
}
