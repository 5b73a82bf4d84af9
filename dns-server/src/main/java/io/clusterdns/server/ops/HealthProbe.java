package io.clusterdns.server.ops;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * CoreDNS's {@code health} self-check (behaviours.md 13.5): once a second {@code GET /health} on the server's own
 * health address, timed into {@code coredns_health_request_duration_seconds}; a failed or non-200 request counts
 * in {@code coredns_health_request_failures_total}. A slow answer shows an overloaded process before the
 * kubelet's liveness probe (5 s timeout) fails it. One daemon thread; {@link #close()} stops it.
 */
public final class HealthProbe implements AutoCloseable {
  /** Time between probes, milliseconds (CoreDNS: 1 s). */
  static final long INTERVAL_MS = 1000;

  /** Connect and read timeout of one probe, milliseconds (CoreDNS's client times out after 3 s). */
  static final int TIMEOUT_MS = 3000;

  /** CoreDNS's slim time buckets, seconds: 0.25 ms times powers of ten. */
  static final double[] BUCKETS = {0.00025, 0.0025, 0.025, 0.25, 2.5};

  private final ScheduledExecutorService timer;

  private HealthProbe(ScheduledExecutorService timer) {
    this.timer = timer;
  }

  /** Registers both series (so they exist at zero) and starts probing {@code health}, if any. */
  public static HealthProbe start(PrometheusRegistry registry, InetSocketAddress health) {
    Histogram duration = Histogram.builder().name("coredns_health_request_duration_seconds")
        .help("Histogram of the time (in seconds) each request took.").classicOnly().classicUpperBounds(BUCKETS)
        .withoutExemplars().register(registry);
    Counter failures = Counter.builder().name("coredns_health_request_failures_total")
        .help("The number of times the health check failed.").withoutExemplars().register(registry);
    duration.initLabelValues();
    failures.initLabelValues();
    if (health == null) {
      return new HealthProbe(null);
    }
    String host = health.getAddress() == null || health.getAddress().isAnyLocalAddress() ? "127.0.0.1"
        : health.getAddress().getHostAddress();
    URI uri = URI.create("http://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + health.getPort()
        + "/health");
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "health-probe");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleWithFixedDelay(() -> {
      long start = System.nanoTime();
      boolean ok = false;
      try {
        HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
        c.setConnectTimeout(TIMEOUT_MS);
        c.setReadTimeout(TIMEOUT_MS);
        try {
          ok = c.getResponseCode() == 200;
          c.getInputStream().readAllBytes();
        } finally {
          c.disconnect();
        }
      } catch (IOException | RuntimeException e) {
        ok = false;
      }
      duration.observe((System.nanoTime() - start) / 1e9);
      if (!ok) {
        failures.inc();
      }
    }, INTERVAL_MS, INTERVAL_MS, TimeUnit.MILLISECONDS);
    return new HealthProbe(timer);
  }

  @Override
  public void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
  }
}
