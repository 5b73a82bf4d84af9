package io.clusterdns.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * With the {@code log} plugin on, every query writes a line to stderr from the event loop that answered it. When
 * whatever reads the container's stderr falls behind, the pipe fills: the server must go on answering (the lines
 * wait in the log writer's queue) and write them once the reader catches up.
 */
class SlowLogReaderIT {
  private static final String COREFILE = """
      .:53 {
          errors
          log
          ready
          kubernetes cluster.local in-addr.arpa ip6.arpa
          forward . 127.0.0.1:1
      }
      """;

  /** Far more log text than a pipe (64 KiB on Linux) and the test's reader buffer hold together. */
  private static final int QUERIES = 3000;

  @Test
  void queriesAreAnsweredWhileNobodyReadsTheLog(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("Corefile");
    Files.writeString(conf, COREFILE);
    try (ServerProcess server = ServerProcess.start(List.of("-Xmx128m"), Map.of(),
        p -> List.of("--conf", conf.toString(), "--demo"))) {
      server.awaitReady(ServerProcess.START_DEADLINE);
      SimpleResolver r = new SimpleResolver(server.dns());
      r.setTimeout(Duration.ofSeconds(5));
      server.stallOutput();
      for (int i = 0; i < QUERIES; i++) {
        String name = "q" + i + ".default.svc.cluster.local.";
        Message reply = r.send(Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN)));
        assertEquals(Rcode.NXDOMAIN, reply.getRcode(), name + " answered while the log is not read");
      }
      server.resumeOutput();
      String last = "q" + (QUERIES - 1) + ".default.svc.cluster.local.";
      long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!server.outputContains(last) && System.nanoTime() < end) {
        Thread.sleep(20);
      }
      assertTrue(server.outputContains(last), "the queued lines are written once the log is read again");
    }
  }
}
