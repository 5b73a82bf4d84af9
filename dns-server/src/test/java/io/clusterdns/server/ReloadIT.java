package io.clusterdns.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CoreDNS's {@code reload} from outside (issue 18): the Corefile edited under a running server, as
 * {@code kubectl edit cm coredns} does, with clients querying over UDP and TCP the whole time. Every query gets
 * its answer, the new TTL is served once the check has run, a broken file keeps the running configuration and
 * counts in {@code coredns_reload_failed_total}, and SIGHUP reloads at once without a {@code reload} directive.
 */
class ReloadIT {
  /** Bound for a change to be served: the 2 s ± 1 s check, plus room for a busy machine. */
  private static final Duration RELOAD_DEADLINE = Duration.ofSeconds(40);

  private static final String NAME = "kubernetes.default.svc.cluster.local.";

  /** The demo cluster's address for {@link #NAME}. */
  private static final String ADDRESS = "10.96.0.1";

  private static String corefile(int ttl, String reload) {
    return ".:53 {\n"
        + "    errors\n"
        + "    health\n"
        + "    ready\n"
        + "    kubernetes cluster.local in-addr.arpa ip6.arpa {\n"
        + "        pods insecure\n"
        + "        fallthrough in-addr.arpa ip6.arpa\n"
        + "        ttl " + ttl + "\n"
        + "    }\n"
        + "    prometheus :9153\n"
        + "    forward . 127.0.0.1:1\n"
        + "    cache 30\n"
        + (reload == null ? "" : "    " + reload + "\n")
        + "    loadbalance\n"
        + "}\n";
  }

  private static ServerProcess start(Path conf) throws IOException, InterruptedException {
    return ServerProcess.start(List.of("-Xmx128m"), Map.of("CLUSTERDNS_RELAUNCH", "false"),
        p -> List.of("--conf", conf.toString(), "--demo", "--threads", "2"));
  }

  private static void await(String what, BooleanSupplier done, ServerProcess server) throws InterruptedException {
    long end = System.nanoTime() + RELOAD_DEADLINE.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError(what + " not within " + RELOAD_DEADLINE.toSeconds() + " s:\n" + server.output());
      }
      Thread.sleep(100);
    }
  }

  static double metric(String body, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$").matcher(body);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }

  private static double scrape(ServerProcess server, String series) {
    try {
      return metric(server.metrics(), series);
    } catch (IOException e) {
      return Double.NaN;
    }
  }

  @Test
  void changedCorefileIsServedWithoutLosingQueriesAndABrokenOneKeepsIt(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("Corefile");
    Files.writeString(conf, corefile(30, "reload 2s 1s"));
    try (ServerProcess server = start(conf)) {
      server.awaitReady(ServerProcess.START_DEADLINE);
      assertEquals(0.0, scrape(server, "coredns_reload_failed_total"), server.output());
      try (QueryLoop udp = new QueryLoop(server.dns(), false, NAME, ADDRESS); QueryLoop tcp = new QueryLoop(server.dns(), true, NAME, ADDRESS)) {
        await("first answers", () -> udp.lastTtl.get() == 30 && tcp.lastTtl.get() == 30, server);

        Files.writeString(conf, corefile(7, "reload 2s 1s"));
        await("TTL 7 after the reload", () -> udp.lastTtl.get() == 7 && tcp.lastTtl.get() == 7, server);
        long before = udp.answered.get() + tcp.answered.get();

        Files.writeString(conf, corefile(9, "reload 2s 1s") + "bogus\n");
        await("the failed reload counted", () -> scrape(server, "coredns_reload_failed_total") == 1.0, server);
        await("more answers after the failed reload", () -> udp.answered.get() + tcp.answered.get() > before + 20,
            server);
        assertEquals(7, udp.lastTtl.get(), "a broken file keeps the running configuration");
        assertEquals(7, tcp.lastTtl.get(), "a broken file keeps the running configuration");
        udp.close();
        tcp.close();
        List<String> failures = new ArrayList<>(udp.failures);
        failures.addAll(tcp.failures);
        assertEquals(List.of(), failures, "no query lost or failed across the reloads");
        assertTrue(udp.answered.get() > 0 && tcp.answered.get() > 0);
      }
      String out = server.output();
      assertTrue(out.lines().anyMatch(l -> l.matches("\\S+Z \\[ERROR\\] plugin/reload: Corefile changed but reload "
          + "failed: Corefile:16:1: .*; still serving the previous configuration")), out);
      assertTrue(out.contains("[INFO] plugin/reload: Reloaded configuration SHA512 = "), out);
      assertTrue(server.metrics().contains("coredns_reload_version_info{hash=\"sha512\",value=\""), out);
    }
  }

  /** A plain {@code java -jar} (one JVM since issue 17): SIGHUP reloads even without a {@code reload} directive. */
  @Test
  void sighupReloadsAtOnceWithoutAReloadDirective(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("Corefile");
    Files.writeString(conf, corefile(30, null));
    try (ServerProcess server = ServerProcess.start(List.of(), Map.of(),
        p -> List.of("--conf", conf.toString(), "--demo", "--threads", "2"))) {
      server.awaitReady(ServerProcess.START_DEADLINE);
      try (QueryLoop udp = new QueryLoop(server.dns(), false, NAME, ADDRESS)) {
        await("first answers", () -> udp.lastTtl.get() == 30, server);
        Files.writeString(conf, corefile(11, null));
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(server.process().pid())).start();
        assertTrue(kill.waitFor(30, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -HUP");
        await("TTL 11 after SIGHUP", () -> udp.lastTtl.get() == 11, server);
        udp.close();
        assertEquals(List.of(), new ArrayList<>(udp.failures));
      }
      assertTrue(server.output().contains("(SIGHUP)"), server.output());
    }
  }
}
