package io.clusterdns.server.cache;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.xbill.DNS.Message;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * One cached reply: the upstream's records without OPT (the pipeline adds the client's own), when it was
 * stored, and its TTL after the caps. Served copies carry the remaining TTL on every record (behaviours.md
 * 11.4: TTLs count down, all the same); the copy for the current second is memoised, so a popular entry is
 * rebuilt at most once a second. Thread-safe: immutable apart from the memo (a racy but consistent
 * volatile), the prefetch hit window (approximate by design) and the refresh claim (atomic).
 */
public final class CacheEntry {

  /** A rendered copy of the template whose records all carry {@code ttl}. */
  private record Served(long ttl, Message message) {}

  final Message template;
  final ReplyKind kind;
  final long storedNanos;
  final long ttlSeconds;
  final int weight;
  private volatile Served memo;
  /** The query layer's encoded copy of this reply (TTL fields patched per query); null until built. */
  private volatile Object encoded;
  private final AtomicBoolean refreshing = new AtomicBoolean();
  private long windowStartNanos;
  private int windowHits;

  CacheEntry(Message reply, ReplyKind kind, long storedNanos, long ttlSeconds) {
    Message t = reply.clone();
    t.removeAllRecords(Section.ADDITIONAL);
    for (Record r : reply.getSection(Section.ADDITIONAL)) {
      if (r.getType() != Type.OPT) {
        t.addRecord(r, Section.ADDITIONAL);
      }
    }
    this.template = t;
    this.kind = kind;
    this.storedNanos = storedNanos;
    this.ttlSeconds = ttlSeconds;
    int bytes = reply.numBytes() > 0 ? reply.numBytes() : reply.toWire().length;
    // Parsed records take several times their wire size on the heap, and the memo holds a second copy.
    this.weight = 200 + 6 * bytes;
    this.windowStartNanos = storedNanos;
  }

  /** The encoded copy the query layer keeps with this entry, or null. */
  public Object encoded() {
    return encoded;
  }

  /** Keeps an encoded copy of this reply; racing writers store equal values. */
  public void encoded(Object value) {
    encoded = value;
  }

  /** Seconds of TTL left at {@code nowNanos}; negative once expired. */
  long remaining(long nowNanos) {
    return ttlSeconds - (nowNanos - storedNanos) / 1_000_000_000L;
  }

  /** The template with every record's TTL set to {@code ttl}; shared, callers clone before changing it. */
  Message withTtl(long ttl) {
    Served s = memo;
    if (s != null && s.ttl() == ttl) {
      return s.message();
    }
    Message m = template.clone();
    for (int sec = Section.ANSWER; sec <= Section.ADDITIONAL; sec++) {
      List<Record> records = template.getSection(sec);
      if (records.isEmpty()) {
        continue;
      }
      m.removeAllRecords(sec);
      for (Record r : records) {
        m.addRecord(retimed(r, ttl), sec);
      }
    }
    memo = new Served(ttl, m);
    return m;
  }

  /**
   * Counts a hit in the prefetch window and says whether the entry is popular and close enough to expiry
   * to refresh now (CoreDNS {@code prefetch AMOUNT DURATION PERCENTAGE%}).
   */
  boolean dueForPrefetch(long nowNanos, int amount, long windowNanos, int percentage) {
    if (amount <= 0) {
      return false;
    }
    if (nowNanos - windowStartNanos > windowNanos) {
      windowStartNanos = nowNanos;
      windowHits = 0;
    }
    windowHits++;
    long threshold = (long) Math.ceil(percentage / 100.0 * ttlSeconds);
    return windowHits >= amount && remaining(nowNanos) <= threshold;
  }

  /** Claims the one background refresh this entry may have running. */
  boolean claimRefresh() {
    return refreshing.compareAndSet(false, true);
  }

  void refreshDone() {
    refreshing.set(false);
  }

  /**
   * A copy of {@code r} with another TTL. dnsjava keeps TTL setters private, so the record goes through its
   * uncompressed wire form with the 4 TTL bytes patched; the rdata keeps its letter case.
   */
  static Record retimed(Record r, long ttl) {
    if (r.getTTL() == ttl) {
      return r;
    }
    byte[] w = r.toWire(Section.ANSWER);
    int at = r.getName().length() + 4; // name, type (2), class (2), then the TTL
    w[at] = (byte) (ttl >>> 24);
    w[at + 1] = (byte) (ttl >>> 16);
    w[at + 2] = (byte) (ttl >>> 8);
    w[at + 3] = (byte) ttl;
    try {
      return Record.fromWire(w, Section.ANSWER);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("re-reading a record dnsjava wrote", e);
    }
  }
}
