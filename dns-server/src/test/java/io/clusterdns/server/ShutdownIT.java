package io.clusterdns.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * The process as an orchestrator sees it: SIGTERM ends a clean stop with status 0 (cli.md), started with
 * {@code java -jar} or through the launcher, which is one JVM too; and a TCP client that never reads its replies
 * is no longer read from, instead of filling the server's memory.
 */
class ShutdownIT {

  /** Bound for the exit after SIGTERM: no lameduck without a Corefile, so normally well under a second. */
  private static final Duration EXIT_DEADLINE = Duration.ofSeconds(60);

  /**
   * Bound for the whole flood test. With backpressure the server stops reading within a second and drops the
   * stalled connection after its 10 s idle timeout; the rest is room for a busy machine.
   */
  private static final Duration FLOOD_DEADLINE = Duration.ofSeconds(120);

  /** Unsent replies above which the server stops reading a connection (DnsListener.TCP_WRITE_HIGH_WATER). */
  private static final long HIGH_WATER = 256 * 1024;

  /**
   * Reply bytes one read batch may add before the server looks at its high water mark again: Netty reads up to
   * 16 times 64 KB per batch, about 18,000 queries of this test, and their replies are about 1.5 times as large.
   */
  private static final long READ_BATCH_REPLIES = 2L << 20;

  /** The flooding client's socket buffers (the kernel doubles them); small so it reaches its limits quickly. */
  private static final int CLIENT_BUFFER = 64 * 1024;

  private static List<String> demo(ServerProcess.Ports ports) {
    return List.of("--demo", "--upstream", "127.0.0.1:1");
  }

  private static void assertCleanExitOnSigterm(ServerProcess server) throws Exception {
    server.terminate();
    assertTrue(server.process().waitFor(EXIT_DEADLINE.toSeconds(), TimeUnit.SECONDS),
        "no exit within " + EXIT_DEADLINE.toSeconds() + " s of SIGTERM:\n" + server.output());
    assertEquals(0, server.process().exitValue(), "a clean stop after SIGTERM exits 0:\n" + server.output());
  }

  @Test
  void sigtermExitsZeroInOneJvm() throws Exception {
    try (ServerProcess server = ServerProcess.start(List.of("-Xmx128m"), Map.of(), ShutdownIT::demo)) {
      assertEquals(0, server.process().children().count(), "an explicit -Xmx serves from this JVM itself");
      assertCleanExitOnSigterm(server);
    }
  }

  @Test
  void sigtermExitsZeroThroughTheLauncherInOneJvm() throws Exception {
    try (ServerProcess server = ServerProcess.start(null, Map.of(), ShutdownIT::demo)) {
      assertEquals(0, server.process().children().count(), "the launcher execs the JVM:\n" + server.output());
      String command = server.process().info().command().orElse("");
      assertTrue(command.endsWith("/java"), "the launcher's PID is the JVM's: " + command);
      assertFalse(server.output().contains("[cds"), "the build's class-data archive fits this jar and JDK:\n"
          + server.output());
      assertCleanExitOnSigterm(server);
    }
  }

  @Test
  void plainJavaJarServesFromOneJvm() throws Exception {
    try (ServerProcess server = ServerProcess.start(List.of(), Map.of(), ShutdownIT::demo)) {
      assertEquals(0, server.process().children().count(), "no relaunch:\n" + server.output());
      assertCleanExitOnSigterm(server);
    }
  }

  /**
   * A client pipelines queries as fast as it can and never reads a reply. What is measured is how many reply
   * bytes the server produced for TCP (its own {@code coredns_dns_response_size_bytes_sum{proto="tcp"}}), not
   * how much the client wrote in some time: with backpressure the server stops reading once its unsent
   * replies pass the high water mark, so its replies are bounded by what the kernel buffers between the two
   * sockets can hold plus that mark, however fast or slow the machine is. Without backpressure it reads on, so
   * the count passes the bound whatever the speed; a slow machine only takes longer to get there (measured:
   * 4.27 MB against a bound of 6.6 MB with backpressure, past the bound within 5 s without it, also with both
   * cores busy). The kernel bound is this machine's {@code tcp_wmem} maximum, up to which the server's send
   * buffer grows. Not chosen: bytes written in a fixed time (a slow server reads little either way), the
   * server's heap or RSS (they move with garbage collection, and Netty's direct buffers are not in the
   * {@code jvm_*} series), the server socket's unread bytes (its receive buffer autotunes up to
   * {@code tcp_rmem}'s maximum, 32 MB on some machines).
   */
  @Test
  void tcpClientThatNeverReadsIsNoLongerReadFrom() throws Exception {
    try (ServerProcess server = ServerProcess.start(List.of("-Xmx256m"), Map.of(), ShutdownIT::demo);
        Socket s = new Socket()) {
      server.awaitReady(ServerProcess.START_DEADLINE);
      s.setReceiveBufferSize(CLIENT_BUFFER);
      s.setSendBufferSize(CLIENT_BUFFER);
      s.connect(server.dns(), 10_000);
      long bound = maxTcpSendBuffer() + s.getReceiveBufferSize() + HIGH_WATER + READ_BATCH_REPLIES;
      long before = tcpReplyBytes(server.metrics());

      byte[] q = Message.newQuery(Record.newRecord(Name.fromString("kubernetes.default.svc.cluster.local."),
          Type.A, DClass.IN)).toWire();
      byte[] batch = new byte[(q.length + 2) * 1000];
      for (int i = 0; i < 1000; i++) {
        int at = i * (q.length + 2);
        batch[at] = (byte) (q.length >>> 8);
        batch[at + 1] = (byte) q.length;
        System.arraycopy(q, 0, batch, at + 2, q.length);
      }
      AtomicLong written = new AtomicLong();
      AtomicReference<IOException> ended = new AtomicReference<>();
      Thread writer = new Thread(() -> {
        try {
          OutputStream out = s.getOutputStream();
          while (true) { // until the server drops the connection, or the test closes it
            out.write(batch);
            written.addAndGet(batch.length);
          }
        } catch (IOException e) {
          ended.set(e);
        }
      }, "flood");
      writer.setDaemon(true);
      writer.start();

      long end = System.nanoTime() + FLOOD_DEADLINE.toNanos();
      boolean otherClientServed = false;
      while (true) {
        long replied = tcpReplyBytes(server.metrics()) - before;
        if (replied > bound) {
          fail("the server kept reading a client that reads nothing: " + replied + " reply bytes queued or sent,"
              + " more than the " + bound + " its socket buffers and high water mark allow; client wrote "
              + written.get());
        }
        if (!otherClientServed && replied > 0 && writer.isAlive()) {
          // Other clients are served while the flooding connection is held.
          assertEquals(List.of("10.96.0.1"), Dig.lines(Dig.run(server.dns(), "+short",
              "kubernetes.default.svc.cluster.local")));
          otherClientServed = true;
        }
        if (!writer.isAlive()) {
          break;
        }
        if (System.nanoTime() > end) {
          fail("the flooding connection was neither cut off nor read past the bound within "
              + FLOOD_DEADLINE.toSeconds() + " s; reply bytes " + replied + ", client wrote " + written.get());
        }
        Thread.sleep(200);
      }
      long replied = tcpReplyBytes(server.metrics()) - before;
      System.out.printf("flood: %d reply bytes (bound %d), client wrote %d, then %s%n", replied, bound,
          written.get(), ended.get());
      assertTrue(replied <= bound, "reply bytes " + replied + " > " + bound);
      // The stalled connection was dropped by the server (idle), not ended by the test; the server lives on.
      assertNotNull(ended.get());
      assertTrue(otherClientServed, "no reply was produced for the flood before it ended");
      assertTrue(server.process().isAlive(), server.output());
      assertEquals(List.of("10.96.0.1"), Dig.lines(Dig.run(server.dns(), "+short",
          "kubernetes.default.svc.cluster.local")));
    }
  }

  /** Sum of {@code coredns_dns_response_size_bytes_sum} over the TCP series. */
  private static long tcpReplyBytes(String metrics) {
    double sum = 0;
    boolean seen = false;
    for (String line : metrics.split("\n")) {
      if (line.startsWith("coredns_dns_response_size_bytes_sum{") && line.contains("proto=\"tcp\"")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        seen = true;
      }
    }
    assertTrue(seen, "no TCP response size series in /metrics:\n" + metrics);
    return (long) sum;
  }

  /**
   * The largest send buffer the kernel's autotuning gives a TCP socket that sets none, as the server's does:
   * the third field of {@code net.ipv4.tcp_wmem}.
   */
  private static long maxTcpSendBuffer() throws IOException {
    Path p = Path.of("/proc/sys/net/ipv4/tcp_wmem");
    if (!Files.isReadable(p)) {
      return 16L << 20; // not Linux (or hidden): a generous guess, four times Linux's default
    }
    // Not Files.readString: it trusts the size procfs reports and returns the first byte only.
    String[] f = Files.readAllLines(p).get(0).trim().split("\\s+");
    return Long.parseLong(f[2]);
  }
}
