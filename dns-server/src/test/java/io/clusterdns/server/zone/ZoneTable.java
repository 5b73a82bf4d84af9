package io.clusterdns.server.zone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.Master;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * Runs a table of {@link ZoneCase}s against a {@link ClusterZone} (STYLE.md "Table-driven answers"): sections
 * are compared as sets of dnsjava's text form (so TTL and letter case count), CNAMEs must come first and in
 * chain order, and every negative answer must carry the SOA of behaviours.md 9.3.
 */
final class ZoneTable {
  private final ClusterZone zone;
  private final long ttl;
  private final long serial;

  ZoneTable(ClusterZone zone, long ttl, long serial) {
    this.zone = zone;
    this.ttl = ttl;
    this.serial = serial;
  }

  Stream<DynamicTest> run(List<ZoneCase> cases) {
    return cases.stream().map(c -> DynamicTest.dynamicTest(c.toString(), () -> check(c)));
  }

  void check(ZoneCase c) throws IOException {
    int type = Type.value(c.qtype);
    assertTrue(type >= 0, "unknown type " + c.qtype);
    Name qname = Name.fromString(c.qname);
    assertTrue(zone.covers(qname), c + ": covers()");
    // lookup() is answer() without its catch-all, so a thrown exception fails the case.
    Answer a = zone.lookup(qname, type);
    assertNotNull(a, c.toString());
    switch (c.outcome) {
      case FOUND -> {
        Answer.Found f = assertInstanceOf(Answer.Found.class, a, c.toString());
        assertSection(c, "answer", c.answer, f.answer());
        assertSection(c, "additional", c.additional, f.additional());
        assertCnameChain(c, f.answer());
      }
      case NODATA -> {
        Answer.NoData n = assertInstanceOf(Answer.NoData.class, a, c.toString());
        assertEquals(expectedSoa(c), n.soa().toString(), c + ": SOA");
      }
      case NXDOMAIN -> {
        Answer.NxDomain n = assertInstanceOf(Answer.NxDomain.class, a, c.toString());
        assertEquals(expectedSoa(c), n.soa().toString(), c + ": SOA");
      }
      case EXTERNAL -> {
        Answer.External e = assertInstanceOf(Answer.External.class, a, c.toString());
        assertEquals(Name.fromString(c.externalTarget), e.target(), c + ": target");
        assertEquals(c.externalTarget, e.target().toString(), c + ": target spelling");
        assertEquals(texts(parse(c.answer)), texts(e.cnames()), c + ": cnames");
        assertCnameChain(c, e.cnames());
        Record last = e.cnames().get(e.cnames().size() - 1);
        assertEquals(e.target(), ((CNAMERecord) last).getTarget(), c + ": chain ends at the target");
      }
      case FALL_THROUGH -> assertInstanceOf(Answer.FallThrough.class, a, c.toString());
      case NOT_SYNCED -> assertInstanceOf(Answer.NotSynced.class, a, c.toString());
      case REFUSED -> assertInstanceOf(Answer.Refused.class, a, c.toString());
      default -> fail("no outcome given for " + c);
    }
  }

  /**
   * behaviours.md 9.3: {@code <zone>. <min(ttl,300)> IN SOA ns.dns.<zone>. hostmaster.<zone>. <serial> 7200
   * 1800 86400 <ttl>}, the zone spelled as in the question, in the owner and in MNAME/RNAME alike (CoreDNS
   * builds all three from the question's zone suffix; K8S handler_case_test.go).
   */
  private String expectedSoa(ZoneCase c) throws IOException {
    String owner = c.soaZone == null ? "cluster.local." : c.soaZone;
    String text = owner + " " + Math.min(ttl, 300) + " IN SOA ns.dns." + owner + " hostmaster." + owner + " "
        + serial + " 7200 1800 86400 " + ttl;
    return parse(List.of(text)).get(0).toString();
  }

  private static void assertSection(ZoneCase c, String section, List<String> expected, List<Record> actual)
      throws IOException {
    List<Record> want = parse(expected);
    assertEquals(texts(want), texts(actual), c + ": " + section);
    assertEquals(want.size(), actual.size(), c + ": " + section + " has duplicates");
  }

  /** 6.2: every CNAME precedes the records of its target, and each CNAME continues the previous one. */
  private static void assertCnameChain(ZoneCase c, List<Record> records) {
    Name expectedOwner = null;
    boolean sawOther = false;
    for (Record r : records) {
      if (r.getType() == Type.CNAME) {
        assertTrue(!sawOther, c + ": CNAME after non-CNAME records: " + records);
        if (expectedOwner != null) {
          assertEquals(expectedOwner, r.getName(), c + ": CNAME chain order " + records);
        }
        expectedOwner = ((CNAMERecord) r).getTarget();
      } else {
        sawOther = true;
        if (expectedOwner != null) {
          assertEquals(expectedOwner, r.getName(), c + ": records after the chain belong to its end");
        }
      }
    }
  }

  static List<Record> parse(List<String> lines) throws IOException {
    List<Record> out = new ArrayList<>();
    for (String line : lines) {
      try (Master m = new Master(new ByteArrayInputStream(line.getBytes(StandardCharsets.UTF_8)), Name.root)) {
        Record r = m.nextRecord();
        assertNotNull(r, "cannot parse " + line);
        out.add(r);
      }
    }
    return out;
  }

  /** dnsjava's text form keeps owner case and TTL, which Record.equals ignores. */
  static TreeSet<String> texts(List<Record> records) {
    TreeSet<String> s = new TreeSet<>();
    for (Record r : records) {
      s.add(r.toString());
    }
    return s;
  }
}
