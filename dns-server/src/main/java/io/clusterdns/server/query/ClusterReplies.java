package io.clusterdns.server.query;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.clusterdns.index.ClusterSnapshot;
import io.clusterdns.index.SnapshotSource;
import io.clusterdns.server.zone.ClusterZone;
import java.io.IOException;
import java.util.Arrays;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Cluster-zone replies from encoded bytes (the design card's "Caffeine-cached watch", STYLE.md): the first
 * query for a (name, type) is answered by {@link ClusterZone} and {@link QueryPipeline#authoritative}, the
 * code every other query uses, and the result is encoded once into an {@link EncodedReply}; later queries
 * copy and patch those bytes.
 *
 * <p>Design notes.
 * <ul>
 *   <li><b>Correctness.</b> A cached reply is used only while {@link EncodedReply#validFor} the current
 *       snapshot: its namespace view is the same object (or, for replies that read more than one namespace,
 *       the snapshot is). A watch event rebuilds only its namespace's view, so exactly the replies of that
 *       namespace are rebuilt on their next query, and nothing stale is ever sent. The stale entry is
 *       replaced under the same key rather than left beside a new one, so old generations do not pile up.
 *   <li><b>Scope.</b> Only what {@link WireQuery} reads (plain queries with lowercase names) and only the
 *       complete outcomes (found, NODATA, NXDOMAIN) that fit the client's limit uncompressed; before the
 *       first sync nothing is cached (SERVFAIL, behaviours.md 9.7). Everything else returns null and takes
 *       the full path, whose rules are unchanged. Questions that always need the full path (ExternalName to
 *       an outside target, reverse misses that fall through) are remembered as such, so they are looked up
 *       once per data change rather than twice per query.
 *   <li><b>Memory.</b> Bounded by weight ({@link #DEFAULT_MAX_BYTES}): the bytes of name and reply plus an
 *       estimate of the entry's object overhead. Eviction and other maintenance run on Caffeine's executor
 *       (the common pool), not on the event loops.
 *   <li><b>Threads.</b> Called on every event loop; no locks beyond Caffeine's own lock-free reads. Two loops
 *       may build the same reply at once; both results are equal and the later simply wins.
 * </ul>
 */
public final class ClusterReplies {
  /** Default bound of the cache: bytes of names, replies and estimated overhead. */
  public static final long DEFAULT_MAX_BYTES = 32L << 20;

  /** Estimated bytes per entry beyond its two arrays: Caffeine's node, key, reply object, array headers. */
  private static final int ENTRY_OVERHEAD = 160;

  private final ClusterZone zone;
  private final SnapshotSource source;
  private final boolean loadbalance;
  private final Cache<Key, EncodedReply> cache;

  /** @param loadbalance replies shuffle their A/AAAA/MX records per query (CoreDNS {@code loadbalance}) */
  public ClusterReplies(ClusterZone zone, boolean loadbalance, long maxBytes) {
    this.zone = zone;
    this.source = zone.source();
    this.loadbalance = loadbalance;
    this.cache = Caffeine.newBuilder()
        .maximumWeight(maxBytes)
        .weigher((Key k, EncodedReply r) -> k.name.length + (r.body == null ? 0 : r.body.length) + ENTRY_OVERHEAD)
        .build();
  }

  /**
   * The reply to {@code q}, or null when it is not a cluster name or must take the full path (see the class
   * notes).
   */
  byte[] reply(WireQuery q, boolean tcp) {
    if (!zone.coversWire(q.name) || !source.synced()) {
      return null;
    }
    ClusterSnapshot current = source.current();
    Key key = new Key(q.name, q.qtype);
    EncodedReply r = cache.getIfPresent(key);
    if (r == null || !r.validFor(current)) {
      r = build(q);
      if (r == null) {
        return null;
      }
      cache.put(key, r);
      current = source.current();
      if (!r.validFor(current)) {
        return null; // a new snapshot arrived while building: let the full path answer from it
      }
    }
    return r.body == null ? null : r.render(q, tcp, current.serial() & 0xFFFFFFFFL);
  }

  /** Entries now (after pending maintenance). */
  public long size() {
    cache.cleanUp();
    return cache.estimatedSize();
  }

  /** Total weight now, in bytes (after pending maintenance). */
  public long weight() {
    cache.cleanUp();
    return cache.policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L);
  }

  private EncodedReply build(WireQuery q) {
    Name qname;
    try {
      qname = new Name(q.name);
    } catch (IOException e) {
      return null;
    }
    ClusterZone.Scoped s = zone.answerScoped(qname, q.qtype);
    if (s.snapshot() == null) {
      return null; // not synced, an error, or REFUSED: never cached
    }
    Message query = Message.newQuery(Record.newRecord(qname, q.qtype, DClass.IN));
    Message reply = QueryPipeline.authoritative(query, s.answer(), false);
    if (reply == null) {
      return fullPath(s);
    }
    reply.getHeader().setID(0);
    reply.getHeader().unsetFlag(Flags.RD);
    byte[] body = ResponseEncoder.body(reply);
    int serialOffset = serialOffset(reply, body);
    if (serialOffset == -2) {
      return fullPath(s);
    }
    int[] shuffle = null;
    int shuffleLength = 0;
    if (loadbalance) {
      int[][] slots = shuffleSlots(body, reply.getHeader().getCount(Section.ANSWER));
      if (slots == null) {
        return fullPath(s);
      }
      if (slots.length > 0) {
        shuffle = slots[0];
        shuffleLength = slots[1][0];
      }
    }
    return new EncodedReply(body, reply.getRcode(), serialOffset, shuffle, shuffleLength, s.snapshot(),
        s.namespace(), s.view());
  }

  private static EncodedReply fullPath(ClusterZone.Scoped s) {
    return new EncodedReply(null, 0, -1, null, 0, s.snapshot(), s.namespace(), s.view());
  }

  /**
   * Where the SOA serial sits: -1 without an SOA; the body's end less {@link EncodedReply#SOA_TAIL} when the
   * one SOA is the last RR (negative answers, SOA at the apex); -2 otherwise (not patched, so not cached).
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
    return soas == 1 && last.getType() == Type.SOA ? body.length - EncodedReply.SOA_TAIL : -2;
  }

  /**
   * The answer RRs {@code loadbalance} moves (A, AAAA, MX; {@link RoundRobin}): {@code {offsets}, {length}}
   * when there are two or more and all have one length (same owner and type, as in every cluster answer),
   * an empty array when there is nothing to shuffle, or null when they cannot be swapped as byte ranges.
   */
  private static int[][] shuffleSlots(byte[] body, int answers) {
    int pos = skipName(body, 12) + 4;
    int[] offsets = new int[answers];
    int count = 0;
    int length = -1;
    for (int i = 0; i < answers; i++) {
      int start = pos;
      pos = skipName(body, pos);
      int type = ((body[pos] & 0xff) << 8) | (body[pos + 1] & 0xff);
      int rdlength = ((body[pos + 8] & 0xff) << 8) | (body[pos + 9] & 0xff);
      pos += 10 + rdlength;
      if (type == Type.A || type == Type.AAAA || type == Type.MX) {
        if (length >= 0 && pos - start != length) {
          return null;
        }
        length = pos - start;
        offsets[count++] = start;
      }
    }
    if (count < 2) {
      return new int[0][];
    }
    return new int[][] {Arrays.copyOf(offsets, count), {length}};
  }

  /** The offset after an uncompressed name (the body is rendered without compression). */
  private static int skipName(byte[] b, int pos) {
    while (b[pos] != 0) {
      pos += 1 + (b[pos] & 0xff);
    }
    return pos + 1;
  }

  /** A lowercase wire name and a type; the hash is computed once. */
  private static final class Key {
    final byte[] name;
    final int qtype;
    final int hash;

    Key(byte[] name, int qtype) {
      this.name = name;
      this.qtype = qtype;
      int h = qtype;
      for (byte b : name) {
        h = 31 * h + b;
      }
      this.hash = h;
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.qtype == qtype && k.hash == hash && Arrays.equals(k.name, name);
    }
  }
}
