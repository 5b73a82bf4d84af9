package io.clusterdns.bench.watch;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Live-cluster benchmark of the clusterdns jar (issue 4): the jar runs as a child process against fabric8's
 * mock API server in this JVM, and is queried over real DNS on loopback. Prints markdown; asserts nothing
 * about timing. Phases (default all): {@code propagation}, {@code burst}, {@code memory}.
 *
 * <pre>
 * WatchBench --jar dns-server/target/clusterdns.jar [propagation] [burst] [memory]
 *     [--changes 100] [--warmup 10] [--burst 10000] [--writers 1] [--services 100000] [--pods 100000]
 *     [--jvm "FLAGS"]...   (memory: one run per flag set; default "" and the SerialGC set)
 * </pre>
 * Run by conformance/bench/watch/run.sh, which builds the jar and the classpath.
 */
public final class WatchBench {
  private WatchBench() {}

  public static void main(String[] args) throws Exception {
    Path jar = Path.of("dns-server/target/clusterdns.jar");
    int changes = 100;
    int warmup = 10;
    int burst = 10_000;
    int writers = 1;
    int services = 100_000;
    int pods = 100_000;
    List<String> phases = new ArrayList<>();
    List<String> jvm = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--jar" -> jar = Path.of(args[++i]);
        case "--changes" -> changes = Integer.parseInt(args[++i]);
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--burst" -> burst = Integer.parseInt(args[++i]);
        case "--writers" -> writers = Integer.parseInt(args[++i]);
        case "--services" -> services = Integer.parseInt(args[++i]);
        case "--pods" -> pods = Integer.parseInt(args[++i]);
        case "--jvm" -> jvm.add(args[++i]);
        case "propagation", "burst", "memory" -> phases.add(args[i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    if (phases.isEmpty()) {
      phases = List.of("propagation", "burst", "memory");
    }
    if (jvm.isEmpty()) {
      jvm = List.of("", "-XX:+UseSerialGC -Xmx512m -Xmn16m");
    }
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("no jar at " + jar + "; run mvn -B -q -o -DskipTests package");
    }
    // The mock web server and the client log every request at INFO; only problems matter here.
    Logger.getLogger("").setLevel(Level.WARNING);
    for (var h : Logger.getLogger("").getHandlers()) {
      h.setLevel(Level.WARNING);
    }
    System.out.printf("java %s (%s), %d cpus, bench JVM max heap %d MB, jar %s (%,d bytes)%n",
        System.getProperty("java.version"), System.getProperty("java.vm.name"),
        Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20, jar, Files.size(jar));
    Path dir = Files.createTempDirectory("clusterdns-watchbench");
    long t0 = System.nanoTime();
    try {
      for (String phase : phases) {
        long p0 = System.nanoTime();
        switch (phase) {
          case "propagation" -> PropagationBench.run(jar, dir, changes, warmup);
          case "burst" -> BurstBench.run(jar, dir, burst, writers);
          case "memory" -> MemoryBench.run(jar, dir, services, pods, jvm);
          default -> throw new IllegalStateException(phase);
        }
        System.out.printf("%n(%s phase took %.1f s)%n", phase, (System.nanoTime() - p0) / 1e9);
      }
    } finally {
      try (var files = Files.list(dir)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          Files.deleteIfExists(f);
        }
      }
      Files.deleteIfExists(dir);
    }
    System.out.printf("%ntotal %.1f s%n", (System.nanoTime() - t0) / 1e9);
    System.exit(0); // the mock's and the client's non-daemon threads would keep the JVM up
  }
}
