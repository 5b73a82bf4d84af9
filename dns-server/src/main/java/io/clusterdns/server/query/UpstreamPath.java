package io.clusterdns.server.query;

import io.clusterdns.server.cache.ResponseCache;
import java.util.concurrent.CompletableFuture;
import org.xbill.DNS.Message;

/**
 * Where names outside the cluster zones are answered: the forwarder (with its cache in front). The future
 * completes with the upstream's reply, already carrying the query's ID, or exceptionally when no upstream
 * answered within the forwarder's time budget. Must not block the caller (an event loop).
 */
@FunctionalInterface
public interface UpstreamPath {
  CompletableFuture<Message> forward(Message query, boolean tcp);

  /** The answer cache in front of the upstreams, whose fresh entries may be sent as bytes; null if none. */
  default ResponseCache cache() {
    return null;
  }
}
