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
import org.xbill.DNS.Name;

/**
 * Step 2, route: is the question a cluster name? On the rig's forwarded mix (two thirds cluster names, one
 * third under example.test), from wire bytes (fast path) and from a dnsjava {@link Name} (full path).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public class RouteBenchmark {
  private ClusterZone zone;
  private byte[][] wire;
  private Name[] names;
  private int next;

  @Setup
  public void setup() {
    BenchCluster c = BenchCluster.build(10_000, 42);
    zone = c.zone;
    Name[] outside = BenchCluster.outsideNames(BenchCluster.MIX, 43);
    names = new Name[BenchCluster.MIX];
    wire = new byte[BenchCluster.MIX][];
    for (int i = 0; i < BenchCluster.MIX; i++) {
      names[i] = i % 3 == 2 ? outside[i] : c.queries[i].getQuestion().getName();
      wire[i] = names[i].toWireCanonical(); // lowercase, uncompressed: what WireQuery keeps
    }
  }

  private int index() {
    int i = next;
    next = (i + 1) & (BenchCluster.MIX - 1);
    return i;
  }

  @Benchmark
  public boolean coversWire() {
    return zone.coversWire(wire[index()]);
  }

  @Benchmark
  public boolean coversName() {
    return zone.covers(names[index()]);
  }
}
