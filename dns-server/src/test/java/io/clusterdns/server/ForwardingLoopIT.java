package io.clusterdns.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A configuration that forwards to itself (a node whose resolv.conf names the DNS server) must stop the
 * process with a plain message and a non-zero status, so CrashLoopBackOff shows it (behaviours.md 11.6).
 */
class ForwardingLoopIT {

  @Test
  void serverForwardingToItselfExitsNonZeroNamingTheLoop() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Path jar = Path.of("target", "clusterdns.jar");
    assertTrue(Files.isRegularFile(jar), "run 'mvn verify' so the jar is packaged first");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx128m", "-jar", jar.toString(), "--demo",
        "--listen", "127.0.0.1:" + port, "--upstream", "127.0.0.1:" + port,
        "--health", "127.0.0.1:0", "--ready", "127.0.0.1:0", "--metrics", "127.0.0.1:0")
        .redirectErrorStream(true)
        .start();
    try {
      assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the server should exit by itself on a forwarding loop");
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(1, p.exitValue(), out);
      assertTrue(out.contains("Loop (") && out.contains("127.0.0.1:" + port) && out.contains("HINFO"), out);
    } finally {
      p.destroyForcibly();
    }
  }
}
