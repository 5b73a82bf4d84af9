package io.clusterdns.bench.watch;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The built clusterdns jar as a child process on loopback ports, watching the API server of a kubeconfig.
 * Stopped by its own PID ({@link Process#destroy()}, then {@code destroyForcibly} after 10 s); every
 * {@code jcmd} it runs is bounded and stopped the same way. Owned by the benchmark's main thread.
 */
final class ClusterDnsProcess implements AutoCloseable {
  /** Processes still running, stopped by a shutdown hook if the benchmark is interrupted (e.g. by timeout). */
  private static final java.util.Set<Process> LIVE = java.util.concurrent.ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      for (Process p : LIVE) {
        p.destroyForcibly();
      }
    }, "stop-clusterdns"));
  }

  private final Process process;
  private final long startedNanos;
  private final InetSocketAddress dns;
  private final int readyPort;
  private final List<String> output = new ArrayList<>();
  final List<String> command;

  private ClusterDnsProcess(Process process, long startedNanos, InetSocketAddress dns, int readyPort,
      List<String> command) {
    this.process = process;
    this.startedNanos = startedNanos;
    this.dns = dns;
    this.readyPort = readyPort;
    this.command = command;
    Thread reader = new Thread(this::readOutput, "clusterdns-output-" + process.pid());
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts {@code java [jvmFlags] -jar jar --kubeconfig ... [args]} and waits until it prints "listening on". */
  static ClusterDnsProcess start(Path jar, Path kubeconfig, List<String> jvmFlags, List<String> args)
      throws IOException, InterruptedException {
    int dnsPort = freePort();
    int readyPort = freePort();
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmFlags);
    cmd.addAll(List.of("-jar", jar.toString(), "--kubeconfig", kubeconfig.toString(),
        "--listen", "127.0.0.1:" + dnsPort, "--upstream", "127.0.0.1:1",
        "--health", "127.0.0.1:" + freePort(), "--ready", "127.0.0.1:" + readyPort,
        "--metrics", "127.0.0.1:" + freePort()));
    cmd.addAll(args);
    long t0 = System.nanoTime();
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    LIVE.add(p);
    ClusterDnsProcess c = new ClusterDnsProcess(p, t0, new InetSocketAddress(InetAddress.getLoopbackAddress(),
        dnsPort), readyPort, cmd);
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!c.printed("listening on")) {
        if (!p.isAlive() || System.nanoTime() > deadline) {
          throw new IllegalStateException("clusterdns did not start:\n" + c.output());
        }
        Thread.sleep(10);
      }
    } catch (RuntimeException | InterruptedException e) {
      c.close();
      throw e;
    }
    return c;
  }

  long pid() {
    return process.pid();
  }

  InetSocketAddress dns() {
    return dns;
  }

  /** System.nanoTime when the process was started. */
  long startedNanos() {
    return startedNanos;
  }

  /**
   * Polls /ready until 200 (every 20 ms: each poll costs both processes a connection, and they share two cores
   * with the sync being timed); returns milliseconds since the process was started.
   */
  double awaitReady(long timeoutMillis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (true) {
      if (ready()) {
        return (System.nanoTime() - startedNanos) / 1e6;
      }
      if (!process.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException("clusterdns not ready within " + timeoutMillis + " ms:\n" + output());
      }
      Thread.sleep(20);
    }
  }

  /** CPU time the process has used so far (user + system, all threads), seconds; from /proc/PID/stat. */
  double cpuSeconds() throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid()), "stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0; // utime, stime in USER_HZ (100 on Linux)
  }

  private boolean ready() {
    try {
      HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + readyPort + "/ready").toURL()
          .openConnection();
      c.setConnectTimeout(500);
      c.setReadTimeout(1000);
      try {
        return c.getResponseCode() == 200;
      } finally {
        c.disconnect();
      }
    } catch (IOException e) {
      return false;
    }
  }

  /** VmRSS, VmHWM (and VmSize) of the process in kB, from /proc/PID/status. */
  Map<String, Long> memoryKb() throws IOException {
    Map<String, Long> m = new LinkedHashMap<>();
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
      for (String key : List.of("VmRSS", "VmHWM", "RssAnon", "RssFile")) {
        if (line.startsWith(key + ":")) {
          m.put(key, Long.parseLong(line.substring(key.length() + 1).replace("kB", "").trim()));
        }
      }
    }
    return m;
  }

  /** Resets VmHWM to the current RSS (writes 5 to /proc/PID/clear_refs, Linux 4.0+); false if not allowed. */
  boolean resetPeak() {
    try {
      Files.writeString(Path.of("/proc", Long.toString(pid()), "clear_refs"), "5");
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Runs {@code jcmd PID args...}, at most 120 s; returns its output. */
  String jcmd(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
    cmd.add(Long.toString(pid()));
    cmd.addAll(List.of(args));
    Process j = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try {
      byte[] out = j.getInputStream().readAllBytes();
      if (!j.waitFor(120, TimeUnit.SECONDS)) {
        throw new IllegalStateException("jcmd " + String.join(" ", args) + " timed out");
      }
      return new String(out, StandardCharsets.UTF_8);
    } finally {
      if (j.isAlive()) {
        j.destroyForcibly();
      }
    }
  }

  boolean printed(String text) {
    synchronized (output) {
      return output.stream().anyMatch(l -> l.contains(text));
    }
  }

  /** The first output line containing {@code text}, or null. */
  String line(String text) {
    synchronized (output) {
      return output.stream().filter(l -> l.contains(text)).findFirst().orElse(null);
    }
  }

  /** The lines that say when it synced and any warnings or errors. */
  String notable() {
    synchronized (output) {
      return String.join("\n", output.stream().filter(l -> l.contains("synced in") || l.startsWith("WARN")
          || l.startsWith("SEVERE") || l.contains("Exception")).limit(20).toList());
    }
  }

  String output() {
    synchronized (output) {
      return String.join("\n", output);
    }
  }

  private void readOutput() {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
        StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        synchronized (output) {
          output.add(line);
        }
      }
    } catch (IOException ignored) {
      // the process ended
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    LIVE.remove(process);
  }
}
