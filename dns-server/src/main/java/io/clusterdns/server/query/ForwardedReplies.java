package io.clusterdns.server.query;

import io.clusterdns.server.cache.CacheEntry;
import io.clusterdns.server.cache.ResponseCache;
import java.io.IOException;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;

/**
 * Cache hits of forwarded names sent from encoded bytes: each {@link ResponseCache} entry gets one
 * {@link EncodedReply}, built by the code every forwarded reply goes through ({@link ResponseCache#replyFrom},
 * {@link QueryPipeline#forwarded}), whose TTLs are patched per query as they count down (behaviours.md 11.4).
 * A hit no longer clones a dnsjava message per query. Misses, stale entries ({@code serve_stale}) and
 * entries due for prefetch return null: the full path handles them with every rule it has. Any thread.
 */
final class ForwardedReplies {
  /** Marks an entry whose reply cannot be patched as bytes, so it is not encoded again on every hit. */
  private static final Object FULL_PATH = new Object();

  private final ResponseCache cache;
  private final boolean loadbalance;

  ForwardedReplies(ResponseCache cache, boolean loadbalance) {
    this.cache = cache;
    this.loadbalance = loadbalance;
  }

  /** The reply to {@code q} (a name outside the cluster zones) from a fresh cache entry, or null. */
  byte[] reply(WireQuery q, boolean tcp) {
    Name qname;
    try {
      qname = new Name(q.name);
    } catch (IOException e) {
      return null;
    }
    boolean cd = (q.flags & 0x10) != 0;
    ResponseCache.Fresh f = cache.fresh(qname, q.qtype, q.dnssecOk, cd);
    if (f == null) {
      return null;
    }
    CacheEntry entry = f.entry();
    Object encoded = entry.encoded();
    if (encoded == null) {
      encoded = encode(qname, q.qtype, entry);
      entry.encoded(encoded);
    }
    if (encoded == FULL_PATH) {
      return null;
    }
    byte[] out = ((EncodedReply) encoded).render(q, tcp, 0, f.ttl());
    if (out != null) {
      cache.countHit(f);
    }
    return out;
  }

  private Object encode(Name qname, int qtype, CacheEntry entry) {
    Message query = Message.newQuery(Record.newRecord(qname, qtype, DClass.IN));
    query.getHeader().setID(0);
    query.getHeader().unsetFlag(Flags.RD);
    Message cached = cache.replyFrom(query, entry, 0);
    if (cached.getRcode() > 0xf) {
      return FULL_PATH;
    }
    Message reply = QueryPipeline.forwarded(query, cached, false);
    reply.getHeader().setRcode(cached.getRcode());
    EncodedReply r = EncodedReply.of(reply, false, true, loadbalance);
    return r == null ? FULL_PATH : r;
  }
}
