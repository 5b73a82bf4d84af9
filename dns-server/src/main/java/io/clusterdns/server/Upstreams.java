package io.clusterdns.server;

import io.clusterdns.config.CacheConfig;
import io.clusterdns.config.ForwardConfig;
import io.clusterdns.server.cache.CacheMetrics;
import io.clusterdns.server.cache.CachingResolver;
import io.clusterdns.server.cache.ResponseCache;
import io.clusterdns.server.forward.ForwardMetrics;
import io.clusterdns.server.forward.ForwardRoutes;
import io.clusterdns.server.forward.Forwarder;
import io.clusterdns.server.net.EventLoops;
import io.clusterdns.server.query.UpstreamPath;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.xbill.DNS.Message;

/**
 * Builds the forward path: one forwarder per forwarded zone (the most specific wins per query) behind the
 * answer cache when one is configured (kubeadm: {@code cache 30}, cluster zone excluded; behaviours.md 11.4).
 */
final class Upstreams {
  private Upstreams() {}

  /**
   * The forward path on the server's event loops: cache, then the forwarder picked by zone.
   *
   * @param serverLabel CoreDNS's {@code server} label for the cache series ({@code dns://:53})
   */
  static Function<EventLoops, UpstreamPath> factory(
      List<ForwardConfig> forwards, CacheConfig cache, PrometheusRegistry registry, String serverLabel) {
    return factory(forwards, cache, new Metrics(registry), serverLabel);
  }

  /**
   * The forward path with series registered once per process and shared by every forward path a reload builds
   * (a registry takes each name once).
   */
  static Function<EventLoops, UpstreamPath> factory(
      List<ForwardConfig> forwards, CacheConfig cache, Metrics metrics, String serverLabel) {
    return loops -> {
      List<Forwarder> forwarders = new ArrayList<>();
      for (ForwardConfig f : forwards) {
        forwarders.add(new Forwarder(f, loops.group(), metrics.forward()));
      }
      CacheMetrics cm = cache == null ? null : metrics.cache();
      ResponseCache c = cache == null ? null : new ResponseCache(cache, cm, serverLabel);
      return new ResolverPath(forwarders, new CachingResolver(c, ForwardRoutes.of(forwarders)), cm);
    };
  }

  /** The forward and cache series of one registry, each registered on first use. Thread-safe. */
  static final class Metrics {
    private final PrometheusRegistry registry;
    private ForwardMetrics forward;
    private CacheMetrics cache;

    Metrics(PrometheusRegistry registry) {
      this.registry = registry;
    }

    synchronized ForwardMetrics forward() {
      if (forward == null) {
        forward = ForwardMetrics.register(registry);
      }
      return forward;
    }

    synchronized CacheMetrics cache() {
      if (cache == null) {
        cache = CacheMetrics.register(registry);
      }
      return cache;
    }
  }

  /**
   * Adapts the caching resolver to the pipeline's view of it, and closes the forwarders with the server (or when
   * a reload retires this path, whose cache then leaves {@code coredns_cache_entries}).
   */
  record ResolverPath(List<Forwarder> forwarders, CachingResolver resolver, CacheMetrics cacheMetrics)
      implements UpstreamPath, AutoCloseable {
    @Override
    public CompletableFuture<Message> forward(Message query, boolean tcp) {
      return resolver.resolve(query, tcp);
    }

    @Override
    public ResponseCache cache() {
      return resolver.cache();
    }

    @Override
    public void close() {
      forwarders.forEach(Forwarder::close);
      if (cacheMetrics != null && resolver.cache() != null) {
        cacheMetrics.forget(resolver.cache());
      }
    }
  }
}
