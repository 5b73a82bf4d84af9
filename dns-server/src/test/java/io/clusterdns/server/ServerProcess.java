package io.clusterdns.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramSocket;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The built {@code target/clusterdns.jar} run as a child process of a test, the way users run it: with
 * {@code java -jar} or through the launcher the build writes beside it ({@code target/clusterdns}). Every
 * instance is stopped by PID together with any descendants: in {@link #close()}, and by a JVM shutdown hook if the test JVM ends first, so a failed or interrupted test
 * leaves no server behind. Owned by the test thread that started it; one daemon thread copies the output.
 */
final class ServerProcess implements AutoCloseable {

  /** The ports a start attempt got: each free for UDP and TCP on 127.0.0.1 when picked. */
  record Ports(int dns, int health, int ready, int metrics) {
    InetSocketAddress dnsAddress() {
      return new InetSocketAddress(InetAddress.getLoopbackAddress(), dns);
    }
  }

  /**
   * Start-up bound: the server is up in about a second; a busy 2-core CI machine can make that many times
   * slower.
   */
  static final Duration START_DEADLINE = Duration.ofSeconds(60);

  /**
   * Starts tried when a picked port was taken before the child bound it (pick-then-release leaves that window
   * open; the jar then exits 1 with "address already in use").
   */
  private static final int START_ATTEMPTS = 4;

  /** How long a stop waits for the processes to be gone after SIGKILL. */
  private static final Duration KILL_WAIT = Duration.ofSeconds(10);

  private static final Path JAR = Path.of("target", "clusterdns.jar");

  /** The launcher script the build writes next to the jar (src/main/launcher/clusterdns). */
  static final Path LAUNCHER = Path.of("target", "clusterdns");

  /**
   * Environment variables passed to the child. Everything else is left out: {@code JAVA_TOOL_OPTIONS},
   * {@code JDK_JAVA_OPTIONS} and {@code _JAVA_OPTIONS} (often set on CI machines) add JVM options, and
   * {@code CLUSTERDNS_JAVA_OPTIONS} adds the launcher's, so they would change what a test tests; proxy variables would reroute the API client.
   */
  private static final List<String> PASSED_ENV = List.of("PATH", "LANG", "LC_ALL", "TZ");

  private final Process process;
  private final Ports ports;
  private final List<String> output = new ArrayList<>();
  private boolean outputStalled; // guarded by output
  private final Thread reader;
  private final Thread stopOnExit;

  private ServerProcess(Process process, Ports ports) {
    this.process = process;
    this.ports = ports;
    this.stopOnExit = new Thread(() -> kill(process.toHandle()), "stop-clusterdns-" + process.pid());
    Runtime.getRuntime().addShutdownHook(stopOnExit);
    this.reader = new Thread(this::copyOutput, "clusterdns-output-" + process.pid());
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts {@code java [jvmOptions] -jar clusterdns.jar [args(ports)] --listen --health --ready --metrics} on
   * fresh loopback ports and returns once it printed "listening on" (or exited after printing it). A start that
   * fails because a port was taken meanwhile is retried with fresh ports.
   *
   * @param jvmOptions empty for a plain {@code java -jar}; null to start through the launcher (with this JDK as
   *     its {@code JAVA_HOME})
   * @param env extra environment variables for the child, on top of {@link #PASSED_ENV}
   */
  static ServerProcess start(List<String> jvmOptions, Map<String, String> env, Function<Ports, List<String>> args)
      throws IOException, InterruptedException {
    return start(jvmOptions, env, args, true);
  }

  /**
   * {@link #start(List, Map, Function)} with {@code --listen} only: the command's own defaults for the HTTP
   * endpoints (the {@code dev} command serves none unless asked).
   */
  static ServerProcess startWithoutEndpoints(List<String> jvmOptions, Map<String, String> env,
      Function<Ports, List<String>> args) throws IOException, InterruptedException {
    return start(jvmOptions, env, args, false);
  }

  private static ServerProcess start(List<String> jvmOptions, Map<String, String> env,
      Function<Ports, List<String>> args, boolean endpoints) throws IOException, InterruptedException {
    if (!Files.isRegularFile(JAR)) {
      throw new AssertionError("run 'mvn verify' so the jar is packaged before this test: " + JAR.toAbsolutePath());
    }
    String lastOutput = "";
    for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      int[] p = freePorts(4);
      Ports ports = new Ports(p[0], p[1], p[2], p[3]);
      List<String> cmd = new ArrayList<>();
      if (jvmOptions == null) {
        cmd.add(LAUNCHER.toString());
      } else {
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-jar", JAR.toString()));
      }
      cmd.addAll(args.apply(ports));
      cmd.addAll(List.of("--listen", "127.0.0.1:" + ports.dns()));
      if (endpoints) {
        cmd.addAll(List.of("--health", "127.0.0.1:" + ports.health(), "--ready", "127.0.0.1:" + ports.ready(),
            "--metrics", "127.0.0.1:" + ports.metrics()));
      }
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
      Map<String, String> childEnv = pb.environment();
      Map<String, String> own = System.getenv();
      childEnv.clear();
      for (String name : PASSED_ENV) {
        if (own.containsKey(name)) {
          childEnv.put(name, own.get(name));
        }
      }
      if (jvmOptions == null) {
        childEnv.put("JAVA_HOME", System.getProperty("java.home"));
      }
      childEnv.putAll(env);
      ServerProcess server = new ServerProcess(pb.start(), ports);
      server.process.getOutputStream().close();
      try {
        if (server.awaitListening()) {
          return server;
        }
      } catch (RuntimeException | Error | InterruptedException e) {
        server.close();
        throw e;
      }
      lastOutput = server.output();
      server.close();
      if (!portTaken(lastOutput)) {
        throw new AssertionError("clusterdns exited with status " + server.process.exitValue()
            + " before listening: " + cmd + "\n" + lastOutput);
      }
    }
    throw new AssertionError("clusterdns found a picked port taken " + START_ATTEMPTS + " times:\n" + lastOutput);
  }

  /** True once "listening on" was printed; false when the process exited without it. */
  private boolean awaitListening() throws InterruptedException {
    long end = System.nanoTime() + START_DEADLINE.toNanos();
    while (!outputContains("listening on")) {
      if (!process.isAlive()) {
        reader.join(TimeUnit.SECONDS.toMillis(10)); // everything it printed before exiting
        return outputContains("listening on");
      }
      if (System.nanoTime() > end) {
        throw new AssertionError("clusterdns not listening within " + START_DEADLINE.toSeconds() + " s:\n"
            + output());
      }
      Thread.sleep(50);
    }
    return true;
  }

  /** The jar's start-up errors for a taken DNS port and for a taken health/ready/metrics port. */
  private static boolean portTaken(String output) {
    for (String line : output.split("\n")) {
      String l = line.toLowerCase(Locale.ROOT);
      if (l.contains("cannot listen on") && l.contains("already in use")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Polls {@code GET /ready} until it answers 200: DNS may answer before the cluster data is synced (SERVFAIL
   * for cluster names), /ready says when answers are real.
   */
  void awaitReady(Duration deadline) throws InterruptedException {
    long end = System.nanoTime() + deadline.toNanos();
    int last = -1;
    while (System.nanoTime() < end) {
      if (!process.isAlive()) {
        throw new AssertionError("clusterdns exited with status " + process.exitValue() + " before /ready:\n"
            + output());
      }
      last = httpStatus("/ready", ports.ready());
      if (last == 200) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("/ready not 200 within " + deadline.toSeconds() + " s (last " + last + "):\n"
        + output());
  }

  /** The status of {@code GET path} on {@code port}, or -1 when nothing answered. */
  static int httpStatus(String path, int port) {
    try {
      HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + path).toURL()
          .openConnection();
      c.setConnectTimeout(5_000);
      c.setReadTimeout(10_000);
      try {
        return c.getResponseCode();
      } finally {
        c.disconnect();
      }
    } catch (IOException e) {
      return -1;
    }
  }

  /** The body of {@code GET /metrics}. */
  String metrics() throws IOException {
    HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + ports.metrics() + "/metrics")
        .toURL().openConnection();
    c.setConnectTimeout(5_000);
    c.setReadTimeout(20_000);
    try {
      if (c.getResponseCode() != 200) {
        throw new IOException("/metrics answered " + c.getResponseCode());
      }
      return new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    } finally {
      c.disconnect();
    }
  }

  Ports ports() {
    return ports;
  }

  InetSocketAddress dns() {
    return ports.dnsAddress();
  }

  Process process() {
    return process;
  }

  String output() {
    synchronized (output) {
      return String.join("\n", output);
    }
  }

  /** Everything the process printed, once it has exited (the output is copied by another thread). */
  String outputAfterExit() throws InterruptedException {
    reader.join(TimeUnit.SECONDS.toMillis(10));
    return output();
  }

  boolean outputContains(String s) {
    synchronized (output) {
      return output.stream().anyMatch(l -> l.contains(s));
    }
  }

  private void copyOutput() {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
        StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        synchronized (output) {
          output.add(line);
          while (outputStalled) {
            output.wait();
          }
        }
      }
    } catch (IOException ignored) {
      // the process ended
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Stops reading the process's output until {@link #resumeOutput}, as a log collector that falls behind: once
   * the pipe's buffer is full, the process's writes to stdout and stderr block.
   */
  void stallOutput() {
    synchronized (output) {
      outputStalled = true;
    }
  }

  /** Reads the process's output again. */
  void resumeOutput() {
    synchronized (output) {
      outputStalled = false;
      output.notifyAll();
    }
  }

  /** SIGTERM to the process, as under an orchestrator. */
  void terminate() {
    process.destroy();
  }

  /** Kills the process and all its descendants by PID and waits until they are gone. Idempotent. */
  @Override
  public void close() {
    resumeOutput();
    try {
      Runtime.getRuntime().removeShutdownHook(stopOnExit);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or ran
    }
    kill(process.toHandle());
  }

  /**
   * The descendants are listed before anything is killed: once a parent is gone its children are re-parented
   * and no longer show up as descendants. {@link ProcessHandle} checks the start time, so a reused PID is safe.
   */
  static void kill(ProcessHandle root) {
    List<ProcessHandle> tree = new ArrayList<>(root.descendants().toList());
    tree.add(root);
    tree.forEach(ProcessHandle::destroyForcibly);
    long end = System.nanoTime() + KILL_WAIT.toNanos();
    for (ProcessHandle h : tree) {
      try {
        h.onExit().get(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (Exception e) {
        System.err.println("process " + h.pid() + " still running " + KILL_WAIT.toSeconds() + " s after SIGKILL");
      }
    }
  }

  /**
   * {@code count} distinct ports, each free for both UDP and TCP on 127.0.0.1 (a DNS listener needs both).
   * All are held until every one is found, so they differ; they are released on return, so the caller must be
   * ready for one to be taken before it binds (see {@link #start}).
   */
  static int[] freePorts(int count) throws IOException {
    InetAddress lo = InetAddress.getLoopbackAddress();
    List<AutoCloseable> held = new ArrayList<>();
    int[] ports = new int[count];
    try {
      int found = 0;
      for (int tries = 0; found < count; tries++) {
        if (tries >= 50 * count) {
          throw new IOException("no " + count + " loopback ports free for UDP and TCP");
        }
        ServerSocket tcp = new ServerSocket();
        held.add(tcp);
        tcp.setReuseAddress(false); // skip ports still in TIME_WAIT, which the child's bind may refuse
        tcp.bind(new InetSocketAddress(lo, 0), 1);
        try {
          held.add(new DatagramSocket(new InetSocketAddress(lo, tcp.getLocalPort())));
          ports[found++] = tcp.getLocalPort();
        } catch (IOException udpTaken) {
          // keep the TCP socket held so the next try gets another port
        }
      }
      return ports;
    } finally {
      for (AutoCloseable c : held) {
        try {
          c.close();
        } catch (Exception ignored) {
          // a probe socket; nothing to do
        }
      }
    }
  }
}
