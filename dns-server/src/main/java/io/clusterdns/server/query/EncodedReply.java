package io.clusterdns.server.query;

import io.clusterdns.index.ClusterSnapshot;
import io.clusterdns.index.NamespaceView;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One cluster reply encoded once and completed per query (STYLE.md query path, step 4, from cached bytes).
 * The body is exactly what {@link ResponseEncoder#encode} renders uncompressed for the same question, less the
 * parts that differ per query, which {@link #render} fills in: the ID, RD and CD (RFC 1035 4.1.1), the SOA
 * serial of the current snapshot (behaviours.md 9.3), the order of A/AAAA/MX records under {@code loadbalance}
 * (11.5) and the OPT RR when the query had one (10.3). A body that would not fit the client's limit is not
 * sent: the full path then compresses or truncates it, so the size rules stay in {@link ResponseEncoder}.
 *
 * <p>Validity: the reply depends on {@link #view} only (names under {@code <ns>.svc} and {@code <ns>.pod}), or on
 * the whole snapshot. A rebuilt namespace is a new view object, so {@link #validFor} compares identities: a
 * watch event makes exactly the replies of its namespace miss, and every other reply stays valid across
 * snapshots.
 *
 * <p>Threads: immutable but for {@link #checked}, a hint any event loop may move forward (a stale value only
 * costs one more identity check).
 */
final class EncodedReply {
  /** SERIAL, REFRESH, RETRY, EXPIRE, MINIMUM: the last 20 bytes of an SOA's RDATA (RFC 1035 3.3.13). */
  static final int SOA_TAIL = 20;

  /** An OPT RR without options: root owner (1), TYPE, CLASS, TTL, RDLENGTH (RFC 6891 6.1.2). */
  private static final int OPT_LENGTH = 11;

  /** Header byte 2, RD; header byte 3, CD (RFC 1035 4.1.1, RFC 4035 3.2.2). */
  private static final int RD = 0x01;

  private static final int CD = 0x10;

  /** DO in the high byte of the OPT flags (RFC 3225). */
  private static final int DO_HIGH = 0x80;

  /** Reply bytes with ID 0 and RD/CD clear and no OPT; null means "this question takes the full path". */
  final byte[] body;
  /** rcode in the body's header (NOERROR or NXDOMAIN), for metrics. */
  final int rcode;
  /** Offset of the SOA serial to patch, or -1. */
  private final int serialOffset;
  /** Offsets of the answer RRs {@code loadbalance} shuffles, all {@link #shuffleLength} long; or null. */
  private final int[] shuffle;

  private final int shuffleLength;
  /** The one namespace the reply was read from (lowercase) and its view; null: the whole snapshot. */
  private final String namespace;

  private final NamespaceView view;
  /** The latest snapshot this reply is known to be right for. */
  private ClusterSnapshot checked;

  EncodedReply(byte[] body, int rcode, int serialOffset, int[] shuffle, int shuffleLength, ClusterSnapshot built,
      String namespace, NamespaceView view) {
    this.body = body;
    this.rcode = rcode;
    this.serialOffset = serialOffset;
    this.shuffle = shuffle;
    this.shuffleLength = shuffleLength;
    this.checked = built;
    this.namespace = namespace;
    this.view = view;
  }

  /** Whether the reply is still what {@code current} answers. */
  boolean validFor(ClusterSnapshot current) {
    if (checked == current) {
      return true;
    }
    if (view != null && current.namespace(namespace) == view) {
      checked = current;
      return true;
    }
    return false;
  }

  /**
   * The reply for {@code q} as {@link ResponseEncoder#encode} would render it, or null when it does not fit the
   * client's limit uncompressed (then the full path compresses or truncates).
   */
  byte[] render(WireQuery q, boolean tcp, long serial) {
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
      out[serialOffset] = (byte) (serial >>> 24);
      out[serialOffset + 1] = (byte) (serial >>> 16);
      out[serialOffset + 2] = (byte) (serial >>> 8);
      out[serialOffset + 3] = (byte) serial;
    }
    if (shuffle != null) {
      shuffle(out);
    }
    if (q.edns) {
      int additional = (((out[10] & 0xff) << 8) | (out[11] & 0xff)) + 1;
      out[10] = (byte) (additional >>> 8);
      out[11] = (byte) additional;
      int p = body.length;
      int payload = Math.max(ResponseEncoder.UDP_MIN, q.payloadSize);
      // owner root and TYPE OPT (41); CLASS = payload size echoed; TTL: extended rcode 0 (these replies are
      // NOERROR or NXDOMAIN), version 0, DO echoed; RDLENGTH 0. Bytes not set stay 0 from copyOf.
      out[p + 2] = 41;
      out[p + 3] = (byte) (payload >>> 8);
      out[p + 4] = (byte) payload;
      if (q.dnssecOk) {
        out[p + 7] = (byte) DO_HIGH;
      }
    }
    return out;
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
}
