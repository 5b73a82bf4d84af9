package io.clusterdns.server.ops;

import io.clusterdns.server.net.TcpConnections;
import io.clusterdns.server.query.LivePipeline;
import io.clusterdns.server.query.ResponseRateLimiter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** Server-wide series: build information, JVM and process figures, and packet-level counters. */
public final class ServerMetrics {
  private ServerMetrics() {}

  /**
   * {@code coredns_build_info{version,revision,goversion}} (dashboards select on that label set; a Java build
   * reports its runtime version as {@code goversion}, cli.md "Metrics naming") and the JVM/process series
   * that stand in for Go's {@code go_*} and {@code process_*}.
   */
  public static void registerProcess(PrometheusRegistry registry, String version) {
    Info build = Info.builder()
        .name("coredns_build_info")
        .help("A metric with a constant '1' value labeled by version, revision, and goversion from which clusterdns was built.")
        .labelNames("version", "revision", "goversion")
        .register(registry);
    build.addLabelValues(version, "", "java" + Runtime.version());
    JvmMetrics.builder().register(registry);
    CounterWithCallback.builder()
        .name("clusterdns_log_lines_dropped_total")
        .help("Log lines dropped because stderr was not read fast enough (the writer's queue was full); "
            + "queries are never held up by logging.")
        .callback(cb -> cb.call(LogFormat.droppedLines()))
        .register(registry);
  }

  /**
   * TCP connections open now, those closed at accept for being over a limit ({@code reason} {@code total} or
   * {@code per_client}), and the times a connection stopped being read at its in-flight limit.
   */
  public static void registerTcp(PrometheusRegistry registry, TcpConnections tcp) {
    GaugeWithCallback.builder()
        .name("clusterdns_tcp_connections")
        .help("TCP connections open now.")
        .callback(cb -> cb.call(tcp.open()))
        .register(registry);
    CounterWithCallback.builder()
        .name("clusterdns_tcp_connections_rejected_total")
        .help("TCP connections closed as soon as accepted: over the total limit (reason=total) or the "
            + "per-client limit (reason=per_client).")
        .labelNames("reason")
        .callback(cb -> {
          cb.call(tcp.rejectedTotal(), "total");
          cb.call(tcp.rejectedPerClient(), "per_client");
        })
        .register(registry);
    CounterWithCallback.builder()
        .name("clusterdns_tcp_reads_paused_total")
        .help("Times a TCP connection stopped being read because its in-flight limit of queries awaited replies.")
        .callback(cb -> cb.call(tcp.pausedReads()))
        .register(registry);
  }

  /**
   * Replies held back by response rate limiting ({@code --rrl}), as Knot's rrl module counts them: dropped, and
   * slipped (sent truncated). Registered also when it is off, at zero, so dashboards and alerts find the series.
   *
   * @param rrl null when off
   */
  public static void registerRateLimit(PrometheusRegistry registry, ResponseRateLimiter rrl) {
    CounterWithCallback.builder()
        .name("clusterdns_rrl_dropped_responses_total")
        .help("UDP replies not sent because their client prefix was over the --rrl rate.")
        .callback(cb -> cb.call(rrl == null ? 0 : rrl.dropped()))
        .register(registry);
    CounterWithCallback.builder()
        .name("clusterdns_rrl_slipped_responses_total")
        .help("UDP replies over the --rrl rate sent truncated (TC=1) so that the client retries over TCP.")
        .callback(cb -> cb.call(rrl == null ? 0 : rrl.slipped()))
        .register(registry);
  }

  /** Packets that got no reply at all (shorter than a DNS header, or responses sent to us; behaviours.md 10.4). */
  public static void registerPipeline(PrometheusRegistry registry, LivePipeline pipeline) {
    CounterWithCallback.builder()
        .name("clusterdns_dns_dropped_packets_total")
        .help("Packets dropped without a reply: shorter than a DNS header, or responses (QR=1).")
        .callback(cb -> cb.call(pipeline.droppedPackets()))
        .register(registry);
    CounterWithCallback.builder()
        .name("coredns_panics_total")
        .help("A metrics that counts the number of panics (here: queries that hit an internal error).")
        .callback(cb -> cb.call(pipeline.internalFailures()))
        .register(registry);
    CounterWithCallback.builder()
        .name("clusterdns_dns_internal_errors_total")
        .help("Queries answered SERVFAIL because of an unexpected internal error.")
        .callback(cb -> cb.call(pipeline.internalFailures()))
        .register(registry);
  }
}
