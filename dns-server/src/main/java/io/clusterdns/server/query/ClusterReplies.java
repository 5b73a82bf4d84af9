package io.clusterdns.server.query;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.clusterdns.index.ClusterSnapshot;
import io.clusterdns.index.NamespaceView;
import io.clusterdns.index.SnapshotSource;
import io.clusterdns.server.zone.Answer;
import io.clusterdns.server.zone.ClusterZone;
import java.io.IOException;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;

/**
 * Cluster-zone replies from encoded bytes (the design card's "Caffeine-cached watch", STYLE.md): the first
 * query for a (name, type) is answered by {@link ClusterZone} and {@link QueryPipeline#authoritative}, the
 * code every other query uses, and the result is encoded once into an {@link EncodedReply}; later queries
 * copy and patch those bytes.
 *
 * <p>Design notes.
 * <ul>
 *   <li><b>Correctness.</b> A cached reply is used only while it is valid for ({@code Entry.validFor}) the
 *       current snapshot: its namespace view has the generation it was read from (or, for replies that read
 *       more than one namespace, the snapshot has). A watch event rebuilds only its namespace's view, so exactly the replies of that
 *       namespace are rebuilt on their next query, and nothing stale is ever sent. The stale entry is
 *       replaced under the same key rather than left beside a new one, so old generations do not pile up.
 *   <li><b>Scope.</b> Only what {@link WireQuery} reads (plain queries with lowercase names) and only the
 *       complete outcomes (found, NODATA, NXDOMAIN) that fit the client's limit uncompressed; before the
 *       first sync nothing is cached (SERVFAIL, behaviours.md 9.7). Everything else returns null and takes
 *       the full path, whose rules are unchanged. Questions that always need the full path (ExternalName to
 *       an outside target, reverse misses that fall through) are remembered as such, so they are looked up
 *       once per data change rather than twice per query.
 *   <li><b>Memory.</b> Bounded by weight ({@link #DEFAULT_MAX_BYTES}): the bytes of name and reply plus an
 *       estimate of the entry's object overhead. Caffeine's maintenance (amortised, lock-free for readers:
 *       a try-lock that is skipped when held) runs on the event loop that triggers it.
 *   <li><b>Threads.</b> Called on every event loop; no locks beyond Caffeine's own lock-free reads. Two loops
 *       may build the same reply at once; both results are equal and the later simply wins.
 * </ul>
 */
public final class ClusterReplies {
  /**
   * Default bound of the cache: bytes of replies and estimated overhead. Holds the 131k questions of the bench's
   * uniform query mix at 100k services (about 46 MB); at 32 MB they churned and QPS fell by a third
   * (RESULTS.md, issue 16).
   */
  public static final long DEFAULT_MAX_BYTES = 64L << 20;

  /** Estimated bytes per entry beyond its two arrays: Caffeine's node, key, entry, reply, array headers. */
  private static final int ENTRY_OVERHEAD = 200;

  private final ClusterZone zone;
  private final SnapshotSource source;
  private final boolean loadbalance;
  /** The autopath stage, whose NXDOMAINs are walked on the full path; null when off (issue 22). */
  private final Autopath autopath;
  /** Entries are their own keys: looked up by {@link Probe}, stored under themselves. */
  private final Cache<Object, Entry> cache;

  /** @param loadbalance replies shuffle their A/AAAA/MX records per query (CoreDNS {@code loadbalance}) */
  public ClusterReplies(ClusterZone zone, boolean loadbalance, long maxBytes) {
    this(zone, loadbalance, maxBytes, null);
  }

  /**
   * @param autopath the NXDOMAIN replies of names it claims are remembered as full-path questions, so the walk
   *     sees them (decided once per name and data change, never per query); null when off
   */
  public ClusterReplies(ClusterZone zone, boolean loadbalance, long maxBytes, Autopath autopath) {
    this.zone = zone;
    this.autopath = autopath;
    this.source = zone.source();
    this.loadbalance = loadbalance;
    // Maintenance (draining the read buffer, evicting) on the calling event loop: handing it to the common pool
    // woke a pool thread that competed with the two loops for the two cores, for work of a few microseconds.
    this.cache = Caffeine.newBuilder()
        .executor(Runnable::run)
        .maximumWeight(maxBytes)
        .weigher((Object k, Entry e) -> e.length() + ENTRY_OVERHEAD)
        .build();
  }

  /**
   * The reply to {@code q}, a name in a cluster zone ({@link ClusterZone#coversWire}), or null when it must
   * take the full path (see the class notes).
   */
  byte[] reply(WireQuery q, boolean tcp) {
    if (!source.synced()) {
      return null;
    }
    ClusterSnapshot current = source.current();
    Entry e = cache.getIfPresent(new Probe(q.name, q.qtype));
    if (e == null || !e.validFor(current)) {
      e = build(q);
      if (e == null) {
        return null;
      }
      cache.put(e, e);
      current = source.current();
      if (!e.validFor(current)) {
        return null; // a new snapshot arrived while building: let the full path answer from it
      }
    }
    return e.fullPath ? null : e.render(q, tcp, current.serial() & 0xFFFFFFFFL, 0);
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

  private Entry build(WireQuery q) {
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
    query.getHeader().setID(0);
    query.getHeader().unsetFlag(Flags.RD);
    Message reply = autopath != null && s.answer() instanceof Answer.NxDomain && autopath.claims(qname, s.snapshot()) ? null
        : QueryPipeline.authoritative(query, s.answer(), false);
    EncodedReply encoded = reply == null ? null : EncodedReply.of(reply, true, false, loadbalance);
    // A question for the full path is remembered as the bare query: the body still names the question.
    boolean fullPath = encoded == null;
    return new Entry(fullPath ? EncodedReply.of(query, false, false, false) : encoded, fullPath, q.qtype,
        Probe.hash(q.name, q.qtype), s.snapshot().generation(), s.namespace(),
        s.view() == null ? -1 : s.view().generation());
  }

  /**
   * A cached reply, its own cache key (the question name is read from its body, the type and hash are fields),
   * and what it was read from, by generation only: holding the snapshot or view itself would keep old
   * snapshots alive for as long as an idle entry stays cached. One object and its body are all a hit reads,
   * which matters more than the bytes: at 10k services most lookups miss the CPU caches, once per object
   * reached (the profile's largest Java item before, when key, entry and reply were three objects).
   * {@code fullPath}: the question takes the full path, and the body is the bare query. The reply depends on
   * one namespace view (names under {@code <ns>.svc} and {@code <ns>.pod}; {@code viewGeneration} >= 0), or
   * on the whole snapshot. Immutable but for {@link #checked}, a hint any event loop may move forward (a stale
   * value only costs one more lookup).
   */
  private static final class Entry extends EncodedReply {
    final boolean fullPath;
    private final int qtype;
    private final int hash;
    private final String namespace;
    private final long viewGeneration;
    private volatile long checked;

    Entry(EncodedReply reply, boolean fullPath, int qtype, int hash, long snapshotGeneration, String namespace,
        long viewGeneration) {
      super(reply);
      this.fullPath = fullPath;
      this.qtype = qtype;
      this.hash = hash;
      this.checked = snapshotGeneration;
      this.namespace = namespace;
      this.viewGeneration = viewGeneration;
    }

    /**
     * Whether the reply is still what {@code current} answers. Every build of a namespace view gets a new
     * generation ({@link NamespaceView#generation}), and unchanged namespaces keep theirs across snapshots,
     * so a watch event makes exactly its namespace's replies miss.
     */
    boolean validFor(ClusterSnapshot current) {
      long generation = current.generation();
      if (checked == generation) {
        return true;
      }
      if (viewGeneration >= 0) {
        NamespaceView v = current.namespace(namespace);
        if (v != null && v.generation() == viewGeneration) {
          checked = generation;
          return true;
        }
      }
      return false;
    }

    @Override
    public int hashCode() {
      return hash;
    }

    /** Equal to an entry or a probe for the same question (the cache compares either way round). */
    @Override
    public boolean equals(Object o) {
      if (o instanceof Entry e) {
        return e == this || (e.hash == hash && e.qtype == qtype && e.asksSameName(this));
      }
      return o instanceof Probe p && p.equals(this);
    }
  }

  /** The lookup key of a query: a lowercase wire name and a type, equal to the entry for that question. */
  private static final class Probe {
    private final byte[] name;
    private final int qtype;
    private final int hash;

    Probe(byte[] name, int qtype) {
      this.name = name;
      this.qtype = qtype;
      this.hash = hash(name, qtype);
    }

    static int hash(byte[] name, int qtype) {
      int h = qtype;
      for (byte b : name) {
        h = 31 * h + b;
      }
      return h;
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Entry e && e.hash == hash && e.qtype == qtype && e.asks(name);
    }
  }
}
