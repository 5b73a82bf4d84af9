package io.clusterdns.server.cache;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The cache plugin's Prometheus series with CoreDNS's names and labels (behaviours.md 14):
 * {@code coredns_cache_entries{server,type,zones,view}} (gauge, read from the caches at scrape time),
 * {@code coredns_cache_hits_total{server,type,zones,view}}, {@code coredns_cache_requests_total},
 * {@code coredns_cache_misses_total}, {@code coredns_cache_prefetch_total},
 * {@code coredns_cache_drops_total}, {@code coredns_cache_served_stale_total} (all
 * {@code {server,zones,view}}) and {@code coredns_cache_evictions_total{server,type,zones,view}}.
 * {@code type} is {@code success} or {@code denial}. One instance per registry; each {@link ResponseCache}
 * gets its own {@link Series} with the data points looked up once. Thread-safe.
 */
public final class CacheMetrics {

  private final Counter hits;
  private final Counter requests;
  private final Counter misses;
  private final Counter prefetch;
  private final Counter drops;
  private final Counter servedStale;
  private final Counter evictions;
  private final List<ResponseCache> caches = new CopyOnWriteArrayList<>();

  private CacheMetrics(PrometheusRegistry registry) {
    GaugeWithCallback.builder()
        .name("coredns_cache_entries")
        .help("The number of elements in the cache.")
        .labelNames("server", "type", "zones", "view")
        .callback(cb -> {
          for (ResponseCache c : caches) {
            Series s = c.series();
            cb.call(c.successEntries(), s.server, "success", s.zones, "");
            cb.call(c.denialEntries(), s.server, "denial", s.zones, "");
          }
        })
        .register(registry);
    hits = counter(registry, "coredns_cache_hits_total", "The count of cache hits.", true);
    requests = counter(registry, "coredns_cache_requests_total", "The count of cache requests.", false);
    misses = counter(registry, "coredns_cache_misses_total", "The count of cache misses. Deprecated.", false);
    prefetch = counter(registry, "coredns_cache_prefetch_total", "The number of times the cache has prefetched"
        + " a cached item.", false);
    drops = counter(registry, "coredns_cache_drops_total", "The number responses that are not cached, because"
        + " the reply is malformed.", false);
    servedStale = counter(registry, "coredns_cache_served_stale_total", "The number of requests served from"
        + " stale cache entries.", false);
    evictions = counter(registry, "coredns_cache_evictions_total", "The count of cache evictions.", true);
  }

  public static CacheMetrics register(PrometheusRegistry registry) {
    return new CacheMetrics(registry);
  }

  /** Series in a private registry nobody scrapes: for tests and tools. */
  public static CacheMetrics unregistered() {
    return new CacheMetrics(new PrometheusRegistry());
  }

  private static Counter counter(PrometheusRegistry r, String name, String help, boolean typed) {
    Counter.Builder b = Counter.builder().name(name).help(help);
    b = typed ? b.labelNames("server", "type", "zones", "view") : b.labelNames("server", "zones", "view");
    return b.withoutExemplars().register(r);
  }

  /** Stops reporting a cache's entries (a reload replaced it); its counters keep their totals. */
  public void forget(ResponseCache cache) {
    caches.remove(cache);
  }

  Series series(ResponseCache cache, String server, String zones) {
    // A reload's new cache takes over the series of the one it replaces (which then only drains).
    caches.removeIf(c -> {
      Series s = c.series();
      return s != null && s.server.equals(server) && s.zones.equals(zones);
    });
    caches.add(cache);
    return new Series(server, zones);
  }

  /** The data points of one cache. */
  final class Series {
    final String server;
    final String zones;
    final CounterDataPoint successHits;
    final CounterDataPoint denialHits;
    final CounterDataPoint requests;
    final CounterDataPoint misses;
    final CounterDataPoint prefetch;
    final CounterDataPoint drops;
    final CounterDataPoint servedStale;
    final CounterDataPoint successEvictions;
    final CounterDataPoint denialEvictions;

    private Series(String server, String zones) {
      this.server = server;
      this.zones = zones;
      successHits = hits.labelValues(server, "success", zones, "");
      denialHits = hits.labelValues(server, "denial", zones, "");
      this.requests = CacheMetrics.this.requests.labelValues(server, zones, "");
      this.misses = CacheMetrics.this.misses.labelValues(server, zones, "");
      this.prefetch = CacheMetrics.this.prefetch.labelValues(server, zones, "");
      this.drops = CacheMetrics.this.drops.labelValues(server, zones, "");
      this.servedStale = CacheMetrics.this.servedStale.labelValues(server, zones, "");
      successEvictions = evictions.labelValues(server, "success", zones, "");
      denialEvictions = evictions.labelValues(server, "denial", zones, "");
    }
  }
}
