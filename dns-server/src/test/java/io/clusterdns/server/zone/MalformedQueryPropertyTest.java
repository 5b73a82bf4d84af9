package io.clusterdns.server.zone;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clusterdns.config.PodsMode;
import io.clusterdns.server.forward.LoopDetector;
import io.clusterdns.server.query.ClusterReplies;
import io.clusterdns.server.query.QueryObserver;
import io.clusterdns.server.query.QueryPipeline;
import io.clusterdns.server.query.UpstreamPath;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Property-based tests of the whole query path against malformed input (issue 20): random bytes, and queries
 * broken on purpose (counts of 0, 2 or 65535 questions, compression pointers that loop or point forward or out
 * of the packet, labels over 63 and names over 255 bytes, OPT repeated or in the wrong section, unknown classes
 * and opcodes, QR=1, truncation, trailing garbage). Each input goes through the pipeline with the encoded-bytes
 * fast path and through the reference pipeline that builds every reply, and must get:
 * <ul>
 *   <li>no reply when it is shorter than a header or is a response (QR=1; behaviours.md 10.4),
 *   <li>otherwise exactly one reply, at once, that dnsjava parses: QR set, the query's ID and opcode, an rcode of
 *       the rules (NOERROR, NXDOMAIN, FORMERR, NOTIMP, REFUSED, BADVERS, or SERVFAIL from the absent upstream);
 *   <li>the same bytes from both pipelines (the fast path never decides differently from the full one).
 * </ul>
 * No exception may escape. 50,000 inputs per property in the test command ({@code jqwik.tries.default} in
 * {@code junit-platform.properties}); a long run sets it on the command line:
 * {@code mvn -pl dns-server -am test -Dtest=MalformedQueryPropertyTest -Djqwik.tries.default=2000000}.
 */
class MalformedQueryPropertyTest {
  private static final LoopDetector NO_LOOP = new LoopDetector(Name.root);

  /** Rcodes a reply may carry (RFC 1035, RFC 6891 BADVERS = 16). */
  private static final Set<Integer> RULE_RCODES = Set.of(Rcode.NOERROR, Rcode.NXDOMAIN, Rcode.FORMERR,
      Rcode.NOTIMP, Rcode.REFUSED, Rcode.SERVFAIL, Rcode.BADVERS);

  /** Names the structured inputs start from: cluster names of every kind, and names outside the zone. */
  private static final List<String> NAMES = List.of("web.ns1.svc.cluster.local.", "hl.ns1.svc.cluster.local.",
      "_http._tcp.web.ns1.svc.cluster.local.", "ns1.svc.cluster.local.", "cluster.local.",
      "dns-version.cluster.local.", "10-244-1-2.ns1.pod.cluster.local.", "1.0.96.10.in-addr.arpa.",
      "nope.ns1.svc.cluster.local.", "example.com.", ".");

  private static final int[] TYPES = {Type.A, Type.AAAA, Type.SRV, Type.PTR, Type.TXT, Type.NS, Type.SOA,
      Type.ANY, Type.AXFR, Type.IXFR, Type.CNAME, Type.OPT, 0, 65535};

  private final ClusterZone zone = ZoneFixture.zone(PodsMode.INSECURE);
  private final UpstreamPath failing =
      (q, tcp) -> CompletableFuture.failedFuture(new IllegalStateException("no upstream in this test"));
  private final QueryPipeline fast = new QueryPipeline(zone, failing, QueryObserver.NONE, NO_LOOP, false,
      new ClusterReplies(zone, false, ClusterReplies.DEFAULT_MAX_BYTES));
  private final QueryPipeline reference =
      new QueryPipeline(zone, failing, QueryObserver.NONE, NO_LOOP, false, (ClusterReplies) null);

  @Property
  void randomBytesAreAnsweredByTheRulesOrDropped(
      @ForAll("randomPackets") byte[] packet, @ForAll boolean tcp) {
    check(packet, tcp);
  }

  @Property
  void brokenQueriesAreAnsweredByTheRulesOrDropped(
      @ForAll("brokenQueries") byte[] packet, @ForAll boolean tcp) {
    check(packet, tcp);
  }

  private void check(byte[] packet, boolean tcp) {
    byte[] got = ask(fast, packet, tcp);
    byte[] expected = ask(reference, packet, tcp);
    boolean unanswered = packet.length < 12 || (packet[2] & 0x80) != 0;
    if (unanswered) {
      assertNull(got, "no reply to a short packet or a response");
      assertNull(expected);
      return;
    }
    assertTrue(got != null, "a reply, at once");
    assertArrayEquals(expected, got, "fast path and reference agree");
    Message reply;
    try {
      reply = new Message(got);
    } catch (IOException e) {
      throw new AssertionError("the reply does not parse: " + e, e);
    }
    assertTrue(reply.getHeader().getFlag(org.xbill.DNS.Flags.QR), "QR set");
    assertEquals(((packet[0] & 0xff) << 8) | (packet[1] & 0xff), reply.getHeader().getID(), "the query's ID");
    assertEquals((packet[2] >>> 3) & 0xf, reply.getHeader().getOpcode(), "the query's opcode");
    assertTrue(RULE_RCODES.contains(reply.getRcode()), "rcode " + Rcode.string(reply.getRcode()));
    if (tcp) {
      assertTrue(got.length <= 65535);
    } else {
      assertTrue(got.length <= 65535 && (reply.getOPT() != null || got.length <= 512), "UDP size limit");
    }
  }

  /** The single reply the pipeline sends, or null; a second reply or an exception fails the property. */
  private static byte[] ask(QueryPipeline p, byte[] packet, boolean tcp) {
    List<byte[]> replies = new ArrayList<>(1);
    p.handle(packet.clone(), tcp, false, replies::add);
    assertTrue(replies.size() <= 1, "at most one reply");
    return replies.isEmpty() ? null : replies.get(0);
  }

  @Provide
  Arbitrary<byte[]> randomPackets() {
    return Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(600);
  }

  /** A well-formed query for one of {@link #NAMES}, then one to three breakages. */
  @Provide
  Arbitrary<byte[]> brokenQueries() {
    Arbitrary<byte[]> base = Combinators.combine(
        Arbitraries.of(NAMES), Arbitraries.of(intList(TYPES)), Arbitraries.integers().between(0, 65535),
        Arbitraries.of(0, 0, 512, 1232, 4096)).as(MalformedQueryPropertyTest::query);
    Arbitrary<List<Breakage>> breakages = Arbitraries.of(Breakage.values()).list().ofMinSize(1).ofMaxSize(3);
    return Combinators.combine(base, breakages, Arbitraries.integers().between(0, Integer.MAX_VALUE))
        .as((q, bs, seed) -> {
          java.util.Random rnd = new java.util.Random(seed);
          byte[] p = q;
          for (Breakage b : bs) {
            p = b.apply(p, rnd);
          }
          return p;
        });
  }

  private static List<Integer> intList(int[] values) {
    List<Integer> l = new ArrayList<>();
    for (int v : values) {
      l.add(v);
    }
    return l;
  }

  private static byte[] query(String name, int type, int id, int payload) {
    try {
      Message m = Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
      m.getHeader().setID(id);
      if (payload > 0) {
        m.addRecord(new OPTRecord(payload, 0, 0), Section.ADDITIONAL);
      }
      return m.toWire();
    } catch (IOException | RuntimeException e) {
      return new byte[12];
    }
  }

  /** One way to break a query. Offsets past the header assume nothing: every breakage is total. */
  enum Breakage {
    QDCOUNT {
      @Override
      byte[] apply(byte[] p, java.util.Random r) {
        return put16(p, 4, new int[] {0, 2, 65535}[r.nextInt(3)]);
      }
    },
    OTHER_COUNTS {
      @Override
      byte[] apply(byte[] p, java.util.Random r) {
        return put16(p, 6 + 2 * r.nextInt(3), r.nextInt(4) == 0 ? 65535 : r.nextInt(4));
      }
    },
    QR {
      @Override
      byte[] apply(byte[] p, java.util.Random r) {
        if (p.length < 4) {
          return p;
        }
        byte[] c = p.clone();
        c[2] |= (byte) 0x80;
        return c;
      }
    },
    OPCODE {
      @Override
      byte[] apply(byte[] p, java.util.Random r) {
        if (p.length < 4) {
          return p;
        }
        byte[] c = p.clone();
        c[2] = (byte) ((c[2] & 0x87) | (r.nextInt(16) << 3));
        return c;
      }
    },
    FLAGS {
      @Override
      byte[] apply(byte[] p, java.util.Random r) {
        if (p.length < 4) {
          return p;
        }
        byte[] c = p.clone();
        c[2] ^= (byte) (r.nextInt(256) & 0x07);
        c[3] = (byte) r.nextInt(256);
        return c;
      }
    },
    CLASS {
      @Override
      byte[] apply(byte[] p, java.util.Random r) {
        int at = questionEnd(p) - 2;
        return at < 12 ? p : put16(p, at, new int[] {DClass.CH, DClass.HS, DClass.ANY, DClass.NONE,
            r.nextInt(65536)}[r.nextInt(5)]);
      }
    },
    POINTER_LOOP {
      @Override
      byte[] apply(byte[] p, java.util.Random r) {
        byte[] c = p.clone();
        if (c.length > 13) {
          c[12] = (byte) 0xC0; // points at itself
          c[13] = 12;
        }
        return c;
      }
    },
    POINTER_FORWARD_OR_OUT {
      @Override
      byte[] apply(byte[] p, java.util.Random r) {
        byte[] c = p.clone();
        if (c.length > 13) {
          int target = r.nextBoolean() ? c.length - 1 : c.length + r.nextInt(0x3000);
          c[12] = (byte) (0xC0 | ((target >>> 8) & 0x3f));
          c[13] = (byte) target;
        }
        return c;
      }
    },
    LONG_LABEL {
      @Override
      byte[] apply(byte[] p, java.util.Random r) {
        byte[] c = p.clone();
        if (c.length > 12) {
          c[12] = (byte) (64 + r.nextInt(128)); // 64-191: over 63, or a reserved label type
        }
        return c;
      }
    },
    LONG_NAME {
      @Override
      byte[] apply(byte[] p, java.util.Random r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(p, 0, Math.min(12, p.length));
        int labels = 5 + r.nextInt(10);
        for (int i = 0; i < labels; i++) {
          int len = 30 + r.nextInt(34);
          out.write(len);
          for (int k = 0; k < len; k++) {
            out.write('a' + r.nextInt(26));
          }
        }
        out.write(0);
        out.write(new byte[] {0, 1, 0, 1}, 0, 4);
        return out.toByteArray();
      }
    },
    OPT_REPEATED_OR_MISPLACED {
      @Override
      byte[] apply(byte[] p, java.util.Random r) {
        try {
          Message m = new Message(p);
          int section = new int[] {Section.ANSWER, Section.AUTHORITY, Section.ADDITIONAL}[r.nextInt(3)];
          m.addRecord(new OPTRecord(512 + r.nextInt(4000), 0, r.nextInt(3), r.nextBoolean() ? 0x8000 : 0), section);
          return m.toWire();
        } catch (IOException | RuntimeException e) {
          return p;
        }
      }
    },
    EDNS_VERSION_OR_OPTIONS {
      @Override
      byte[] apply(byte[] p, java.util.Random r) {
        byte[] c = p.clone();
        // the OPT, when it is the last RR: version byte and RDLENGTH without the data it announces
        if (c.length >= 11 + 12 && c[c.length - 11] == 0 && c[c.length - 10] == 0 && c[c.length - 9] == 41) {
          c[c.length - 5] = (byte) r.nextInt(3);
          if (r.nextBoolean()) {
            c[c.length - 1] = (byte) (1 + r.nextInt(20));
          }
        }
        return c;
      }
    },
    TRUNCATE {
      @Override
      byte[] apply(byte[] p, java.util.Random r) {
        return java.util.Arrays.copyOf(p, r.nextInt(p.length + 1));
      }
    },
    TRAILING_GARBAGE {
      @Override
      byte[] apply(byte[] p, java.util.Random r) {
        byte[] c = java.util.Arrays.copyOf(p, p.length + 1 + r.nextInt(40));
        for (int i = p.length; i < c.length; i++) {
          c[i] = (byte) r.nextInt(256);
        }
        return c;
      }
    },
    FLIP_BYTE {
      @Override
      byte[] apply(byte[] p, java.util.Random r) {
        if (p.length == 0) {
          return p;
        }
        byte[] c = p.clone();
        c[r.nextInt(c.length)] = (byte) r.nextInt(256);
        return c;
      }
    };

    abstract byte[] apply(byte[] p, java.util.Random r);

    static byte[] put16(byte[] p, int at, int v) {
      if (p.length < at + 2) {
        return p;
      }
      byte[] c = p.clone();
      c[at] = (byte) (v >>> 8);
      c[at + 1] = (byte) v;
      return c;
    }

    /** The offset after the first question's class, or -1 when the name does not end inside the packet. */
    static int questionEnd(byte[] p) {
      int pos = 12;
      while (pos < p.length) {
        int len = p[pos] & 0xff;
        if (len == 0) {
          return pos + 5 <= p.length ? pos + 5 : -1;
        }
        if (len > 63) {
          return -1;
        }
        pos += 1 + len;
      }
      return -1;
    }
  }
}
