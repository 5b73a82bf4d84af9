package io.clusterdns.server.query;

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
 * Step 4 of the full path, encode: {@link ResponseEncoder#encode} of the reply dnsjava built, sized for UDP
 * without EDNS as dnsperf asks. The fast path has no separate encode: {@link AnswerBenchmark#cachedReply}
 * returns finished bytes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public class EncodeBenchmark {
  private Message[] queries;
  private Message[] replies;
  private int[] rcodes;
  private int next;

  @Setup
  public void setup() {
    BenchCluster c = BenchCluster.build(10_000, 42);
    queries = c.queries;
    replies = new Message[BenchCluster.MIX];
    rcodes = new int[BenchCluster.MIX];
    for (int i = 0; i < BenchCluster.MIX; i++) {
      Record q = queries[i].getQuestion();
      // Encoding the same reply again is the same work: encode() only sets the rcode and the (absent) OPT.
      replies[i] = QueryPipeline.authoritative(queries[i], c.zone.answer(q.getName(), q.getType()), false);
      rcodes[i] = replies[i].getRcode();
    }
  }

  @Benchmark
  public byte[] responseEncoder() {
    int i = next;
    next = (i + 1) & (BenchCluster.MIX - 1);
    return ResponseEncoder.encode(queries[i], replies[i], rcodes[i], false);
  }
}
