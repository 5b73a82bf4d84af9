package io.clusterdns.conformance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Mode 2: the built {@code clusterdns.jar} serving the fixture from {@code --snapshot} on a free loopback
 * port (plus free ports for health, ready and metrics so several instances and other tests never
 * collide; started again on fresh ports if one was taken before it bound). Ready when
 * {@code dns-version.<zone> TXT} answers NOERROR. {@link #close()} stops its PID (and any descendants).
 * Owned by the thread that started it.
 */
public final class ClusterDnsProcess implements AutoCloseable {

  /** Start-up bound: a snapshot server should answer within a second or two (cli.md); 30 s is generous. */
  static final Duration START_DEADLINE = Duration.ofSeconds(30);

  private final ManagedProcess process;
  private final ServerAddress address;

  private ClusterDnsProcess(ManagedProcess process, ServerAddress address) {
    this.process = process;
    this.address = address;
  }

  /**
   * @param upstream the forwarding fixture, or null to leave clusterdns's default upstreams
   */
  public static ClusterDnsProcess start(Path jar, Path snapshot, String pods, ServerAddress upstream,
      String clusterDomain, Path workDir, Dig dig) throws IOException {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalArgumentException("no clusterdns jar at " + jar.toAbsolutePath()
          + " (build it with: mvn -B -q -DskipTests package)");
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return FreePorts.startOn(4, ports -> {
      List<String> cmd = new ArrayList<>(List.of(java, "-jar", jar.toString(),
          "--snapshot", snapshot.toString(),
          "--listen", "127.0.0.1:" + ports.get(0),
          "--cluster-domain", clusterDomain,
          "--ttl", "30",
          "--pods", pods,
          "--health", "127.0.0.1:" + ports.get(1),
          "--ready", "127.0.0.1:" + ports.get(2),
          "--metrics", "127.0.0.1:" + ports.get(3)));
      if (upstream != null) {
        cmd.add("--upstream");
        cmd.add(upstream.toString());
      }
      Path log = workDir.resolve("clusterdns-" + pods + ".log");
      ManagedProcess proc = ManagedProcess.start("clusterdns (--pods " + pods + ")", cmd, log);
      ServerAddress addr = new ServerAddress("127.0.0.1", ports.get(0));
      try {
        proc.awaitReady(() -> "NOERROR".equals(
            dig.query(addr, "dns-version." + clusterDomain + ".", "TXT", List.of()).status()), START_DEADLINE);
      } catch (RuntimeException e) {
        proc.close();
        throw e;
      }
      return new ClusterDnsProcess(proc, addr);
    });
  }

  public ServerAddress address() {
    return address;
  }

  public long pid() {
    return process.pid();
  }

  @Override
  public void close() {
    process.close();
  }
}
