package io.clusterdns.server.ops;

import io.clusterdns.server.query.Decoded;
import io.clusterdns.server.query.QueryObserver;
import io.clusterdns.server.query.QueryPipeline;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/**
 * CoreDNS's per-query series with its names, labels and buckets (behaviours.md 14), which kube-dns dashboards
 * and alerts read: {@code coredns_dns_requests_total}, {@code _responses_total}, {@code _request_duration_seconds},
 * {@code _request_size_bytes}, {@code _response_size_bytes}, {@code _do_requests_total}.
 *
 * <p>Hot path: every label value comes from a closed set, so each series' data point is looked up once, at
 * construction or on the first use of an rcode, and kept in an array; a query then costs a few array reads and
 * atomic adds, no map lookups or label lists. Exemplars are off: sampling them looks for a trace context on every
 * observation, and no trace exists here. Thread-safe; called on every event loop.
 */
public final class DnsMetrics implements QueryObserver {
  /** CoreDNS's qtype label values; everything else is {@code other}. */
  private static final int[] TYPES = {Type.A, Type.AAAA, Type.CNAME, Type.DNSKEY, Type.DS, Type.MX, Type.NSEC3,
      Type.NSEC, Type.NS, Type.PTR, Type.RRSIG, Type.SOA, Type.SRV, Type.TXT, Type.HTTPS, Type.SVCB, Type.IXFR,
      Type.AXFR, Type.ANY};

  private static final String[] TYPE_NAMES = {"A", "AAAA", "CNAME", "DNSKEY", "DS", "MX", "NSEC3", "NSEC", "NS",
      "PTR", "RRSIG", "SOA", "SRV", "TXT", "HTTPS", "SVCB", "IXFR", "AXFR", "ANY", "other"};

  /** The {@code plugin} label of each reply source: the server itself, kubernetes, forward (or cache). */
  private static final String[] PLUGINS = {"", "kubernetes", "forward", "hosts", "template", "acl"};

  /** Rcodes with a label of their own (0-23 covers the header and EDNS rcodes in use). */
  private static final int RCODES = 24;

  /** The zone label of queries rejected before any zone saw them (CoreDNS). */
  private static final String DROPPED_ZONE = "dropped";

  private static final String VIEW = "";

  /** CoreDNS's duration buckets: 0.25 ms doubling 16 times (to ~8 s). */
  private static final double[] DURATION_BUCKETS = new double[16];

  /** CoreDNS's size buckets, bytes. */
  private static final double[] SIZE_BUCKETS = {0, 100, 200, 300, 400, 511, 1023, 2047, 4095, 8291, 16e3, 32e3,
      48e3, 64e3};

  static {
    for (int k = 0; k < DURATION_BUCKETS.length; k++) {
      DURATION_BUCKETS[k] = 0.00025 * (1 << k);
    }
  }

  private final String server;
  private final String zone;
  private final Counter responses;
  /** [type][proto: 0 udp, 1 tcp][family: 0 IPv4, 1 IPv6] for the served zone. */
  private final CounterDataPoint[][][] requests = new CounterDataPoint[TYPE_NAMES.length][2][2];
  private final CounterDataPoint[][] droppedRequests = new CounterDataPoint[2][2];
  /** [rcode][plugin], filled on first use. */
  private final CounterDataPoint[][] responsesByRcode = new CounterDataPoint[RCODES][PLUGINS.length];
  private final CounterDataPoint[] droppedResponses = new CounterDataPoint[RCODES];
  private final DistributionDataPoint duration;
  private final DistributionDataPoint[] requestSize = new DistributionDataPoint[2];
  private final DistributionDataPoint[] responseSize = new DistributionDataPoint[2];
  private final CounterDataPoint doRequests;

  /**
   * @param server CoreDNS's {@code server} label, e.g. {@code dns://:53}
   * @param zone the server block's zone, {@code .} by default
   */
  public DnsMetrics(PrometheusRegistry registry, String server, String zone) {
    this.server = server;
    this.zone = zone;
    Counter req = Counter.builder().name("coredns_dns_requests_total")
        .help("Counter of DNS requests made per zone, protocol and family.")
        .labelNames("server", "zone", "view", "proto", "family", "type").withoutExemplars().register(registry);
    this.responses = Counter.builder().name("coredns_dns_responses_total")
        .help("Counter of response status codes.")
        .labelNames("server", "zone", "view", "rcode", "plugin").withoutExemplars().register(registry);
    Histogram dur = Histogram.builder().name("coredns_dns_request_duration_seconds")
        .help("Histogram of the time (in seconds) each request took per zone.")
        .labelNames("server", "zone", "view").classicOnly().classicUpperBounds(DURATION_BUCKETS)
        .withoutExemplars().register(registry);
    Histogram reqSize = Histogram.builder().name("coredns_dns_request_size_bytes")
        .help("Size of the EDNS0 UDP buffer in bytes (64K for TCP) per zone and protocol.")
        .labelNames("server", "zone", "view", "proto").classicOnly().classicUpperBounds(SIZE_BUCKETS)
        .withoutExemplars().register(registry);
    Histogram respSize = Histogram.builder().name("coredns_dns_response_size_bytes")
        .help("Size of the returned response in bytes.")
        .labelNames("server", "zone", "view", "proto").classicOnly().classicUpperBounds(SIZE_BUCKETS)
        .withoutExemplars().register(registry);
    Counter dos = Counter.builder().name("coredns_dns_do_requests_total")
        .help("Counter of DNS requests with DO bit set per zone.")
        .labelNames("server", "zone", "view").withoutExemplars().register(registry);
    String[] protos = {"udp", "tcp"};
    String[] families = {"1", "2"};
    for (int t = 0; t < TYPE_NAMES.length; t++) {
      for (int p = 0; p < 2; p++) {
        for (int f = 0; f < 2; f++) {
          requests[t][p][f] = req.labelValues(server, zone, VIEW, protos[p], families[f], TYPE_NAMES[t]);
        }
      }
    }
    for (int p = 0; p < 2; p++) {
      for (int f = 0; f < 2; f++) {
        droppedRequests[p][f] = req.labelValues(server, DROPPED_ZONE, VIEW, protos[p], families[f], "other");
      }
      requestSize[p] = reqSize.labelValues(server, zone, VIEW, protos[p]);
      responseSize[p] = respSize.labelValues(server, zone, VIEW, protos[p]);
    }
    this.duration = dur.labelValues(server, zone, VIEW);
    this.doRequests = dos.labelValues(server, zone, VIEW);
  }

  @Override
  public void answered(int qtype, boolean dnssecOk, boolean tcp, boolean ipv6, int rcode,
      QueryPipeline.Source source, int requestBytes, int replyBytes, long nanos) {
    int p = tcp ? 1 : 0;
    requests[typeIndex(qtype)][p][ipv6 ? 1 : 0].inc();
    if (dnssecOk) {
      doRequests.inc();
    }
    response(rcode, source.ordinal()).inc();
    duration.observe(nanos / 1e9);
    requestSize[p].observe(requestBytes);
    responseSize[p].observe(replyBytes);
  }

  @Override
  public void rejected(int requestBytes, byte[] reply, boolean tcp, boolean ipv6) {
    droppedRequests[tcp ? 1 : 0][ipv6 ? 1 : 0].inc();
    int rcode = reply.length >= 4 ? reply[3] & 0xf : Rcode.FORMERR;
    CounterDataPoint dp = droppedResponses[rcode];
    if (dp == null) {
      dp = responses.labelValues(server, DROPPED_ZONE, VIEW, Rcode.string(rcode), "");
      droppedResponses[rcode] = dp; // benign race: labelValues returns the same data point
    }
    dp.inc();
  }

  @Override
  public void dropped(Decoded.DropReason reason, boolean tcp, boolean ipv6) {
    droppedRequests[tcp ? 1 : 0][ipv6 ? 1 : 0].inc();
  }

  private CounterDataPoint response(int rcode, int plugin) {
    if (rcode < 0 || rcode >= RCODES) {
      return responses.labelValues(server, zone, VIEW, Rcode.string(rcode), PLUGINS[plugin]);
    }
    CounterDataPoint dp = responsesByRcode[rcode][plugin];
    if (dp == null) {
      dp = responses.labelValues(server, zone, VIEW, Rcode.string(rcode), PLUGINS[plugin]);
      responsesByRcode[rcode][plugin] = dp; // benign race: labelValues returns the same data point
    }
    return dp;
  }

  private static int typeIndex(int type) {
    for (int i = 0; i < TYPES.length; i++) {
      if (TYPES[i] == type) {
        return i;
      }
    }
    return TYPE_NAMES.length - 1;
  }
}
