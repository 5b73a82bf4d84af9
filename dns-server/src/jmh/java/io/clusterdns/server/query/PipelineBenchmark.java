package io.clusterdns.server.query;

import io.clusterdns.server.forward.LoopDetector;
import io.clusterdns.server.ops.DnsMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.xbill.DNS.Name;

/**
 * One query packet in, its reply bytes out: {@link QueryPipeline#handle} with a warm {@link ClusterReplies}
 * (the fast path, as the server runs) and with {@code replies = null} (every reply decoded, looked up, built
 * and encoded with dnsjava: the reference path). {@code observer} adds the server's Prometheus metrics,
 * which both paths pay per query.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public class PipelineBenchmark {
  @Param({"none", "metrics"})
  public String observer;

  private QueryPipeline cached;
  private QueryPipeline full;
  private byte[][] packets;
  private int next;
  private byte[] last;
  private final ReplySink sink = reply -> last = reply;

  @Setup
  public void setup() {
    BenchCluster c = BenchCluster.build(10_000, 42);
    packets = c.packets;
    QueryObserver obs = observer.equals("metrics")
        ? new DnsMetrics(new PrometheusRegistry(), "dns://:53", ".") : QueryObserver.NONE;
    // Every question of the mix is a cluster name: nothing is forwarded, so the upstream only has to exist.
    UpstreamPath none = (q, tcp) -> CompletableFuture.failedFuture(new IllegalStateException("no upstream"));
    cached = new QueryPipeline(c.zone, none, obs, new LoopDetector(Name.root), true,
        new ClusterReplies(c.zone, true, ClusterReplies.DEFAULT_MAX_BYTES));
    full = new QueryPipeline(c.zone, none, obs, new LoopDetector(Name.root), true, (ClusterReplies) null);
    for (byte[] p : packets) {
      last = null;
      cached.handle(p, false, false, sink);
      if (last == null || (last[3] & 0xf) == 2) {
        throw new IllegalStateException("no answer from the cluster zone");
      }
    }
  }

  private byte[] packet() {
    byte[] p = packets[next];
    next = (next + 1) & (BenchCluster.MIX - 1);
    return p;
  }

  @Benchmark
  public byte[] handleCached() {
    cached.handle(packet(), false, false, sink);
    return last;
  }

  @Benchmark
  public byte[] handleFull() {
    full.handle(packet(), false, false, sink);
    return last;
  }
}
