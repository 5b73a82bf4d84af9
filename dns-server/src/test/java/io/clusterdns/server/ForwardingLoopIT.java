package io.clusterdns.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A configuration that forwards to itself (a node whose resolv.conf names the DNS server) must stop the
 * process with a plain message and a non-zero status, so CrashLoopBackOff shows it (behaviours.md 11.6).
 */
class ForwardingLoopIT {

  /** The loop check gives its probe 10 s (Main.LOOP_CHECK_TIMEOUT); the rest is room for a busy machine. */
  private static final long EXIT_DEADLINE_SECONDS = 60;

  @Test
  void serverForwardingToItselfExitsNonZeroNamingTheLoop() throws Exception {
    try (ServerProcess server = ServerProcess.start(List.of("-Xmx128m"), Map.of(),
        ports -> List.of("--demo", "--upstream", "127.0.0.1:" + ports.dns()))) {
      Process p = server.process();
      assertTrue(p.waitFor(EXIT_DEADLINE_SECONDS, TimeUnit.SECONDS),
          "the server should exit by itself on a forwarding loop:\n" + server.output());
      String out = server.outputAfterExit();
      assertEquals(1, p.exitValue(), out);
      assertTrue(out.contains("Loop (") && out.contains("127.0.0.1:" + server.ports().dns())
          && out.contains("HINFO"), out);
    }
  }
}
