package io.clusterdns.server.forward;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.xbill.DNS.Rcode;

/**
 * The forward plugin's Prometheus series, with CoreDNS's names and labels so dashboards keep working
 * (behaviours.md 14): {@code coredns_proxy_request_duration_seconds{proxy_name,to,rcode}},
 * {@code coredns_proxy_healthcheck_failures_total{proxy_name,to}},
 * {@code coredns_proxy_conn_cache_hits_total} / {@code _misses_total{proxy_name,to,proto}},
 * {@code coredns_forward_healthcheck_broken_total}, {@code coredns_forward_max_concurrent_rejects_total};
 * plus our own {@code clusterdns_forward_dropped_replies_total{to}} for replies dropped because ID or question
 * did not match (spoofed or late), and for hedging (issue 22): {@code clusterdns_forward_upstream_srtt_seconds{to}},
 * {@code clusterdns_forward_hedges_total{to}}, {@code clusterdns_forward_hedge_wins_total{to}},
 * {@code clusterdns_forward_hedges_refused_total}. One instance per registry, shared by every {@link Forwarder} (stub
 * domains included). Thread-safe; the per-upstream data points are looked up once per upstream and cached
 * in {@link UpstreamSeries}, so the hot path does no label lookups.
 */
public final class ForwardMetrics {

  /** {@code proxy_name} label value, as CoreDNS's forward plugin sets it. */
  public static final String PROXY_NAME = "forward";

  /** CoreDNS's buckets for the proxy duration: 0.25 ms doubling 16 times (to about 8 s). */
  private static final double[] DURATION_BUCKETS = exponential(0.00025, 2, 16);

  private final Histogram requestDuration;
  private final Counter healthcheckFailures;
  private final Counter connCacheHits;
  private final Counter connCacheMisses;
  private final Counter healthcheckBroken;
  private final Counter maxConcurrentRejects;
  private final Counter droppedReplies;
  private final AnswerTrace answers = new AnswerTrace();
  private final Gauge srtt;
  private final Counter hedges;
  private final Counter hedgeWins;
  private final Counter hedgesRefused;

  private ForwardMetrics(PrometheusRegistry registry) {
    requestDuration = Histogram.builder()
        .name("coredns_proxy_request_duration_seconds")
        .help("Histogram of the time each request took.")
        .labelNames("proxy_name", "to", "rcode")
        .classicOnly()
        .classicUpperBounds(DURATION_BUCKETS)
        .withoutExemplars()
        .register(registry);
    healthcheckFailures = Counter.builder()
        .name("coredns_proxy_healthcheck_failures_total")
        .help("Counter of the number of failed healthchecks.")
        .labelNames("proxy_name", "to")
        .withoutExemplars()
        .register(registry);
    connCacheHits = Counter.builder()
        .name("coredns_proxy_conn_cache_hits_total")
        .help("Counter of connection cache hits per upstream and protocol.")
        .labelNames("proxy_name", "to", "proto")
        .withoutExemplars()
        .register(registry);
    connCacheMisses = Counter.builder()
        .name("coredns_proxy_conn_cache_misses_total")
        .help("Counter of connection cache misses per upstream and protocol.")
        .labelNames("proxy_name", "to", "proto")
        .withoutExemplars()
        .register(registry);
    healthcheckBroken = Counter.builder()
        .name("coredns_forward_healthcheck_broken_total")
        .help("Counter of the number of complete failures of the healthchecks.")
        .withoutExemplars()
        .register(registry);
    maxConcurrentRejects = Counter.builder()
        .name("coredns_forward_max_concurrent_rejects_total")
        .help("Counter of the number of queries rejected because the concurrent queries were at maximum.")
        .withoutExemplars()
        .register(registry);
    droppedReplies = Counter.builder()
        .name("clusterdns_forward_dropped_replies_total")
        .help("Upstream packets dropped because their ID or question did not match a query in flight.")
        .labelNames("to")
        .withoutExemplars()
        .register(registry);
    srtt = Gauge.builder()
        .name("clusterdns_forward_upstream_srtt_seconds")
        .help("Smoothed round-trip time of answered UDP tries per upstream (RFC 6298 SRTT).")
        .labelNames("to")
        .withoutExemplars()
        .register(registry);
    hedges = Counter.builder()
        .name("clusterdns_forward_hedges_total")
        .help("Hedged tries sent, by the upstream they went to.")
        .labelNames("to")
        .withoutExemplars()
        .register(registry);
    hedgeWins = Counter.builder()
        .name("clusterdns_forward_hedge_wins_total")
        .help("Hedged tries whose reply was the one passed on, by upstream.")
        .labelNames("to")
        .withoutExemplars()
        .register(registry);
    hedgesRefused = Counter.builder()
        .name("clusterdns_forward_hedges_refused_total")
        .help("Hedges not sent because the hedge budget (hedge rate) was used up.")
        .withoutExemplars()
        .register(registry);
  }

  /** Registers the series into {@code registry}; call once per registry. */
  public static ForwardMetrics register(PrometheusRegistry registry) {
    return new ForwardMetrics(registry);
  }

  /** Series kept in a private registry nobody scrapes: for tests and tools. */
  public static ForwardMetrics unregistered() {
    return new ForwardMetrics(new PrometheusRegistry());
  }

  /** Which upstream answered a question, for {@code explain}: process-wide, as the series are. */
  public AnswerTrace answers() {
    return answers;
  }

  UpstreamSeries forUpstream(String to) {
    return new UpstreamSeries(to);
  }

  void healthcheckBroken() {
    healthcheckBroken.inc();
  }

  void maxConcurrentReject() {
    maxConcurrentRejects.inc();
  }

  void hedgeRefused() {
    hedgesRefused.inc();
  }

  /** The data points of one upstream, looked up once. Rcode points are created on first use. */
  final class UpstreamSeries {
    private final String to;
    private final DistributionDataPoint[] byRcode = new DistributionDataPoint[Rcode.BADVERS + 1];
    final CounterDataPoint healthcheckFailures;
    final CounterDataPoint udpHits;
    final CounterDataPoint udpMisses;
    final CounterDataPoint tcpHits;
    final CounterDataPoint tcpMisses;
    final CounterDataPoint dropped;
    final CounterDataPoint hedgesSent;
    final CounterDataPoint hedgesWon;
    /** Looked up at the first sample, so that an upstream never answered has no SRTT series. */
    private GaugeDataPoint srttPoint;

    private UpstreamSeries(String to) {
      this.to = to;
      this.healthcheckFailures = ForwardMetrics.this.healthcheckFailures.labelValues(PROXY_NAME, to);
      this.udpHits = connCacheHits.labelValues(PROXY_NAME, to, "udp");
      this.udpMisses = connCacheMisses.labelValues(PROXY_NAME, to, "udp");
      this.tcpHits = connCacheHits.labelValues(PROXY_NAME, to, "tcp");
      this.tcpMisses = connCacheMisses.labelValues(PROXY_NAME, to, "tcp");
      this.dropped = droppedReplies.labelValues(to);
      this.hedgesSent = hedges.labelValues(to);
      this.hedgesWon = hedgeWins.labelValues(to);
    }

    /** Sets the SRTT gauge; a benign race may look the data point up twice. */
    void srtt(double seconds) {
      GaugeDataPoint p = srttPoint;
      if (p == null) {
        p = srtt.labelValues(to);
        srttPoint = p;
      }
      p.set(seconds);
    }

    /** Records one answered try; a benign race may look a data point up twice, never wrongly. */
    void observe(int rcode, long nanos) {
      if (rcode < 0 || rcode >= byRcode.length) {
        requestDuration.labelValues(PROXY_NAME, to, Rcode.string(rcode)).observe(nanos / 1e9);
        return;
      }
      DistributionDataPoint p = byRcode[rcode];
      if (p == null) {
        p = requestDuration.labelValues(PROXY_NAME, to, Rcode.string(rcode));
        byRcode[rcode] = p;
      }
      p.observe(nanos / 1e9);
    }
  }

  private static double[] exponential(double start, double factor, int count) {
    double[] b = new double[count];
    for (int i = 0; i < count; i++) {
      b[i] = start * Math.pow(factor, i);
    }
    return b;
  }
}
