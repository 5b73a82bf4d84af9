package io.clusterdns.k8s;

import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.function.DoubleSupplier;

/**
 * The watch's Prometheus series.
 * <ul>
 *   <li>{@value #PROGRAMMING_DURATION}{service_kind}: CoreDNS's DNS programming latency SLI (behaviours.md
 *       14): from an EndpointSlice's {@code endpoints.kubernetes.io/last-change-trigger-time} to the moment a
 *       snapshot containing the change is published. Same name, label and buckets as CoreDNS; all three
 *       series exist at zero from the start (cli.md "Metrics naming").
 *   <li>{@value #DATA_AGE}: seconds since the watched data was last known to be current (0 while every
 *       kind is watching; grows during an API-server outage and before the first sync).
 * </ul>
 *
 * <p>Threads: observed by the indexer thread; collected by the metrics server's thread.
 */
public final class WatchMetrics {
  public static final String PROGRAMMING_DURATION = "coredns_kubernetes_dns_programming_duration_seconds";
  public static final String DATA_AGE = "clusterdns_kubernetes_data_age_seconds";

  /** {@code service_kind} values, as CoreDNS spells them. */
  public static final String CLUSTER_IP = "cluster_ip";
  public static final String HEADLESS_WITH_SELECTOR = "headless_with_selector";
  public static final String HEADLESS_WITHOUT_SELECTOR = "headless_without_selector";

  /** CoreDNS's buckets: 0.001 s doubling 20 times (to about 524 s). */
  private static final int BUCKETS = 20;
  private static final double FIRST_BUCKET_SECONDS = 0.001;

  private final Histogram programming;

  /** Registers both series into {@code registry}; {@code dataAgeSeconds} is read at each scrape. */
  public WatchMetrics(PrometheusRegistry registry, DoubleSupplier dataAgeSeconds) {
    programming = Histogram.builder()
        .name(PROGRAMMING_DURATION)
        .help("Histogram of the time (in seconds) it took to program a DNS instance.")
        .labelNames("service_kind")
        .classicOnly()
        .classicExponentialUpperBounds(FIRST_BUCKET_SECONDS, 2, BUCKETS)
        .withoutExemplars()
        .register(registry);
    programming.initLabelValues(CLUSTER_IP);
    programming.initLabelValues(HEADLESS_WITH_SELECTOR);
    programming.initLabelValues(HEADLESS_WITHOUT_SELECTOR);
    GaugeWithCallback.builder()
        .name(DATA_AGE)
        .help("Seconds since the Kubernetes data served was last known to be current.")
        .callback(cb -> cb.call(dataAgeSeconds.getAsDouble()))
        .register(registry);
  }

  void observeProgramming(String serviceKind, double seconds) {
    programming.labelValues(serviceKind).observe(Math.max(0, seconds));
  }
}
