package io.clusterdns.server.ops;

import io.clusterdns.config.corefile.AclPlugin;
import io.clusterdns.server.query.AccessControl;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * CoreDNS's {@code acl} series with its names and labels (plugin/acl/metrics.go):
 * {@code coredns_acl_blocked_requests_total}, {@code _filtered_requests_total} and {@code _dropped_requests_total}
 * by {@code server, zone, view}, and {@code coredns_acl_allowed_requests_total} by {@code server, view}. Registered
 * once per process, so a reload that rebuilds the {@link AccessControl} keeps counting on the same series; a series
 * appears once a configuration names its labels. Thread-safe.
 */
public final class AclMetrics implements AccessControl.Counters {
  private static final String VIEW = "";

  private final Counter blocked;
  private final Counter filtered;
  private final Counter dropped;
  private final Counter allowed;

  public AclMetrics(PrometheusRegistry registry) {
    blocked = Counter.builder().name("coredns_acl_blocked_requests_total")
        .help("Counter of DNS requests being blocked.")
        .labelNames("server", "zone", "view").withoutExemplars().register(registry);
    filtered = Counter.builder().name("coredns_acl_filtered_requests_total")
        .help("Counter of DNS requests being filtered.")
        .labelNames("server", "zone", "view").withoutExemplars().register(registry);
    dropped = Counter.builder().name("coredns_acl_dropped_requests_total")
        .help("Counter of DNS requests being dropped.")
        .labelNames("server", "zone", "view").withoutExemplars().register(registry);
    allowed = Counter.builder().name("coredns_acl_allowed_requests_total")
        .help("Counter of DNS requests being allowed.")
        .labelNames("server", "view").withoutExemplars().register(registry);
  }

  @Override
  public Runnable counter(AclPlugin.Action action, String server, String zone) {
    var point = switch (action) {
      case ALLOW -> allowed.labelValues(server, VIEW);
      case BLOCK -> blocked.labelValues(server, zone, VIEW);
      case FILTER -> filtered.labelValues(server, zone, VIEW);
      case DROP -> dropped.labelValues(server, zone, VIEW);
    };
    return point::inc;
  }
}
