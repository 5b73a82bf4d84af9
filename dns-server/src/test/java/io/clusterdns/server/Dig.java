package io.clusterdns.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real {@code dig} (from dnsutils, installed by .ci/install-test-deps) against a loopback server. */
final class Dig {
  /** Longest a single dig run may take before the test fails, seconds: two tries of 5 s plus a TCP retry. */
  private static final int TIMEOUT_SECONDS = 30;

  private Dig() {}

  static String binary() {
    return RequiredTool.dig().toString();
  }

  /** Runs dig at {@code server} with the given arguments and returns its standard output. */
  static String run(InetSocketAddress server, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(binary());
    cmd.add("@" + server.getAddress().getHostAddress());
    cmd.add("-p");
    cmd.add(Integer.toString(server.getPort()));
    // Loopback answers take milliseconds; the bound and the one retry are for a busy CI machine.
    cmd.add("+time=5");
    cmd.add("+tries=2");
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try {
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        throw new IllegalStateException("dig did not finish in " + TIMEOUT_SECONDS + " s: " + cmd);
      }
      return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    } finally {
      p.destroyForcibly();
    }
  }

  /** The records dig printed for the answer section with {@code +noall +answer}, one per line. */
  static List<String> lines(String output) {
    List<String> out = new ArrayList<>();
    for (String l : output.split("\n")) {
      String t = l.strip();
      if (!t.isEmpty() && !t.startsWith(";")) {
        out.add(t.replaceAll("\\s+", " "));
      }
    }
    return out;
  }
}
