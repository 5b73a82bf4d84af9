package io.clusterdns.server.query;

import static io.clusterdns.server.query.QueryDecoder.u16;

import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import org.xbill.DNS.Message;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * One reply encoded once and completed per query (STYLE.md query path, step 4, from cached bytes). The body
 * is exactly what {@link ResponseEncoder#encode} renders uncompressed for the same question, less the parts
 * that differ per query, which {@link #render} fills in: the ID, RD and CD (RFC 1035 4.1.1), the SOA serial of
 * the current snapshot (behaviours.md 9.3), the TTLs of a cached forwarded reply as they count down (11.4),
 * the order of A/AAAA/MX records under {@code loadbalance} (11.5) and the OPT RR when the query had one
 * (10.3). A body that would not fit the client's limit is not sent: the full path then compresses or
 * truncates it, so the size rules stay in {@link ResponseEncoder}. Immutable; any thread. Not final: a cache
 * may store its entries as subclasses, so that one object (and its body) is all a hit has to reach.
 */
class EncodedReply {
  /** SERIAL, REFRESH, RETRY, EXPIRE, MINIMUM: the last 20 bytes of an SOA's RDATA (RFC 1035 3.3.13). */
  private static final int SOA_TAIL = 20;

  /** An OPT RR without options: root owner (1), TYPE, CLASS, TTL, RDLENGTH (RFC 6891 6.1.2). */
  private static final int OPT_LENGTH = 11;

  /** Offset of the question name: right after the header (RFC 1035 4.1.1). */
  private static final int QUESTION = 12;

  /** Header byte 2, RD; header byte 3, CD (RFC 1035 4.1.1, RFC 4035 3.2.2). */
  private static final int RD = 0x01;

  private static final int CD = 0x10;

  /** DO in the high byte of the OPT flags (RFC 3225). */
  private static final int DO_HIGH = 0x80;

  /** Reply bytes with ID 0, RD and CD clear, and no OPT. */
  private final byte[] body;
  /** rcode in the body's header, for metrics. */
  final int rcode;
  /** Offset of the SOA serial to patch, or -1. */
  private final int serialOffset;
  /** Offsets of every RR's TTL field, to patch; or null. */
  private final int[] ttlOffsets;
  /** Offsets of the answer RRs {@code loadbalance} shuffles, all {@link #shuffleLength} long; or null. */
  private final int[] shuffle;

  private final int shuffleLength;

  private EncodedReply(byte[] body, int rcode, int serialOffset, int[] ttlOffsets, int[] shuffle,
      int shuffleLength) {
    this.body = body;
    this.rcode = rcode;
    this.serialOffset = serialOffset;
    this.ttlOffsets = ttlOffsets;
    this.shuffle = shuffle;
    this.shuffleLength = shuffleLength;
  }

  /** The same reply, for a subclass that adds what its cache needs. */
  EncodedReply(EncodedReply from) {
    this(from.body, from.rcode, from.serialOffset, from.ttlOffsets, from.shuffle, from.shuffleLength);
  }

  /**
   * Encodes {@code reply} (built for a query with ID 0 and RD/CD clear, without OPT, in the plain 4-bit rcode
   * range), or returns null when a per-query part could not be patched as bytes (then the full path answers
   * every such query).
   *
   * @param serial patch the SOA serial (cluster replies: the serial moves with every snapshot)
   * @param ttls patch every RR's TTL (cached forwarded replies: they count down)
   * @param loadbalance shuffle the A/AAAA/MX answer RRs per query
   */
  static EncodedReply of(Message reply, boolean serial, boolean ttls, boolean loadbalance) {
    int rcode = reply.getRcode();
    if (rcode > 0xf) {
      return null;
    }
    byte[] body = ResponseEncoder.body(reply);
    int serialOffset = -1;
    if (serial) {
      serialOffset = serialOffset(reply, body);
      if (serialOffset == -2) {
        return null;
      }
    }
    int records = 0;
    for (int section = Section.ANSWER; section <= Section.ADDITIONAL; section++) {
      records += reply.getHeader().getCount(section);
    }
    int answers = reply.getHeader().getCount(Section.ANSWER);
    int[] ttlOffsets = ttls ? new int[records] : null;
    int[] shuffleAt = new int[answers];
    int shuffled = 0;
    int shuffleLength = -1;
    int pos = skipName(body, QUESTION) + 4;
    for (int i = 0; i < records; i++) {
      int start = pos;
      pos = skipName(body, pos);
      int type = u16(body, pos);
      if (ttlOffsets != null) {
        ttlOffsets[i] = pos + 4;
      }
      pos += 10 + u16(body, pos + 8);
      if (loadbalance && i < answers && (type == Type.A || type == Type.AAAA || type == Type.MX)) {
        if (shuffleLength >= 0 && pos - start != shuffleLength) {
          return null; // not swappable as byte ranges of one length
        }
        shuffleLength = pos - start;
        shuffleAt[shuffled++] = start;
      }
    }
    return new EncodedReply(body, rcode, serialOffset, ttlOffsets,
        shuffled >= 2 ? Arrays.copyOf(shuffleAt, shuffled) : null, Math.max(0, shuffleLength));
  }

  /**
   * Where the SOA serial sits: -1 without an SOA; the body's end less {@link #SOA_TAIL} when the one SOA is
   * the last RR (negative answers, SOA at the apex); -2 otherwise.
   */
  private static int serialOffset(Message reply, byte[] body) {
    int soas = 0;
    Record last = null;
    for (int section = Section.ANSWER; section <= Section.ADDITIONAL; section++) {
      for (Record r : reply.getSection(section)) {
        if (r.getType() == Type.SOA) {
          soas++;
        }
        last = r;
      }
    }
    if (soas == 0) {
      return -1;
    }
    return soas == 1 && last.getType() == Type.SOA ? body.length - SOA_TAIL : -2;
  }

  /**
   * The reply for {@code q} as {@link ResponseEncoder#encode} would render it, or null when it does not fit the
   * client's limit uncompressed (then the full path compresses or truncates).
   *
   * @param serial the SOA serial to write, if the reply has one to patch
   * @param ttl the TTL to write into every RR, if the reply patches TTLs
   */
  byte[] render(WireQuery q, boolean tcp, long serial, long ttl) {
    int size = body.length + (q.edns ? OPT_LENGTH : 0);
    if (size > q.sizeLimit(tcp)) {
      return null;
    }
    byte[] out = Arrays.copyOf(body, size);
    out[0] = (byte) (q.id >>> 8);
    out[1] = (byte) q.id;
    out[2] |= (byte) ((q.flags >>> 8) & RD);
    out[3] |= (byte) (q.flags & CD);
    if (serialOffset >= 0) {
      putInt(out, serialOffset, serial);
    }
    if (ttlOffsets != null) {
      for (int at : ttlOffsets) {
        putInt(out, at, ttl);
      }
    }
    if (shuffle != null) {
      shuffle(out);
    }
    if (q.edns) {
      int additional = u16(out, 10) + 1;
      out[10] = (byte) (additional >>> 8);
      out[11] = (byte) additional;
      int p = body.length;
      int payload = Math.max(ResponseEncoder.UDP_MIN, q.payloadSize);
      // owner root and TYPE OPT (41); CLASS = payload size echoed; TTL: extended rcode 0 (only plain rcodes
      // are encoded here), version 0, DO echoed; RDLENGTH 0. Bytes not set stay 0 from copyOf.
      out[p + 2] = 41;
      out[p + 3] = (byte) (payload >>> 8);
      out[p + 4] = (byte) payload;
      if (q.dnssecOk) {
        out[p + 7] = (byte) DO_HIGH;
      }
    }
    return out;
  }

  /** Whether the body's question name is {@code name} (wire form, compared byte for byte). */
  final boolean asks(byte[] name) {
    int end = QUESTION + name.length;
    return end <= body.length && Arrays.equals(body, QUESTION, end, name, 0, name.length);
  }

  /** Whether both bodies ask the same question name, byte for byte. */
  final boolean asksSameName(EncodedReply other) {
    int end = skipName(body, QUESTION);
    return end == skipName(other.body, QUESTION) && Arrays.equals(body, QUESTION, end, other.body, QUESTION, end);
  }

  /** Bytes the body holds, for cache weights. */
  int length() {
    return body.length;
  }

  /** Fisher-Yates over the equal-length RR slots, as {@link RoundRobin#shuffle} does over records. */
  private void shuffle(byte[] out) {
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    for (int i = shuffle.length - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      if (j != i) {
        int a = shuffle[i];
        int b = shuffle[j];
        for (int k = 0; k < shuffleLength; k++) {
          byte t = out[a + k];
          out[a + k] = out[b + k];
          out[b + k] = t;
        }
      }
    }
  }

  private static void putInt(byte[] b, int at, long v) {
    b[at] = (byte) (v >>> 24);
    b[at + 1] = (byte) (v >>> 16);
    b[at + 2] = (byte) (v >>> 8);
    b[at + 3] = (byte) v;
  }

  /** The offset after an uncompressed name (bodies are rendered without compression). */
  private static int skipName(byte[] b, int pos) {
    while (b[pos] != 0) {
      pos += 1 + (b[pos] & 0xff);
    }
    return pos + 1;
  }
}
