package io.clusterdns.server.cache;

import io.clusterdns.server.forward.ForwardFailure;
import io.clusterdns.server.forward.ForwardRoutes;
import io.clusterdns.server.forward.Forwarder;
import java.util.concurrent.CompletableFuture;
import org.xbill.DNS.Message;

/**
 * The pipeline's one call for names that go upstream: cache first, then the forwarder picked by zone, and
 * the reply filed on its way back (STYLE.md query path step 3, "cache, then Forwarder"). Prefetch and
 * serve_stale refreshes run in the background through the same forwarder, at most one per entry.
 *
 * <p>Threads: any; on an event loop a cache hit completes at once on the caller's thread and a forwarded
 * query completes on that same loop (see {@link Forwarder}).
 */
public final class CachingResolver {

  private final ResponseCache cache;
  private final ForwardRoutes<Forwarder> routes;

  /** @param cache null when no cache is configured */
  public CachingResolver(ResponseCache cache, ForwardRoutes<Forwarder> routes) {
    this.cache = cache;
    this.routes = routes;
  }

  /** The cache in front of the forwarders, or null. */
  public ResponseCache cache() {
    return cache;
  }

  /**
   * The reply for {@code query}: from the cache (ID, question and counted-down TTLs set), or from the
   * upstream over the client's transport. Fails with {@link ForwardFailure}: the pipeline answers
   * {@link ForwardFailure#rcode()} (SERVFAIL, or REFUSED at {@code max_concurrent}). The reply carries no
   * OPT from the cache; the encoder adds the server's own OPT when the query had one.
   */
  public CompletableFuture<Message> resolve(Message query, boolean tcp) {
    Forwarder forwarder = routes.select(query.getQuestion().getName());
    ResponseCache.Lookup lookup = cache == null ? null : cache.lookup(query);
    if (lookup instanceof ResponseCache.Hit hit) {
      if (hit.prefetch() && forwarder != null && hit.entry.claimRefresh()) {
        cache.countPrefetch();
        refresh(forwarder, query, tcp, hit.entry);
      }
      return CompletableFuture.completedFuture(hit.reply());
    }
    if (forwarder == null) {
      return CompletableFuture.failedFuture(
          new ForwardFailure(ForwardFailure.Reason.NO_ROUTE, "no forward zone for " + query.getQuestion()));
    }
    if (lookup instanceof ResponseCache.Stale stale) {
      if (!cache.config().serveStaleVerify()) {
        if (stale.entry.claimRefresh()) {
          refresh(forwarder, query, tcp, stale.entry);
        }
        cache.countServedStale();
        return CompletableFuture.completedFuture(stale.reply());
      }
      // verify: ask upstream first; the stale answer only when that fails (RFC 8767 5)
      return forwarder.forward(query, tcp).handle((reply, failure) -> {
        if (failure == null) {
          return cache.storeAndServe(query, reply);
        }
        cache.countServedStale();
        return stale.reply();
      });
    }
    CompletableFuture<Message> f = forwarder.forward(query, tcp);
    if (cache == null) {
      return f;
    }
    return f.thenApply(reply -> cache.storeAndServe(query, reply));
  }

  private void refresh(Forwarder forwarder, Message query, boolean tcp, CacheEntry entry) {
    Message copy = query.clone();
    forwarder.forward(copy, tcp).whenComplete((reply, failure) -> {
      if (failure == null) {
        cache.store(copy, reply);
      }
      entry.refreshDone();
    });
  }
}
