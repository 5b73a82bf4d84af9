package io.clusterdns.server.ops;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;

/**
 * CoreDNS's {@code reload} series (behaviours.md 14): {@code coredns_reload_failed_total} and
 * {@code coredns_reload_version_info{hash="sha512",value=<hex digest of the Corefile in force>}}, plus
 * {@code coredns_plugin_enabled{server,zone,view,name}} (1 per plugin of each server block in force). Thread-safe.
 */
public final class ReloadMetrics {
  private final Counter failed;
  private final Gauge version;
  private final Gauge pluginEnabled;
  private String versionValue;
  private List<List<String>> plugins = List.of();

  public ReloadMetrics(PrometheusRegistry registry) {
    failed = Counter.builder().name("coredns_reload_failed_total")
        .help("Counter of the number of failed reload attempts.").withoutExemplars().register(registry);
    failed.initLabelValues();
    version = Gauge.builder().name("coredns_reload_version_info")
        .help("A metric with a constant '1' value labeled by hash, and value which type of hash generated.")
        .labelNames("hash", "value").withoutExemplars().register(registry);
    pluginEnabled = Gauge.builder().name("coredns_plugin_enabled")
        .help("A metric that indicates whether a plugin is enabled on per server and zone basis.")
        .labelNames("server", "zone", "view", "name").withoutExemplars().register(registry);
  }

  public void failed() {
    failed.inc();
  }

  /** The Corefile now in force, by its SHA-512 in hex. */
  public synchronized void running(String sha512) {
    if (versionValue != null) {
      version.remove("sha512", versionValue);
    }
    versionValue = sha512;
    version.labelValues("sha512", sha512).set(1);
  }

  /** @param labels one {@code [server, zone, name]} per enabled plugin of the configuration in force */
  public synchronized void plugins(List<List<String>> labels) {
    for (List<String> l : plugins) {
      pluginEnabled.remove(l.get(0), l.get(1), "", l.get(2));
    }
    plugins = List.copyOf(labels);
    for (List<String> l : plugins) {
      pluginEnabled.labelValues(l.get(0), l.get(1), "", l.get(2)).set(1);
    }
  }
}
