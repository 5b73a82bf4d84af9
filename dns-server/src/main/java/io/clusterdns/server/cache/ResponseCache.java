package io.clusterdns.server.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import io.clusterdns.config.CacheConfig;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;

/**
 * The response cache for forwarded replies (CoreDNS {@code cache}; behaviours.md 11.4; issue 5).
 *
 * <h2>Design notes</h2>
 * <ul>
 *   <li>Two Caffeine caches, success and denial (NXDOMAIN, NODATA, upstream SERVFAIL), each bounded by one
 *       weight that stands for both limits: an entry weighs its estimated heap bytes, but never less than
 *       {@code maxBytes / capacity}, so neither the entry count nor the bytes can pass their limit.
 *       Caffeine evicts by W-TinyLFU (better than CoreDNS's random eviction per shard) and does its
 *       maintenance on {@code maintenance} (the common pool in production), never blocking the event loop.
 *   <li>Expiry: an entry lives for its capped TTL plus the {@code serve_stale} window. TTL arithmetic uses the
 *       injected {@link Ticker} (tests move time by hand).
 *   <li>TTLs: positive replies keep their smallest record TTL, negative ones min(SOA TTL, SOA MINIMUM)
 *       (RFC 2308 5), each clamped to [MINTTL, TTL] of its section; SERVFAIL {@code servfail} seconds.
 *       Truncated replies and other rcodes are not cached. Served copies carry the remaining TTL on every
 *       record, the client's ID, RD and question spelling; owner names that equal the question are
 *       rendered by dnsjava as compression pointers to it, so they echo the spelling too.
 *   <li>Threads: any thread; lookups do not lock (Caffeine reads are lock-free).
 * </ul>
 */
public final class ResponseCache {

  /** A lookup's outcome; the resolver switches over it. */
  public sealed interface Lookup permits Hit, Stale, Miss {}

  /** A fresh entry: {@link #reply} is ready to send; {@link #prefetch} asks for a background refresh. */
  public static final class Hit implements Lookup {
    private final Message reply;
    private final boolean prefetch;
    final CacheEntry entry;

    Hit(Message reply, boolean prefetch, CacheEntry entry) {
      this.reply = reply;
      this.prefetch = prefetch;
      this.entry = entry;
    }

    public Message reply() {
      return reply;
    }

    public boolean prefetch() {
      return prefetch;
    }
  }

  /** An expired entry inside the {@code serve_stale} window: {@link #reply} carries TTL 0 (RFC 8767). */
  public static final class Stale implements Lookup {
    private final Message reply;
    final CacheEntry entry;

    Stale(Message reply, CacheEntry entry) {
      this.reply = reply;
      this.entry = entry;
    }

    public Message reply() {
      return reply;
    }
  }

  /**
   * A fresh entry found without building a reply ({@link #fresh}): the entry and the TTL its records carry
   * now.
   */
  public record Fresh(CacheEntry entry, long ttl, boolean success) {}

  /** Nothing usable cached. */
  public static final class Miss implements Lookup {
    static final Miss INSTANCE = new Miss();

    private Miss() {}
  }

  private final CacheConfig config;
  private final Ticker ticker;
  private final Cache<CacheKey, CacheEntry> success;
  private final Cache<CacheKey, CacheEntry> denial;
  private final Name[] zones;
  private final Name[] disableSuccess;
  private final Name[] disableDenial;
  private final long staleNanos;
  private final long prefetchWindowNanos;
  private final CacheMetrics.Series series;

  /** A cache on the system clock, doing maintenance on the common pool. */
  public ResponseCache(CacheConfig config, CacheMetrics metrics, String serverLabel) {
    this(config, metrics, serverLabel, Ticker.systemTicker(), ForkJoinPool.commonPool());
  }

  /**
   * @param serverLabel the {@code server} label of the metrics, e.g. {@code dns://:53}
   * @param ticker clock for TTLs and expiry (a fake in tests)
   * @param maintenance where Caffeine evicts and runs removal listeners ({@code Runnable::run} in tests)
   */
  public ResponseCache(CacheConfig config, CacheMetrics metrics, String serverLabel, Ticker ticker,
      Executor maintenance) {
    this.config = config;
    this.ticker = ticker;
    this.zones = names(config.zones());
    this.disableSuccess = names(config.disableSuccess());
    this.disableDenial = names(config.disableDenial());
    this.staleNanos = config.serveStale().toNanos();
    this.prefetchWindowNanos = config.prefetchDuration().toNanos();
    this.series = metrics.series(this, serverLabel, String.join(",", config.zones()));
    this.success = build(config.successCapacity(), config.maxBytes(), ticker, maintenance, true);
    this.denial = build(config.denialCapacity(), config.maxBytes(), ticker, maintenance, false);
  }

  private Cache<CacheKey, CacheEntry> build(int capacity, long maxBytes, Ticker t, Executor ex, boolean ok) {
    int floor = (int) Math.max(1, maxBytes / capacity);
    long stale = staleNanos;
    return Caffeine.newBuilder()
        .ticker(t)
        .executor(ex)
        .maximumWeight(maxBytes)
        .weigher((CacheKey k, CacheEntry e) -> Math.max(floor, e.weight))
        .expireAfter(new Expiry<CacheKey, CacheEntry>() {
          @Override
          public long expireAfterCreate(CacheKey k, CacheEntry e, long now) {
            return TimeUnit.SECONDS.toNanos(e.ttlSeconds) + stale;
          }

          @Override
          public long expireAfterUpdate(CacheKey k, CacheEntry e, long now, long current) {
            return TimeUnit.SECONDS.toNanos(e.ttlSeconds) + stale;
          }

          @Override
          public long expireAfterRead(CacheKey k, CacheEntry e, long now, long current) {
            return current;
          }
        })
        .removalListener((CacheKey k, CacheEntry e, RemovalCause cause) -> {
          if (cause == RemovalCause.SIZE) {
            (ok ? series.successEvictions : series.denialEvictions).inc();
          }
        })
        .build();
  }

  public CacheConfig config() {
    return config;
  }

  CacheMetrics.Series series() {
    return series;
  }

  /** Whether replies for {@code qname} are cached at all (inside {@code zones}). */
  public boolean covers(Name qname) {
    return within(qname, zones);
  }

  /**
   * Looks {@code query} up. A {@link Hit} or {@link Stale} carries a reply ready for the encoder: the
   * query's ID, RD and question, TTLs counted down (0 when stale), no OPT. Counts requests, hits, misses.
   */
  public Lookup lookup(Message query) {
    if (query.getQuestion() == null || !covers(query.getQuestion().getName())) {
      return Miss.INSTANCE;
    }
    series.requests.inc();
    CacheKey key = CacheKey.of(query);
    long now = ticker.read();
    CacheEntry e = find(key);
    if (e == null) {
      series.misses.inc();
      return Miss.INSTANCE;
    }
    long left = e.remaining(now);
    if (left <= 0) {
      if (staleNanos > 0 && (now - e.storedNanos) - TimeUnit.SECONDS.toNanos(e.ttlSeconds) <= staleNanos) {
        return new Stale(answer(query, e.withTtl(0)), e);
      }
      series.misses.inc();
      return Miss.INSTANCE;
    }
    (e.kind == ReplyKind.SUCCESS ? series.successHits : series.denialHits).inc();
    boolean prefetch = e.dueForPrefetch(now, config.prefetchAmount(), prefetchWindowNanos,
        config.prefetchPercentage());
    return new Hit(answer(query, e.withTtl(left)), prefetch, e);
  }

  /**
   * The fresh entry for a question, for a reply sent from encoded bytes, or null when there is none, it is
   * stale, or it is due for prefetch: then {@link #lookup} must handle the query. Counts nothing; a reply
   * actually sent from the entry is counted with {@link #countHit}.
   *
   * @param qname the question name; compared case-insensitively, as {@link CacheKey} does
   */
  public Fresh fresh(Name qname, int type, boolean dnssecOk, boolean checkingDisabled) {
    if (!covers(qname)) {
      return null;
    }
    CacheKey key = new CacheKey(qname, type, org.xbill.DNS.DClass.IN, dnssecOk, checkingDisabled);
    CacheEntry e = find(key);
    if (e == null) {
      return null;
    }
    long now = ticker.read();
    long left = e.remaining(now);
    if (left <= 0 || e.dueForPrefetch(now, config.prefetchAmount(), prefetchWindowNanos, config.prefetchPercentage())) {
      return null;
    }
    return new Fresh(e, left, e.kind == ReplyKind.SUCCESS);
  }

  /** The entry filed under {@code key}: denial first, then success ({@link #file} keeps one of the two). */
  private CacheEntry find(CacheKey key) {
    CacheEntry e = denial.getIfPresent(key);
    return e != null ? e : success.getIfPresent(key);
  }

  /** Counts a reply sent from a {@link Fresh} entry as a request and a hit (coredns_cache_*). */
  public void countHit(Fresh f) {
    series.requests.inc();
    (f.success() ? series.successHits : series.denialHits).inc();
  }

  /**
   * The reply {@link #lookup} serves from {@code e} to {@code query}, with every TTL {@code ttl}: for building
   * the encoded copy once.
   */
  public Message replyFrom(Message query, CacheEntry e, long ttl) {
    return answer(query, e.withTtl(ttl));
  }

  /**
   * Files {@code reply} to {@code query} if its kind and zone allow (behaviours.md 11.4). Returns whether it
   * was stored. A truncated reply, an rcode other than NOERROR/NXDOMAIN/SERVFAIL, or a reply whose question
   * is not the query's is not stored.
   */
  public boolean store(Message query, Message reply) {
    return file(query, reply) != null;
  }

  /**
   * {@link #store}s {@code reply} and returns what the client should get now: when cached, the reply with
   * every TTL set to the capped TTL (as CoreDNS does, so the first and later answers agree), else
   * {@code reply} itself (which may still carry the upstream's OPT; the encoder replaces it).
   */
  public Message storeAndServe(Message query, Message reply) {
    CacheEntry e = file(query, reply);
    return e == null ? reply : answer(query, e.withTtl(e.ttlSeconds));
  }

  private CacheEntry file(Message query, Message reply) {
    if (query.getQuestion() == null || !covers(query.getQuestion().getName())) {
      return null;
    }
    if (reply.getQuestion() == null || !reply.getQuestion().equals(query.getQuestion())) {
      series.drops.inc();
      return null;
    }
    ReplyKind kind = ReplyKind.of(reply);
    Name qname = query.getQuestion().getName();
    long ttl;
    switch (kind) {
      case SUCCESS -> {
        if (within(qname, disableSuccess)) {
          return null;
        }
        long t = ReplyKind.minTtl(reply);
        ttl = clamp(t < 0 ? config.successMinTtl() : t, config.successMinTtl(), config.successMaxTtl());
      }
      case DENIAL -> {
        if (within(qname, disableDenial)) {
          return null;
        }
        long t = ReplyKind.denialTtl(reply);
        ttl = clamp(t < 0 ? ReplyKind.NO_SOA_DENIAL_TTL : t, config.denialMinTtl(), config.denialMaxTtl());
      }
      case SERVFAIL -> {
        if (within(qname, disableDenial)) {
          return null;
        }
        ttl = config.servfailTtl();
      }
      default -> {
        return null;
      }
    }
    if (ttl <= 0) {
      return null;
    }
    CacheKey key = CacheKey.of(query);
    CacheEntry entry = new CacheEntry(reply, kind, ticker.read(), ttl);
    if (kind == ReplyKind.SUCCESS) {
      success.put(key, entry);
      denial.invalidate(key);
    } else {
      denial.put(key, entry);
      success.invalidate(key);
    }
    return entry;
  }

  /** Counts a reply served from an expired entry. */
  void countServedStale() {
    series.servedStale.inc();
  }

  /** Counts a background refresh started for a popular entry. */
  void countPrefetch() {
    series.prefetch.inc();
  }

  public long successEntries() {
    return success.estimatedSize();
  }

  public long denialEntries() {
    return denial.estimatedSize();
  }

  /** Runs Caffeine's pending maintenance now (tests; production leaves it to the executor). */
  public void cleanUp() {
    success.cleanUp();
    denial.cleanUp();
  }

  /**
   * The served copy: shared records, the client's ID, RD and question, and AA set as CoreDNS's cache sets it
   * (some old glibc resolvers drop a whole reply without AA; behaviours.md 9.6).
   */
  private static Message answer(Message query, Message shared) {
    Message m = shared.clone();
    m.getHeader().setID(query.getHeader().getID());
    m.getHeader().setFlag(Flags.AA);
    if (query.getHeader().getFlag(Flags.RD)) {
      m.getHeader().setFlag(Flags.RD);
    } else {
      m.getHeader().unsetFlag(Flags.RD);
    }
    m.removeAllRecords(Section.QUESTION);
    m.addRecord(query.getQuestion(), Section.QUESTION);
    return m;
  }

  private static long clamp(long v, long min, long max) {
    return Math.max(min, Math.min(max, v));
  }

  private static boolean within(Name qname, Name[] zs) {
    for (Name z : zs) {
      if (qname.subdomain(z)) {
        return true;
      }
    }
    return false;
  }

  private static Name[] names(List<String> zs) {
    Name[] out = new Name[zs.size()];
    for (int i = 0; i < out.length; i++) {
      try {
        out[i] = Name.fromString(zs.get(i));
      } catch (TextParseException e) {
        throw new IllegalArgumentException("bad zone '" + zs.get(i) + "'", e);
      }
    }
    return out;
  }
}
