package io.clusterdns.server.ops;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * CoreDNS's {@code coredns_autopath_success_total{server}} (plugin/autopath/metrics.go): queries answered from
 * further along the search path. Registered once per process, so a reload keeps counting on the same series; the
 * series appears with the first such answer. Thread-safe.
 */
public final class AutopathMetrics {
  private final Counter success;

  public AutopathMetrics(PrometheusRegistry registry) {
    success = Counter.builder().name("coredns_autopath_success_total")
        .help("Counter of requests that did autopath.")
        .labelNames("server").withoutExemplars().register(registry);
  }

  /** What counts one autopath answer of the server block labelled {@code server}. */
  public Runnable success(String server) {
    return () -> success.labelValues(server).inc();
  }
}
