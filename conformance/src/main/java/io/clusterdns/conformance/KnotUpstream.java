package io.clusterdns.conformance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The forwarding fixture: a real Knot DNS ({@code knotd}) on a loopback port, authoritative for
 * {@code example.test.} (ExternalName targets outside the cluster, behaviours.md 6.2) and for the whole
 * {@code in-addr.arpa.} and {@code ip6.arpa.} trees (reverse misses that fall through, 7.4). Its SOA names
 * {@code ns.upstream.test.}, so a negative answer shows whether it came from here or from the cluster
 * zone. Runs from a generated config in a temp dir, as the current user; {@link #close()} stops its PID.
 * Owned by the thread that started it.
 */
public final class KnotUpstream implements AutoCloseable {

  /** Start-up bound: knotd answers within a fraction of a second; a busy CI machine can be much slower. */
  static final Duration START_DEADLINE = Duration.ofSeconds(30);

  /** TTL of every upstream record: above 30 so a forwarder's cache cap (behaviours.md 9.5) shows. */
  static final int UPSTREAM_TTL = 3600;

  private static final String SOA = "@ SOA ns.upstream.test. hostmaster.upstream.test. 1 3600 600 86400 3600\n"
      + "@ NS ns.upstream.test.\n";

  /** Zone name to zone file body. */
  private static final List<String[]> ZONES = List.of(
      new String[] {"example.test", SOA
          + "foo A 192.0.2.123\n"
          + "foo AAAA 2001:db8::123\n"
          + "foo TXT \"upstream foo\"\n"},
      new String[] {"in-addr.arpa", SOA
          + "123.2.0.192 PTR foo.example.test.\n"
          + "7.100.51.198 PTR ext-ip.upstream.test.\n"},
      new String[] {"ip6.arpa", SOA
          + "3.2.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2 PTR foo.example.test.\n"});

  private final ManagedProcess process;
  private final ServerAddress address;

  private KnotUpstream(ManagedProcess process, ServerAddress address) {
    this.process = process;
    this.address = address;
  }

  /**
   * Starts knotd on {@code port} (0 = pick a free one, and pick again if it was taken before knotd bound it)
   * and waits until it answers, at most {@link #START_DEADLINE}.
   */
  public static KnotUpstream start(String knotd, int port, Path workDir, Dig dig) throws IOException {
    return start(knotd, port, workDir, dig, ZONES);
  }

  /** Starts knotd serving {@code zones} (name, zone-file body); tests use it as a stand-in peer. */
  static KnotUpstream start(String knotd, int port, Path workDir, Dig dig, List<String[]> zones)
      throws IOException {
    if (port != 0) {
      return startOn(knotd, port, workDir, dig, zones);
    }
    return FreePorts.startOn(1, ports -> startOn(knotd, ports.get(0), workDir, dig, zones));
  }

  private static KnotUpstream startOn(String knotd, int p, Path workDir, Dig dig, List<String[]> zones)
      throws IOException {
    Path dir = Files.createDirectories(workDir.resolve("knot"));
    StringBuilder zoneConf = new StringBuilder();
    for (String[] z : zones) {
      Files.writeString(dir.resolve(z[0] + ".zone"), "$ORIGIN " + z[0] + ".\n$TTL " + UPSTREAM_TTL + "\n" + z[1]);
      zoneConf.append("  - domain: ").append(z[0]).append("\n    file: ").append(z[0]).append(".zone\n");
    }
    String conf = "server:\n"
        + "  rundir: \"" + dir + "\"\n"
        + "  listen: 127.0.0.1@" + p + "\n"
        + "  pidfile: \"" + dir.resolve("knot.pid") + "\"\n"
        + "control:\n  listen: \"" + dir.resolve("knot.sock") + "\"\n"
        + "database:\n  storage: \"" + dir.resolve("db") + "\"\n"
        + "log:\n  - target: stderr\n    any: warning\n"
        + "template:\n  - id: default\n    storage: \"" + dir + "\"\n"
        + "    zonefile-sync: -1\n    zonefile-load: whole\n    journal-content: none\n"
        + "zone:\n" + zoneConf;
    Path confFile = dir.resolve("knot.conf");
    Files.writeString(confFile, conf);
    ManagedProcess proc = ManagedProcess.start("knotd", List.of(knotd, "-c", confFile.toString()),
        dir.resolve("knotd.log"));
    ServerAddress addr = new ServerAddress("127.0.0.1", p);
    try {
      proc.awaitReady(() -> "NOERROR".equals(dig.query(addr, zones.get(0)[0] + ".", "SOA", List.of()).status()),
          START_DEADLINE);
    } catch (RuntimeException e) {
      proc.close();
      throw e;
    }
    return new KnotUpstream(proc, addr);
  }

  public ServerAddress address() {
    return address;
  }

  @Override
  public void close() {
    process.close();
  }
}
