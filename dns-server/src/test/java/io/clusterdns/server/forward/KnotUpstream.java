package io.clusterdns.server.forward;

import io.clusterdns.config.HostPort;
import io.clusterdns.server.RequiredTool;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * A real upstream for tests: Knot DNS ({@code knotd}) started on a free loopback port from a generated config
 * in a temp dir, serving {@code example.test.} and {@code 2.0.192.in-addr.arpa.}. A missing knotd fails the
 * test ({@link RequiredTool}).
 *
 * <p>The port is picked free for UDP and TCP and then released, so another process can take it before knotd
 * binds; knotd then exits with "address already in use" and is started again on a new port, up to
 * {@link #START_ATTEMPTS} times.
 *
 * <p>knotd is stopped by its PID in {@link #close()} (call it from {@code @AfterAll} or try-with-resources);
 * a JVM shutdown hook kills any knotd still running, with its descendants, so a test JVM that dies or is
 * interrupted leaves no daemon behind.
 */
public final class KnotUpstream implements AutoCloseable {

  /** TXT records at {@code big.example.test.}: enough text to exceed 512 bytes over UDP. */
  static final int BIG_TXT_COUNT = 20;

  /** TXT records at {@code huge.example.test.}: more than Netty's default 2048-byte datagram read. */
  public static final int HUGE_TXT_COUNT = 60;

  /** Start-ups tried, each on a newly picked port, when the port was taken before knotd bound it. */
  static final int START_ATTEMPTS = 3;

  /** Longest a knotd start-up may take before the test fails, seconds (a loaded CI machine is slow). */
  private static final int START_TIMEOUT_SECONDS = 30;

  /** Longest close() waits for knotd to exit after SIGTERM, then after SIGKILL, seconds. */
  private static final int STOP_TIMEOUT_SECONDS = 5;

  /** knotd processes started and not yet stopped; the shutdown hook stops whatever is left. */
  private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(KnotUpstream::kill),
        "knot-upstream-reaper"));
  }

  private final Path dir;
  private final Process process;
  private final int port;

  private KnotUpstream(Path dir, Process process, int port) {
    this.dir = dir;
    this.process = process;
    this.port = port;
  }

  public static KnotUpstream start() throws IOException, InterruptedException {
    Path knotd = RequiredTool.knotd();
    Path dir = Files.createTempDirectory("knot-upstream");
    Files.writeString(dir.resolve("example.test.zone"), exampleZone());
    Files.writeString(dir.resolve("2.0.192.in-addr.arpa.zone"), reverseZone());
    for (int attempt = 1; ; attempt++) {
      int port = freeUdpAndTcpPort();
      Files.writeString(dir.resolve("knot.conf"), config(dir, port));
      Process p = new ProcessBuilder(knotd.toString(), "-c", dir.resolve("knot.conf").toString())
          .redirectErrorStream(true)
          .redirectOutput(dir.resolve("knotd.log").toFile())
          .start();
      RUNNING.add(p);
      KnotUpstream knot = new KnotUpstream(dir, p, port);
      try {
        knot.awaitServing();
        return knot;
      } catch (IOException | RuntimeException | InterruptedException e) {
        knot.stop();
        boolean portTaken = e instanceof IOException && knot.log().contains("address already in use");
        if (!portTaken || attempt == START_ATTEMPTS) {
          deleteTree(dir);
          throw e;
        }
      }
    }
  }

  public int port() {
    return port;
  }

  public HostPort hostPort() {
    return new HostPort("127.0.0.1", port);
  }

  /** Polls with SOA queries until Knot answers, for at most {@link #START_TIMEOUT_SECONDS}. */
  private void awaitServing() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_SECONDS);
    Message q = Message.newQuery(Record.newRecord(Name.fromString("example.test."), Type.SOA, DClass.IN));
    byte[] wire = q.toWire();
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      s.setSoTimeout(100);
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new IOException("knotd exited with " + process.exitValue() + " on port " + port + ": " + log());
        }
        s.send(new DatagramPacket(wire, wire.length, InetAddress.getLoopbackAddress(), port));
        byte[] buf = new byte[4096];
        DatagramPacket in = new DatagramPacket(buf, buf.length);
        try {
          s.receive(in);
          Message r = new Message(java.util.Arrays.copyOf(buf, in.getLength()));
          if (r.getRcode() == Rcode.NOERROR && r.getSection(1).size() == 1) {
            return;
          }
        } catch (SocketTimeoutException e) {
          // not up yet
        }
        Thread.sleep(20);
      }
    }
    throw new IOException("knotd did not answer within " + START_TIMEOUT_SECONDS + " s: " + log());
  }

  private String log() throws IOException {
    Path log = dir.resolve("knotd.log");
    return Files.exists(log) ? Files.readString(log) : "";
  }

  @Override
  public void close() throws IOException {
    try {
      stop();
    } finally {
      deleteTree(dir);
    }
  }

  /** Stops knotd by its PID: SIGTERM, then SIGKILL if it does not exit in time; its descendants too. */
  private void stop() {
    List<ProcessHandle> descendants = process.descendants().toList(); // before they are reparented
    process.destroy();
    try {
      if (!process.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        kill(process);
      }
    } catch (InterruptedException e) {
      kill(process);
      Thread.currentThread().interrupt();
    } finally {
      descendants.forEach(ProcessHandle::destroyForcibly);
      if (!process.isAlive()) {
        RUNNING.remove(process);
      }
    }
  }

  /** SIGKILL to {@code p} and its descendants, and a bounded wait for it to go. */
  private static void kill(Process p) {
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
    try {
      if (p.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        RUNNING.remove(p);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }

  /**
   * A port free for both UDP and TCP on 127.0.0.1 right now (Knot listens on both). It is released before
   * knotd binds it, which is why {@link #start()} retries when it was taken in between.
   */
  static int freeUdpAndTcpPort() throws IOException {
    for (int i = 0; i < 50; i++) {
      try (DatagramSocket u = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
        int p = u.getLocalPort();
        try (ServerSocket t = new ServerSocket()) {
          t.bind(new InetSocketAddress("127.0.0.1", p));
          return p;
        } catch (IOException busy) {
          // TCP side taken; try another
        }
      }
    }
    throw new IOException("no free UDP+TCP port on 127.0.0.1");
  }

  private static String config(Path dir, int port) {
    return """
        server:
            rundir: "%1$s"
            listen: 127.0.0.1@%2$d
            # Answer UDP up to the client's EDNS size (Knot's default caps at 1232), so large replies are tested.
            udp-max-payload: 4096
        database:
            storage: "%1$s"
        log:
          - target: stderr
            any: warning
        template:
          - id: default
            storage: "%1$s"
            file: "%%s.zone"
        zone:
          - domain: example.test
          - domain: 2.0.192.in-addr.arpa
        """.formatted(dir, port);
  }

  private static String exampleZone() {
    StringBuilder z = new StringBuilder("""
        $TTL 300
        @ SOA ns.example.test. admin.example.test. 1 3600 600 86400 60
        @ NS ns
        ns A 192.0.2.53
        www A 192.0.2.10
        www AAAA 2001:db8::10
        short 5 A 192.0.2.11
        """);
    for (int i = 0; i < BIG_TXT_COUNT; i++) {
      z.append("big TXT \"record ").append(i).append(" ").append("x".repeat(40)).append("\"\n");
    }
    for (int i = 0; i < HUGE_TXT_COUNT; i++) {
      z.append("huge TXT \"record ").append(i).append(" ").append("y".repeat(40)).append("\"\n");
    }
    return z.toString();
  }

  private static String reverseZone() {
    return """
        $TTL 300
        @ SOA ns.example.test. admin.example.test. 1 3600 600 86400 60
        @ NS ns.example.test.
        10 PTR www.example.test.
        """;
  }
}
