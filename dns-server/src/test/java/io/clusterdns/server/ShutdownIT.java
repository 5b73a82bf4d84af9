package io.clusterdns.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * The process as an orchestrator sees it: SIGTERM ends a clean stop with status 0 (cli.md), in one JVM and
 * through the relaunching parent of a plain {@code java -jar}; and a TCP client that never reads its replies
 * is slowed down instead of filling the server's memory.
 */
class ShutdownIT {

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Starts the jar on the demo cluster; {@code jvmOptions} empty means a plain {@code java -jar}. */
  private static Process start(int port, List<String> jvmOptions) throws Exception {
    Path jar = Path.of("target", "clusterdns.jar");
    assertTrue(Files.isRegularFile(jar), "run 'mvn verify' so the jar is packaged first");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-jar", jar.toString(), "--demo", "--listen", "127.0.0.1:" + port,
        "--upstream", "127.0.0.1:1", "--health", "127.0.0.1:0", "--ready", "127.0.0.1:0", "--metrics",
        "127.0.0.1:0"));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().remove("CLUSTERDNS_RELAUNCH");
    Process p = pb.start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long deadline = System.currentTimeMillis() + 30_000;
    InputStream in = p.getInputStream();
    while (!out.toString(StandardCharsets.UTF_8).contains("listening on")) {
      if (!p.isAlive() || System.currentTimeMillis() > deadline) {
        p.destroyForcibly();
        throw new AssertionError("clusterdns did not start: " + out);
      }
      if (in.available() > 0) {
        out.write(in.read());
      } else {
        Thread.sleep(20);
      }
    }
    return p;
  }

  private static void assertCleanExitOnSigterm(Process p) throws Exception {
    try {
      p.destroy(); // SIGTERM
      assertTrue(p.waitFor(20, TimeUnit.SECONDS), "no exit within 20 s of SIGTERM");
      assertEquals(0, p.exitValue(), "a clean stop after SIGTERM exits 0");
    } finally {
      p.destroyForcibly();
      p.descendants().forEach(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  void sigtermExitsZeroInOneJvm() throws Exception {
    assertCleanExitOnSigterm(start(freePort(), List.of("-Xmx128m")));
  }

  @Test
  void sigtermExitsZeroThroughThePlainJavaJarRelaunch() throws Exception {
    Process p = start(freePort(), List.of());
    assertEquals(1, p.children().count(), "a plain java -jar serves from a child JVM");
    ProcessHandle child = p.children().findFirst().orElseThrow();
    assertCleanExitOnSigterm(p);
    assertTrue(child.onExit().get(10, TimeUnit.SECONDS) != null && !child.isAlive(), "the child is gone too");
  }

  @Test
  void tcpClientThatNeverReadsIsThrottled() throws Exception {
    int port = freePort();
    Process p = start(port, List.of("-Xmx128m"));
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      byte[] q = Message.newQuery(Record.newRecord(Name.fromString("kubernetes.default.svc.cluster.local."),
          Type.A, DClass.IN)).toWire();
      byte[] framed = new byte[q.length + 2];
      framed[0] = (byte) (q.length >>> 8);
      framed[1] = (byte) q.length;
      System.arraycopy(q, 0, framed, 2, q.length);
      AtomicLong written = new AtomicLong();
      Thread writer = new Thread(() -> {
        try {
          OutputStream out = s.getOutputStream();
          byte[] batch = new byte[framed.length * 1000];
          for (int i = 0; i < 1000; i++) {
            System.arraycopy(framed, 0, batch, i * framed.length, framed.length);
          }
          for (int i = 0; i < 400; i++) { // at most 400,000 queries, ~23 MB
            out.write(batch);
            written.addAndGet(batch.length);
          }
        } catch (IOException e) {
          // closed below
        }
      }, "flood");
      writer.setDaemon(true);
      writer.start();
      writer.join(5_000);
      // Without backpressure the server reads everything at once and queues ~3x as many reply bytes; with it,
      // reading stops once the unread replies pass the high water mark and the socket buffers fill up.
      assertTrue(writer.isAlive(), "the server kept reading: " + written.get() + " bytes accepted in 5 s");
      assertTrue(written.get() < 23_000_000L, "bytes accepted: " + written.get());
      // Other clients are still served meanwhile.
      String other = Dig.run(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), "+short",
          "kubernetes.default.svc.cluster.local");
      assertEquals(List.of("10.96.0.1"), Dig.lines(other));
    } finally {
      p.destroyForcibly();
    }
  }
}
