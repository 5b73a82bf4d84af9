package io.clusterdns.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Mistakes on the command line and in a Corefile name themselves (issue 18): the jar run with
 * {@code --check-config} (one JVM, nothing served), its exit status and what it printed.
 */
class CommandLineIT {
  private static final Path JAR = Path.of("target", "clusterdns.jar");

  static Stream<Arguments> mistakes() {
    return Stream.of(
        Arguments.of(List.of("--listen", "53"), null, 2, "'53': expected HOST:PORT (or :PORT), e.g. :53 or 0.0.0.0:53"),
        Arguments.of(List.of("--listen", "127.0.0.1"), null, 2, "'127.0.0.1': expected HOST:PORT (or :PORT); no port"),
        Arguments.of(List.of("--listn", ":53"), null, 2, "Did you mean --listen?"),
        Arguments.of(List.of("--log-format", "xml"), null, 2, "'xml': expected text or json"),
        Arguments.of(List.of("--metrics", "of"), null, 2, "'of': expected HOST:PORT (or :PORT); no port given"),
        Arguments.of(List.of("--tcp-max-in-flight", "0"), null, 1,
            "TCP connection and in-flight limits must be at least 1"),
        Arguments.of(List.of("--tcp-query-timeout", "0.01"), null, 1,
            "the TCP query timeout must be between 0.1 and 60 seconds, not 0.01"),
        Arguments.of(List.of("--rrl-slip", "3"), null, 1, "--rrl-ipv4-prefix and --rrl-ipv6-prefix need --rrl RATE"),
        Arguments.of(List.of("--rrl", "0"), null, 1, "--rrl: rate must be between 1 and 10000, not 0"),
        Arguments.of(List.of("--rrl", "50", "--rrl-ipv6-prefix", "96"), null, 1, "prefix lengths must be 8-32"),
        Arguments.of(List.of(), ".:53 {\n    acl {\n        block type NOSUCHTYPE\n    }\n    kubernetes cluster.local\n}\n",
            1, "Corefile:3: acl: unknown query type 'NOSUCHTYPE'"),
        Arguments.of(List.of(), ".:53 {\n    kubernetes cluster.local\n    rewrite type AAAA NOSUCHTYPE\n}\n",
            1, "Corefile:3: rewrite type: unknown type 'NOSUCHTYPE'"),
        Arguments.of(List.of(), ".:53 {\n    kubernets cluster.local\n}\n", 1,
            "Corefile:2:5: unknown plugin 'kubernets'; did you mean 'kubernetes'?"),
        Arguments.of(List.of(), ".:53 {\n    kubernetes cluster.local\n    autopath @etcd\n}\n", 1,
            "Corefile:3:14: autopath takes its search path from @kubernetes, not '@etcd'"));
  }

  @ParameterizedTest
  @MethodSource("mistakes")
  void mistakeIsNamed(List<String> args, String corefile, int status, String expected, @TempDir Path dir)
      throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", JAR.toString(), "--check-config", "--demo", "--upstream", "127.0.0.1:1"));
    cmd.addAll(args);
    if (corefile != null) {
      Path conf = dir.resolve("Corefile");
      Files.writeString(conf, corefile);
      cmd.addAll(List.of("--conf", conf.toString()));
    }
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try {
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "exits");
      assertEquals(status, p.exitValue(), out);
      assertTrue(out.contains(expected), "expected '" + expected + "' in:\n" + out);
    } finally {
      ServerProcess.kill(p.toHandle());
    }
  }
}
