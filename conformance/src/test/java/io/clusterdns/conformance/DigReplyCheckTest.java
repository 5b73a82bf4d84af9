package io.clusterdns.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Parsing real dig 9.18 output and judging it against cases. */
class DigReplyCheckTest {

  private static final String NXDOMAIN = """
      ;; Got answer:
      ;; ->>HEADER<<- opcode: QUERY, status: NXDOMAIN, id: 59638
      ;; flags: qr aa rd; QUERY: 1, ANSWER: 0, AUTHORITY: 1, ADDITIONAL: 1
      ;; WARNING: recursion requested but not available

      ;; OPT PSEUDOSECTION:
      ; EDNS: version: 0, flags: do; udp: 1232
      ;; QUESTION SECTION:
      ;NoPe.conf-a.svc.cluster.local.\tIN\tA

      ;; AUTHORITY SECTION:
      cluster.local.\t\t30\tIN\tSOA\tns.dns.cluster.local. hostmaster.cluster.local. 1700000000 7200 1800 86400 30
      """;

  private static final String TRUNCATED_THEN_TCP = """
      ;; Got answer:
      ;; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 1
      ;; flags: qr aa tc rd; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 0
      ;; QUESTION SECTION:
      ;big.z.\t\t\tIN\tA

      ;; ANSWER SECTION:
      big.z.\t30\tIN\tA\t10.0.0.1

      ;; Truncated, retrying in TCP mode.
      ;; Got answer:
      ;; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 2
      ;; flags: qr aa rd; QUERY: 1, ANSWER: 2, AUTHORITY: 0, ADDITIONAL: 0
      ;; QUESTION SECTION:
      ;big.z.\t\t\tIN\tA

      ;; ANSWER SECTION:
      big.z.\t30\tIN\tA\t10.0.0.1
      big.z.\t30\tIN\tA\t10.0.0.2
      """;

  private static DigCase parseCase(String line) {
    return CaseTable.parse(line + "\n", s -> s).get(0);
  }

  @Test
  void parsesHeaderOptQuestionAndSections() {
    DigReply r = DigOutputParser.parse(NXDOMAIN);
    assertEquals("NXDOMAIN", r.status());
    assertEquals(Set.of("qr", "aa", "rd"), r.flags());
    assertEquals(0, r.ednsVersion());
    assertEquals(Set.of("do"), r.ednsFlags());
    assertEquals("NoPe.conf-a.svc.cluster.local.", r.questionName());
    assertEquals("A", r.questionType());
    assertEquals(1, r.authority().size());
    assertEquals(List.of("ns.dns.cluster.local.", "hostmaster.cluster.local.", "1700000000", "7200", "1800",
        "86400", "30"), r.authority().get(0).rdata());
  }

  @Test
  void lastMessageCountsAfterTcpRetry() {
    DigReply r = DigOutputParser.parse(TRUNCATED_THEN_TCP);
    assertEquals(2, r.answer().size());
    assertTrue(!r.flags().contains("tc"));
  }

  @Test
  void noReplyIsReportedNotThrown() {
    DigReply r = DigOutputParser.parse(";; communications error to 127.0.0.1#1: connection refused\n");
    assertNull(r.status());
    DigCase c = parseCase("c\tx.z\tA\t-\tNOERROR\t-\t-\t-\t-\tspec\tRFC 1035");
    assertEquals(List.of("no reply: ;; communications error to 127.0.0.1#1: connection refused"),
        CaseCheck.problems(c, r));
  }

  @Test
  void negativeAnswerWithSerialWildcardPasses() {
    DigCase c = parseCase("c\tNoPe.conf-a.svc.cluster.local\tA\t-\tNXDOMAIN\taa edns0 do\t-\t"
        + "cluster.local. 30 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. * 7200 1800 86400 30\t-\tspec case\tRFC 2308");
    assertEquals(List.of(), CaseCheck.problems(c, DigOutputParser.parse(NXDOMAIN)));
  }

  @Test
  void eachDifferenceIsReported() {
    DigCase c = parseCase("c\tnope.conf-a.svc.cluster.local\tA\t-\tNOERROR\t!aa !edns\t-\t"
        + "cluster.local. 5 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. * 7200 1800 86400 30\t-\tspec case\tRFC 2308");
    List<String> p = CaseCheck.problems(c, DigOutputParser.parse(NXDOMAIN));
    assertEquals(5, p.size(), p.toString());
    assertTrue(p.get(0).startsWith("rcode: expected NOERROR, got NXDOMAIN"), p.get(0));
    assertTrue(p.get(1).startsWith("question: expected nope.conf-a.svc.cluster.local. A, got NoPe."), p.get(1));
    assertTrue(p.get(4).startsWith("authority: missing"), p.get(4));
  }

  @Test
  void unexpectedTruncationFailsAndSubsetNeedsSomeRecords() {
    String tcOnly = TRUNCATED_THEN_TCP.substring(0, TRUNCATED_THEN_TCP.indexOf(";; Truncated"));
    DigCase plain = parseCase("c\tbig.z\tA\t-\tNOERROR\t-\t*\t*\t*\twire\tRFC 1035");
    assertEquals(List.of("flags: tc set, not expected"), CaseCheck.problems(plain, DigOutputParser.parse(tcOnly)));
    DigCase subset = parseCase("c\tbig.z\tA\t-\tNOERROR\ttc\t~big.z. 30 IN A 10.0.0.1 | big.z. 30 IN A 10.0.0.2\t*\t*\twire\tRFC 1035");
    assertEquals(List.of(), CaseCheck.problems(subset, DigOutputParser.parse(tcOnly)));
  }

  @Test
  void cnameMustPrecedeItsTarget() {
    String out = """
        ;; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 1
        ;; flags: qr aa; QUERY: 1, ANSWER: 2, AUTHORITY: 0, ADDITIONAL: 0
        ;; QUESTION SECTION:
        ;e.z.\t\t\tIN\tA

        ;; ANSWER SECTION:
        t.z.\t30\tIN\tA\t10.0.0.1
        e.z.\t30\tIN\tCNAME\tt.z.
        """;
    DigCase c = parseCase("c\te.z\tA\t-\tNOERROR\taa\t@q 30 IN CNAME t.z. | t.z. 30 IN A 10.0.0.1\t-\t-\tspec\tbehaviours.md 6.2");
    List<String> p = CaseCheck.problems(c, DigOutputParser.parse(out));
    assertEquals(1, p.size(), p.toString());
    assertTrue(p.get(0).startsWith("answer order: CNAME e.z. -> t.z."), p.get(0));
  }

  @Test
  void recordPatternsCompareTtlRangesAddressesAndCase() {
    RecordPattern p = RecordPattern.parse("Foo.z. 0-30 IN AAAA fd00:10:244:3:0:0:0:0");
    assertTrue(p.matches(DigRecord.parse("foo.z. 12 IN AAAA fd00:10:244:3::"), false));
    assertTrue(!p.matches(DigRecord.parse("foo.z. 12 IN AAAA fd00:10:244:3::"), true), "case-exact owner");
    assertTrue(!p.matches(DigRecord.parse("foo.z. 31 IN AAAA fd00:10:244:3::"), false), "TTL above range");
    RecordPattern srv = RecordPattern.parse("_h._t.z. 30 IN SRV 0 100 80 web.z.");
    assertTrue(srv.matches(DigRecord.parse("_h._t.z. 30 IN SRV 0 100 80 WEB.z."), false));
    assertTrue(!srv.matches(DigRecord.parse("_h._t.z. 30 IN SRV 0 100 80 WEB.z."), true));
    assertTrue(!srv.matches(DigRecord.parse("_h._t.z. 30 IN SRV 0 50 80 web.z."), false));
    RecordPattern txt = RecordPattern.parse("d.z. 28800 IN TXT \"1.1.0\"");
    assertTrue(txt.matches(DigRecord.parse("d.z.\t28800\tIN\tTXT\t\"1.1.0\""), false));
  }
}
