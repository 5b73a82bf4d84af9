package io.clusterdns.server.query;

import io.clusterdns.server.zone.ClusterZone;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.xbill.DNS.Message;
import org.xbill.DNS.Record;

/**
 * Step 3, answer, for a query already decoded: from the warm {@link ClusterReplies} cache (look-up, copy,
 * patch ID/flags/serial, shuffle), against the full path's lookup in {@link ClusterZone} and the reply
 * {@link Message} built from its records (loadbalance on, as in kubeadm's Corefile).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public class AnswerBenchmark {
  private ClusterZone zone;
  private ClusterReplies replies;
  private WireQuery[] wire;
  private Message[] queries;
  private int next;

  @Setup
  public void setup() {
    BenchCluster c = BenchCluster.build(10_000, 42);
    zone = c.zone;
    queries = c.queries;
    replies = new ClusterReplies(zone, true, ClusterReplies.DEFAULT_MAX_BYTES);
    wire = new WireQuery[BenchCluster.MIX];
    for (int i = 0; i < BenchCluster.MIX; i++) {
      wire[i] = WireQuery.read(c.packets[i]);
      if (wire[i] == null || replies.reply(wire[i], false) == null) {
        throw new IllegalStateException("not a cached cluster answer: " + queries[i].getQuestion());
      }
    }
  }

  private int index() {
    int i = next;
    next = (i + 1) & (BenchCluster.MIX - 1);
    return i;
  }

  @Benchmark
  public byte[] cachedReply() {
    return replies.reply(wire[index()], false);
  }

  @Benchmark
  public Message builtReply() {
    Message q = queries[index()];
    Record question = q.getQuestion();
    return QueryPipeline.authoritative(q, zone.answer(question.getName(), question.getType()), true);
  }
}
