package io.clusterdns.server.query;

import java.io.IOException;
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

/**
 * Step 1, decode: the fast path's in-place read against dnsjava's full parse, and the full path's decoder
 * (that parse plus the FORMERR/NOTIMP checks). Returns are Object because the generated harness lives in
 * another package and cannot name {@link WireQuery}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public class DecodeBenchmark {
  private byte[][] packets;
  private int next;

  @Setup
  public void setup() {
    packets = BenchCluster.build(10_000, 42).packets;
  }

  private byte[] packet() {
    byte[] p = packets[next];
    next = (next + 1) & (BenchCluster.MIX - 1);
    return p;
  }

  @Benchmark
  public Object wireQueryRead() {
    return WireQuery.read(packet());
  }

  @Benchmark
  public Object dnsjavaMessage() throws IOException {
    return new Message(packet());
  }

  @Benchmark
  public Object queryDecoder() {
    return QueryDecoder.decode(packet());
  }
}
