package io.clusterdns.server.query;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** The token buckets and the slip with a fake clock: no sleeps, every count exact. */
class ResponseRateLimiterTest {
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

  private ResponseRateLimiter limiter(int rate, int slip) {
    return new ResponseRateLimiter(rate, slip, 24, 56, nanos::get, 42);
  }

  private static byte[] reply() throws Exception {
    Message m = new Message(0x1234);
    m.getHeader().setFlag(Flags.QR);
    m.getHeader().setFlag(Flags.AA);
    Name n = Name.fromString("web.default.svc.cluster.local.");
    m.addRecord(Record.newRecord(n, Type.A, DClass.IN), Section.QUESTION);
    m.addRecord(new ARecord(n, DClass.IN, 30, InetAddress.getByName("10.96.0.1")), Section.ANSWER);
    return m.toWire();
  }

  /** Sends {@code n} replies to {@code client} and returns what went out. */
  private static List<byte[]> burst(ResponseRateLimiter rrl, String client, int n) throws Exception {
    List<byte[]> sent = new ArrayList<>();
    byte[] reply = reply();
    for (int i = 0; i < n; i++) {
      rrl.guard(InetAddress.getByName(client), sent::add).send(reply);
    }
    return sent;
  }

  private static long truncated(List<byte[]> sent) throws Exception {
    long tc = 0;
    for (byte[] b : sent) {
      if (new Message(b).getHeader().getFlag(Flags.TC)) {
        tc++;
      }
    }
    return tc;
  }

  @Test
  void aBucketHoldsOneSecondOfResponsesAndRefillsWithTime() throws Exception {
    ResponseRateLimiter rrl = limiter(10, 0);
    assertEquals(10, burst(rrl, "192.0.2.1", 25).size(), "a full bucket, then nothing");
    assertEquals(15, rrl.dropped());
    nanos.addAndGet(100_000_000L); // 100 ms: one token at 10/s
    assertEquals(1, burst(rrl, "192.0.2.1", 5).size());
    nanos.addAndGet(250_000_000L); // 250 ms: 2.5 tokens; the half is kept for later
    assertEquals(2, burst(rrl, "192.0.2.1", 5).size());
    nanos.addAndGet(50_000_000L);
    assertEquals(1, burst(rrl, "192.0.2.1", 5).size(), "the kept half and 50 ms make one");
    nanos.addAndGet(60_000_000_000L);
    assertEquals(10, burst(rrl, "192.0.2.1", 30).size(), "an idle minute refills only one second's worth");
  }

  @Test
  void clientsOfOnePrefixShareABucketOthersDoNot() throws Exception {
    ResponseRateLimiter rrl = limiter(4, 0);
    assertEquals(4, burst(rrl, "198.51.100.1", 4).size());
    assertEquals(0, burst(rrl, "198.51.100.200", 3).size(), "same /24");
    assertEquals(4, burst(rrl, "198.51.101.1", 6).size(), "the next /24 has its own bucket");
    assertEquals(4, burst(rrl, "2001:db8:0:1::1", 4).size());
    assertEquals(0, burst(rrl, "2001:db8:0:ff:ffff::9", 2).size(), "same /56");
    assertEquals(4, burst(rrl, "2001:db8:0:200::1", 9).size(), "the next /56");
  }

  @Test
  void everySlipthLimitedReplyIsTruncatedTheRestDropped() throws Exception {
    ResponseRateLimiter two = limiter(5, 2);
    List<byte[]> sent = burst(two, "203.0.113.9", 25);
    assertEquals(5 + 10, sent.size(), "5 answers and every other of the 20 limited");
    assertEquals(10, truncated(sent));
    assertEquals(10, two.slipped());
    assertEquals(10, two.dropped());

    ResponseRateLimiter one = limiter(5, 1);
    assertEquals(20, truncated(burst(one, "203.0.113.9", 25)), "slip 1 truncates every limited reply");

    ResponseRateLimiter none = limiter(5, 0);
    List<byte[]> dropped = burst(none, "203.0.113.9", 25);
    assertEquals(5, dropped.size(), "slip 0 drops every limited reply");
    assertEquals(0, truncated(dropped));
  }

  @Test
  void theSlipReplyIsTheHeaderAndQuestionWithTc() throws Exception {
    byte[] full = reply();
    Message tc = new Message(ResponseRateLimiter.truncated(full));
    assertEquals(0x1234, tc.getHeader().getID());
    assertTrue(tc.getHeader().getFlag(Flags.TC) && tc.getHeader().getFlag(Flags.QR)
        && tc.getHeader().getFlag(Flags.AA));
    assertEquals("web.default.svc.cluster.local.", tc.getQuestion().getName().toString());
    assertTrue(tc.getSection(Section.ANSWER).isEmpty());
    assertArrayEquals(new byte[6], java.util.Arrays.copyOfRange(ResponseRateLimiter.truncated(full), 6, 12),
        "ANCOUNT, NSCOUNT, ARCOUNT are 0");
    assertNull(ResponseRateLimiter.truncated(new byte[] {1, 2, 3}), "no header: dropped instead");
  }

  @Test
  void theTableIsBoundedHoweverManyPrefixesSend() throws Exception {
    // 200,000 distinct /24s into 65,536 slots: the memory stays the array's; a shared slot only limits more.
    ResponseRateLimiter rrl = limiter(1, 0);
    byte[] reply = reply();
    List<byte[]> sent = new ArrayList<>();
    for (int i = 0; i < 200_000; i++) {
      byte[] a = {(byte) (10 + (i >>> 16)), (byte) (i >>> 8), (byte) i, 1};
      rrl.guard(InetAddress.getByAddress(a), sent::add).send(reply);
    }
    assertTrue(sent.size() <= 1 << ResponseRateLimiter.SLOT_BITS, "at most one reply per slot: " + sent.size());
    assertTrue(sent.size() > 50_000, "most prefixes got their one reply: " + sent.size());
  }
}
