package io.clusterdns.server.ops;

import io.clusterdns.server.query.Decoded;
import io.clusterdns.server.query.QueryObserver;
import io.clusterdns.server.query.QueryPipeline;
import io.netty.util.concurrent.FastThreadLocal;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/**
 * CoreDNS's per-query series with its names, labels and buckets (behaviours.md 14), which kube-dns dashboards
 * and alerts read: {@code coredns_dns_requests_total}, {@code _responses_total}, {@code _request_duration_seconds},
 * {@code _request_size_bytes}, {@code _response_size_bytes}, {@code _do_requests_total}.
 *
 * <p>Hot path: each thread that answers queries (the event loops) counts into a shard of its own, one
 * {@code long[]} written by that thread only, and a scrape adds the shards up. The Prometheus client's own
 * counters and histograms (striped adders and a shared observation count per histogram) cost about 3 % of the
 * server's CPU under dnsperf, most of it the two event loops contending on the same cache lines (issue 16). The
 * exposition is the same as theirs: series, label order, bucket bounds, and which series exist (requests for
 * every type, protocol and family from the start; responses from an rcode's first use).
 *
 * <p>Thread-safe: {@link #answered} and the other callbacks on any thread, {@link #collect} on the scrape thread.
 * A scrape may see one shard's counts a query apart from each other (never torn, never going down).
 */
public final class DnsMetrics implements QueryObserver, MultiCollector {
  /** CoreDNS's qtype label values; everything else is {@code other}. */
  private static final int[] TYPES = {Type.A, Type.AAAA, Type.CNAME, Type.DNSKEY, Type.DS, Type.MX, Type.NSEC3,
      Type.NSEC, Type.NS, Type.PTR, Type.RRSIG, Type.SOA, Type.SRV, Type.TXT, Type.HTTPS, Type.SVCB, Type.IXFR,
      Type.AXFR, Type.ANY};

  private static final String[] TYPE_NAMES = {"A", "AAAA", "CNAME", "DNSKEY", "DS", "MX", "NSEC3", "NSEC", "NS",
      "PTR", "RRSIG", "SOA", "SRV", "TXT", "HTTPS", "SVCB", "IXFR", "AXFR", "ANY", "other"};

  /** The {@code plugin} label of each reply source: the server itself, kubernetes, forward (or cache). */
  private static final String[] PLUGINS = {"", "kubernetes", "forward", "hosts", "template", "acl"};

  private static final String[] PROTOS = {"udp", "tcp"};
  private static final String[] FAMILIES = {"1", "2"};

  /** Rcodes with a label of their own (0-23 covers the header and EDNS rcodes in use). */
  private static final int RCODES = 24;

  /** The zone label of queries rejected before any zone saw them (CoreDNS). */
  private static final String DROPPED_ZONE = "dropped";

  private static final String VIEW = "";

  /** CoreDNS's duration buckets: 0.25 ms doubling 16 times (to ~8 s); the same in nanoseconds. */
  private static final double[] DURATION_BUCKETS = new double[16];
  private static final long[] DURATION_BOUNDS_NANOS = new long[16];

  /** CoreDNS's size buckets, bytes. */
  private static final double[] SIZE_BUCKETS = {0, 100, 200, 300, 400, 511, 1023, 2047, 4095, 8291, 16e3, 32e3,
      48e3, 64e3};

  static {
    for (int k = 0; k < DURATION_BUCKETS.length; k++) {
      DURATION_BUCKETS[k] = 0.00025 * (1 << k);
      DURATION_BOUNDS_NANOS[k] = 250_000L << k;
    }
  }

  /** The exposed upper bounds of each histogram: its buckets, then +Inf. */
  private static final double[] DURATION_UPPER = withInfinity(DURATION_BUCKETS);
  private static final double[] SIZE_UPPER = withInfinity(SIZE_BUCKETS);

  // A shard's counters, one long[]: the offset of each group.
  private static final int REQUESTS = 0; // [type][proto][family]
  private static final int DROPPED_REQUESTS = REQUESTS + TYPE_NAMES.length * 4; // [proto][family]
  private static final int RESPONSES = DROPPED_REQUESTS + 4; // [rcode][plugin]
  private static final int DROPPED_RESPONSES = RESPONSES + RCODES * PLUGINS.length; // [rcode]
  private static final int DO_REQUESTS = DROPPED_RESPONSES + RCODES;
  private static final int DURATION = DO_REQUESTS + 1; // buckets, +Inf last
  private static final int DURATION_SUM = DURATION + DURATION_BUCKETS.length + 1; // nanoseconds
  private static final int REQUEST_SIZE = DURATION_SUM + 1; // [proto][bucket], +Inf last
  private static final int RESPONSE_SIZE = REQUEST_SIZE + 2 * (SIZE_BUCKETS.length + 1); // [proto][bucket]
  private static final int SIZE_SUMS = RESPONSE_SIZE + 2 * (SIZE_BUCKETS.length + 1); // [request, response][proto]
  /** Longs left free on each side of a shard's counters, so two shards never share a cache line. */
  private static final int PAD = 16;
  private static final int SHARD_LONGS = PAD + SIZE_SUMS + 4 + PAD;

  /** Opaque access: never torn, and a scrape sees each count move forward; plain loads and stores on x86. */
  private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

  private final String server;
  private final String zone;
  private final List<long[]> shards = new CopyOnWriteArrayList<>();
  private final FastThreadLocal<long[]> shard = new FastThreadLocal<>() {
    @Override
    protected long[] initialValue() {
      long[] s = new long[SHARD_LONGS];
      shards.add(s);
      return s;
    }
  };
  /** Responses with an rcode beyond {@link #RCODES} (none that a server sends today): by label set. */
  private final ConcurrentHashMap<Labels, LongAdder> otherResponses = new ConcurrentHashMap<>();

  private final Labels[] requestLabels = new Labels[TYPE_NAMES.length * 4];
  private final Labels[] droppedRequestLabels = new Labels[4];
  private final Labels[] responseLabels = new Labels[RCODES * PLUGINS.length];
  private final Labels[] droppedResponseLabels = new Labels[RCODES];
  private final Labels zoneLabels;
  private final Labels[] protoLabels = new Labels[2];

  /**
   * @param server CoreDNS's {@code server} label, e.g. {@code dns://:53}
   * @param zone the server block's zone, {@code .} by default
   */
  public DnsMetrics(PrometheusRegistry registry, String server, String zone) {
    this.server = server;
    this.zone = zone;
    for (int t = 0; t < TYPE_NAMES.length; t++) {
      for (int p = 0; p < 2; p++) {
        for (int f = 0; f < 2; f++) {
          requestLabels[t * 4 + p * 2 + f] = Labels.of("server", server, "zone", zone, "view", VIEW,
              "proto", PROTOS[p], "family", FAMILIES[f], "type", TYPE_NAMES[t]);
        }
      }
    }
    for (int p = 0; p < 2; p++) {
      for (int f = 0; f < 2; f++) {
        droppedRequestLabels[p * 2 + f] = Labels.of("server", server, "zone", DROPPED_ZONE, "view", VIEW,
            "proto", PROTOS[p], "family", FAMILIES[f], "type", "other");
      }
      protoLabels[p] = Labels.of("server", server, "zone", zone, "view", VIEW, "proto", PROTOS[p]);
    }
    for (int r = 0; r < RCODES; r++) {
      for (int pl = 0; pl < PLUGINS.length; pl++) {
        responseLabels[r * PLUGINS.length + pl] = responseLabels(zone, r, PLUGINS[pl]);
      }
      droppedResponseLabels[r] = responseLabels(DROPPED_ZONE, r, "");
    }
    this.zoneLabels = Labels.of("server", server, "zone", zone, "view", VIEW);
    registry.register(this);
  }

  @Override
  public void answered(int qtype, boolean dnssecOk, boolean tcp, boolean ipv6, int rcode,
      QueryPipeline.Source source, int requestBytes, int replyBytes, long nanos) {
    long[] s = shard.get();
    int p = tcp ? 1 : 0;
    inc(s, REQUESTS + typeIndex(qtype) * 4 + protoFamily(tcp, ipv6));
    if (dnssecOk) {
      inc(s, DO_REQUESTS);
    }
    if (rcode >= 0 && rcode < RCODES) {
      inc(s, RESPONSES + rcode * PLUGINS.length + source.ordinal());
    } else {
      otherResponses.computeIfAbsent(responseLabels(zone, rcode, PLUGINS[source.ordinal()]), k -> new LongAdder())
          .increment();
    }
    inc(s, DURATION + durationBucket(nanos));
    add(s, DURATION_SUM, nanos);
    int buckets = SIZE_BUCKETS.length + 1;
    inc(s, REQUEST_SIZE + p * buckets + sizeBucket(requestBytes));
    inc(s, RESPONSE_SIZE + p * buckets + sizeBucket(replyBytes));
    add(s, SIZE_SUMS + p, requestBytes);
    add(s, SIZE_SUMS + 2 + p, replyBytes);
  }

  @Override
  public void rejected(int requestBytes, byte[] reply, boolean tcp, boolean ipv6) {
    long[] s = shard.get();
    inc(s, DROPPED_REQUESTS + protoFamily(tcp, ipv6));
    int rcode = reply.length >= 4 ? reply[3] & 0xf : Rcode.FORMERR;
    inc(s, DROPPED_RESPONSES + rcode);
  }

  @Override
  public void dropped(Decoded.DropReason reason, boolean tcp, boolean ipv6) {
    inc(shard.get(), DROPPED_REQUESTS + protoFamily(tcp, ipv6));
  }

  @Override
  public MetricSnapshots collect() {
    long[] sum = new long[SHARD_LONGS];
    for (long[] s : shards) {
      for (int i = PAD; i < SHARD_LONGS - PAD; i++) {
        sum[i] += (long) LONGS.getOpaque(s, i);
      }
    }
    List<CounterDataPointSnapshot> requests = new ArrayList<>();
    for (int i = 0; i < requestLabels.length; i++) {
      requests.add(counter(sum[PAD + REQUESTS + i], requestLabels[i]));
    }
    for (int i = 0; i < droppedRequestLabels.length; i++) {
      requests.add(counter(sum[PAD + DROPPED_REQUESTS + i], droppedRequestLabels[i]));
    }
    List<CounterDataPointSnapshot> responses = new ArrayList<>();
    for (int i = 0; i < responseLabels.length; i++) {
      if (sum[PAD + RESPONSES + i] > 0) {
        responses.add(counter(sum[PAD + RESPONSES + i], responseLabels[i]));
      }
    }
    for (int i = 0; i < droppedResponseLabels.length; i++) {
      if (sum[PAD + DROPPED_RESPONSES + i] > 0) {
        responses.add(counter(sum[PAD + DROPPED_RESPONSES + i], droppedResponseLabels[i]));
      }
    }
    otherResponses.forEach((labels, n) -> responses.add(counter(n.sum(), labels)));
    int sizeBuckets = SIZE_BUCKETS.length + 1;
    List<HistogramDataPointSnapshot> requestSizes = new ArrayList<>();
    List<HistogramDataPointSnapshot> responseSizes = new ArrayList<>();
    for (int p = 0; p < 2; p++) {
      requestSizes.add(histogram(SIZE_UPPER, sum, PAD + REQUEST_SIZE + p * sizeBuckets,
          sum[PAD + SIZE_SUMS + p], protoLabels[p]));
      responseSizes.add(histogram(SIZE_UPPER, sum, PAD + RESPONSE_SIZE + p * sizeBuckets,
          sum[PAD + SIZE_SUMS + 2 + p], protoLabels[p]));
    }
    return MetricSnapshots.of(
        new CounterSnapshot(new MetricMetadata("coredns_dns_requests",
            "Counter of DNS requests made per zone, protocol and family."), requests),
        new CounterSnapshot(new MetricMetadata("coredns_dns_responses", "Counter of response status codes."),
            responses),
        new HistogramSnapshot(new MetricMetadata("coredns_dns_request_duration_seconds",
            "Histogram of the time (in seconds) each request took per zone."),
            List.of(histogram(DURATION_UPPER, sum, PAD + DURATION, sum[PAD + DURATION_SUM] / 1e9, zoneLabels))),
        new HistogramSnapshot(new MetricMetadata("coredns_dns_request_size_bytes",
            "Size of the EDNS0 UDP buffer in bytes (64K for TCP) per zone and protocol."), requestSizes),
        new HistogramSnapshot(new MetricMetadata("coredns_dns_response_size_bytes",
            "Size of the returned response in bytes."), responseSizes),
        new CounterSnapshot(new MetricMetadata("coredns_dns_do_requests",
            "Counter of DNS requests with DO bit set per zone."),
            List.of(counter(sum[PAD + DO_REQUESTS], zoneLabels))));
  }

  @Override
  public List<String> getPrometheusNames() {
    return List.of("coredns_dns_requests", "coredns_dns_responses", "coredns_dns_request_duration_seconds",
        "coredns_dns_request_size_bytes", "coredns_dns_response_size_bytes", "coredns_dns_do_requests");
  }

  private Labels responseLabels(String zone, int rcode, String plugin) {
    return Labels.of("server", server, "zone", zone, "view", VIEW, "rcode", Rcode.string(rcode), "plugin", plugin);
  }

  private static CounterDataPointSnapshot counter(long value, Labels labels) {
    return new CounterDataPointSnapshot(value, labels, null, 0L);
  }

  /** A classic histogram from {@code upper.length} bucket counts at {@code from} (the last is +Inf's). */
  private static HistogramDataPointSnapshot histogram(double[] upper, long[] counts, int from, double sum,
      Labels labels) {
    long[] n = Arrays.copyOfRange(counts, from, from + upper.length);
    return new HistogramDataPointSnapshot(ClassicHistogramBuckets.of(upper, n), sum, labels, Exemplars.EMPTY, 0L);
  }

  private static double[] withInfinity(double[] bounds) {
    double[] upper = Arrays.copyOf(bounds, bounds.length + 1);
    upper[bounds.length] = Double.POSITIVE_INFINITY;
    return upper;
  }

  /** The offset of a (proto, family) pair in the groups laid out as [proto][family] (and per type, [type][...]). */
  private static int protoFamily(boolean tcp, boolean ipv6) {
    return (tcp ? 2 : 0) + (ipv6 ? 1 : 0);
  }

  /** One more at {@code index} of the calling thread's own shard (its only writer). */
  private static void inc(long[] s, int index) {
    add(s, index, 1);
  }

  private static void add(long[] s, int index, long n) {
    int i = PAD + index;
    LONGS.setOpaque(s, i, (long) LONGS.getOpaque(s, i) + n);
  }

  /** The bucket of a duration: the first bound it does not exceed (Prometheus's {@code le}), or +Inf. */
  private static int durationBucket(long nanos) {
    int b = 0;
    while (b < DURATION_BOUNDS_NANOS.length && nanos > DURATION_BOUNDS_NANOS[b]) {
      b++;
    }
    return b;
  }

  private static int sizeBucket(int bytes) {
    int b = 0;
    while (b < SIZE_BUCKETS.length && bytes > SIZE_BUCKETS[b]) {
      b++;
    }
    return b;
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
