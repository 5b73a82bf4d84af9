package io.clusterdns.conformance;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real {@code dig} once per query, so answers are judged by the client operators debug with.
 * Thread-safe (each call starts its own process); every call is bounded by {@link #PROCESS_TIMEOUT}.
 */
public final class Dig {

  /** Longest one dig process may run before it is killed (its own bound: 2 tries of 3 s). */
  static final Duration PROCESS_TIMEOUT = Duration.ofSeconds(15);

  /** Options that make the output parseable and the run bounded; case options come after these. */
  private static final List<String> BASE_OPTIONS = List.of(
      "-r", // ignore ~/.digrc
      "+noall", "+comments", "+question", "+answer", "+authority", "+additional",
      "+nocmd",
      // A second try: one UDP datagram lost on a busy machine must not fail a case; the answer is what counts.
      "+time=3", "+tries=2", "+noidnin", "+noidnout");

  private final String executable;

  public Dig(String executable) {
    this.executable = executable;
  }

  /** Queries {@code server}; never throws for DNS-level failures (the reply then has a null status). */
  public DigReply query(ServerAddress server, String qname, String qtype, List<String> options) {
    List<String> cmd = new ArrayList<>();
    cmd.add(executable);
    cmd.add("@" + server.host());
    cmd.add("-p");
    cmd.add(Integer.toString(server.port()));
    cmd.addAll(BASE_OPTIONS);
    cmd.addAll(options);
    cmd.add("-q");
    cmd.add(qname);
    cmd.add("-t");
    cmd.add(qtype);
    String out = run(cmd);
    return DigOutputParser.parse(out);
  }

  private static String run(List<String> cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      p.getOutputStream().close();
      // dig's output is small; read it fully, then reap the process within the bound.
      byte[] buf;
      try (InputStream in = p.getInputStream()) {
        ReaderThread reader = new ReaderThread(in);
        reader.start();
        if (!p.waitFor(PROCESS_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
          p.destroyForcibly();
          p.waitFor(5, TimeUnit.SECONDS);
          return ";; conformance: dig did not finish within " + PROCESS_TIMEOUT.toSeconds() + " s\n";
        }
        reader.join(TimeUnit.SECONDS.toMillis(5));
        buf = reader.bytes();
      }
      return new String(buf, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return ";; conformance: could not run " + cmd.get(0) + ": " + e.getMessage() + "\n";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ";; conformance: interrupted\n";
    }
  }

  /** Drains a process's output so a chatty process can never block on a full pipe. */
  private static final class ReaderThread extends Thread {
    private final InputStream in;
    private volatile byte[] bytes = new byte[0];

    ReaderThread(InputStream in) {
      super("dig-output");
      setDaemon(true);
      this.in = in;
    }

    @Override
    public void run() {
      try {
        bytes = in.readAllBytes();
      } catch (IOException e) {
        // The process was killed; whatever was read is lost, and the caller reports no reply.
      }
    }

    byte[] bytes() {
      return bytes;
    }
  }
}
