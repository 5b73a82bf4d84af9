package io.clusterdns.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clusterdns.server.forward.FakeUpstream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * Faults while clients are querying (issue 20): SIGTERM in the middle of a load, and an upstream so slow that
 * the client gave up before the answer came. The reload in the middle of a load is {@link ReloadIT}; the watch
 * storm is {@link WatchStormIT}.
 */
class ServingUnderFaultsIT {

  private static final String NAME = "kubernetes.default.svc.cluster.local.";

  /** The demo cluster's address for {@link #NAME}. */
  private static final String ADDRESS = "10.96.0.1";

  /** Lameduck of the test's Corefile: long enough to see answers inside it on a busy machine. */
  private static final Duration LAMEDUCK = Duration.ofSeconds(3);

  /** Slack for timers on a busy 2-core machine, below which "too early" is not claimed. */
  private static final long SLACK_MILLIS = 300;

  /** Bound for any wait of these tests. */
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  private static String corefile(String upstream, String healthBlock) {
    return ".:53 {\n"
        + "    errors\n"
        + "    health " + healthBlock + "\n"
        + "    ready\n"
        + "    kubernetes cluster.local in-addr.arpa ip6.arpa {\n"
        + "        pods insecure\n"
        + "        fallthrough in-addr.arpa ip6.arpa\n"
        + "    }\n"
        + "    prometheus :9153\n"
        + "    forward . " + upstream + "\n"
        + "    cache 30\n"
        + "}\n";
  }

  private static ServerProcess start(Path conf) throws IOException, InterruptedException {
    return ServerProcess.start(List.of("-Xmx128m"), Map.of(),
        p -> List.of("--conf", conf.toString(), "--demo", "--threads", "2"));
  }

  private static void await(String what, BooleanSupplier done, ServerProcess server) throws InterruptedException {
    await(what, done, () -> "", server);
  }

  private static void await(String what, BooleanSupplier done, java.util.function.Supplier<String> state,
      ServerProcess server) throws InterruptedException {
    long end = System.nanoTime() + DEADLINE.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError(what + " not within " + DEADLINE.toSeconds() + " s (" + state.get() + "):\n"
            + server.output());
      }
      Thread.sleep(20);
    }
  }

  /**
   * behaviours.md 13.2: on SIGTERM /ready fails at once while DNS keeps answering for the lameduck period, so
   * the Service drops the pod before it stops; then a clean exit with status 0 (cli.md). Clients querying the
   * whole time get only right answers until the end of the lameduck.
   */
  @Test
  void sigtermInTheMiddleOfALoadAnswersThroughTheLameduckAndExitsZero(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("Corefile");
    Files.writeString(conf, corefile("127.0.0.1:1", "{\n        lameduck " + LAMEDUCK.toSeconds() + "s\n    }"));
    try (ServerProcess server = start(conf)) {
      server.awaitReady(DEADLINE);
      try (QueryLoop udp = new QueryLoop(server.dns(), false, NAME, ADDRESS);
          QueryLoop tcp = new QueryLoop(server.dns(), true, NAME, ADDRESS)) {
        await("answers before SIGTERM", () -> udp.answered.get() > 100 && tcp.answered.get() > 100, server);
        long sigterm = System.nanoTime();
        long lameduckEnd = sigterm + LAMEDUCK.toNanos();
        udp.closingAfterNanos.set(lameduckEnd - TimeUnit.MILLISECONDS.toNanos(SLACK_MILLIS));
        tcp.closingAfterNanos.set(lameduckEnd - TimeUnit.MILLISECONDS.toNanos(SLACK_MILLIS));
        server.terminate();

        await("/ready fails after SIGTERM", () -> ServerProcess.httpStatus("/ready", server.ports().ready()) != 200,
            server);
        long readyFailedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sigterm);
        assertTrue(server.process().isAlive(), "/ready failed while the process still serves");
        long beforeReadyFailed = udp.answered.get() + tcp.answered.get();
        await("answers after /ready failed", () -> udp.answered.get() + tcp.answered.get() > beforeReadyFailed + 50,
            server);
        assertTrue(server.process().waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS),
            "exit after the lameduck:\n" + server.output());
        long exitMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sigterm);
        udp.close();
        tcp.close();

        assertEquals(0, server.process().exitValue(), "a clean stop after SIGTERM exits 0:\n" + server.output());
        assertTrue(readyFailedMillis < LAMEDUCK.toMillis(), "/ready failed " + readyFailedMillis + " ms after SIGTERM");
        assertTrue(exitMillis >= LAMEDUCK.toMillis() - SLACK_MILLIS,
            "the process stayed for the lameduck: exit " + exitMillis + " ms after SIGTERM");
        long lastAnswerMillis = TimeUnit.NANOSECONDS.toMillis(
            Math.max(udp.lastAnsweredNanos.get(), tcp.lastAnsweredNanos.get()) - sigterm);
        assertTrue(lastAnswerMillis >= LAMEDUCK.toMillis() - 2 * SLACK_MILLIS,
            "answers went on to the end of the lameduck: the last came " + lastAnswerMillis + " ms after SIGTERM");
        List<String> failures = new ArrayList<>(udp.failures);
        failures.addAll(tcp.failures);
        assertEquals(List.of(), failures, "no query failed or went unanswered before the lameduck ended");
      }
    }
  }

  /**
   * An upstream that answers after the client gave up: the client's retry is answered and then served from the
   * cache; a TCP client that closed its connection meanwhile costs nothing but the write, no error is logged, and
   * the server goes on serving.
   */
  @Test
  void anAnswerThatComesAfterTheClientGaveUpHarmsNothingAndTheRetryIsAnswered(@TempDir Path dir) throws Exception {
    try (FakeUpstream upstream = new FakeUpstream(FakeUpstream.answering("192.0.2.7"))) {
      Path conf = dir.resolve("Corefile");
      Files.writeString(conf, corefile(upstream.hostPort().host() + ":" + upstream.hostPort().port(), ""));
      try (ServerProcess server = start(conf)) {
        server.awaitReady(DEADLINE);
        upstream.hold();

        SimpleResolver impatient = new SimpleResolver(server.dns());
        impatient.setTimeout(Duration.ofMillis(300));
        Message udpQuery = Message.newQuery(Record.newRecord(Name.fromString("slow.example."), Type.A, DClass.IN));
        try {
          impatient.send(udpQuery);
          throw new AssertionError("an answer came while the upstream was held");
        } catch (IOException gaveUp) {
          // the client timed out, as intended
        }
        // A TCP client asks another name and hangs up before the answer.
        byte[] tcpQuery = Message.newQuery(Record.newRecord(Name.fromString("gone.example."), Type.A, DClass.IN))
            .toWire();
        try (Socket s = new Socket()) {
          s.connect(server.dns(), 5_000);
          OutputStream out = s.getOutputStream();
          out.write(new byte[] {(byte) (tcpQuery.length >> 8), (byte) tcpQuery.length});
          out.write(tcpQuery);
          out.flush();
          await("both queries reached the upstream",
              () -> upstream.seenFor("slow.example.") == 1 && upstream.seenFor("gone.example.") == 1, server);
        }
        upstream.release();

        SimpleResolver patient = new SimpleResolver(server.dns());
        patient.setTimeout(Duration.ofSeconds(5));
        for (String name : List.of("slow.example.", "gone.example.")) {
          Message q = Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN));
          // The retry is answered: from the late answer when it came within the server's try timeout, else
          // from a new upstream query (the timing of a busy machine decides which); then from the cache.
          await(name + " answered on retry", () -> answers(patient, q, "192.0.2.7"),
              () -> "upstream saw " + upstream.seenFor(name) + " queries for " + name, server);
          long asked = upstream.seenFor(name);
          assertTrue(answers(patient, q, "192.0.2.7"), name);
          assertEquals(asked, upstream.seenFor(name), name + ": the next query came from the cache");
        }

        // Still serving over TCP after writing to a closed connection, and nothing was logged as a crash.
        SimpleResolver tcp = new SimpleResolver(server.dns());
        tcp.setTCP(true);
        tcp.setTimeout(Duration.ofSeconds(5));
        Message cluster = tcp.send(Message.newQuery(Record.newRecord(Name.fromString(NAME), Type.A, DClass.IN)));
        assertEquals(ADDRESS, cluster.getSection(Section.ANSWER).get(0).rdataToString());
        assertTrue(server.process().isAlive());
        String out = server.output();
        assertTrue(!out.contains("Exception") && !out.contains("SEVERE"), out);
      }
    }
  }

  private static boolean answers(SimpleResolver r, Message q, String address) {
    try {
      List<Record> answer = r.send(q).getSection(Section.ANSWER);
      return !answer.isEmpty() && answer.get(0).rdataToString().equals(address);
    } catch (IOException e) {
      return false;
    }
  }
}
