package io.clusterdns.conformance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A child process the runner started (clusterdns or knotd): output goes to a log file, readiness is a
 * polled condition with a deadline, and {@link #close()} stops exactly this PID and its descendants (TERM, then
 * KILL, so nothing a server started is left). A JVM shutdown hook kills them if the
 * runner ends without {@link #close()} (Ctrl-C, SIGTERM, a test JVM that exits after a failure).
 * Owned by the thread that started it.
 */
final class ManagedProcess implements AutoCloseable {

  /** How long a stopped process gets to exit after SIGTERM before it is killed. */
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);

  /** How long a stop waits for killed processes to be gone. */
  private static final Duration KILL_WAIT = Duration.ofSeconds(5);

  private final String name;
  private final Process process;
  private final Path log;

  /** Stops the child if the runner is interrupted (Ctrl-C, SIGTERM) before {@link #close()} ran. */
  private final Thread shutdownHook;

  private ManagedProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.shutdownHook = new Thread(() -> kill(tree()), "stop-" + name);
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  static ManagedProcess start(String name, List<String> command, Path log) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    p.getOutputStream().close();
    return new ManagedProcess(name, p, log);
  }

  /**
   * Polls {@code ready} every 100 ms until it holds; fails early if the process exits, with a
   * {@link FreePorts.PortTakenException} when its log says a port it was given is in use (clusterdns: "cannot
   * listen on ...: address already in use", knotd: "cannot bind address ... (address already in use)").
   */
  void awaitReady(BooleanSupplier ready, Duration deadline) {
    long end = System.nanoTime() + deadline.toNanos();
    while (System.nanoTime() < end) {
      if (!process.isAlive()) {
        String tail = tail();
        String message = name + " exited with status " + process.exitValue() + " before it was ready; log "
            + log + ":\n" + tail;
        if (tail.toLowerCase(Locale.ROOT).contains("already in use")) {
          throw new FreePorts.PortTakenException(message);
        }
        throw new IllegalStateException(message);
      }
      if (ready.getAsBoolean()) {
        return;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + name, e);
      }
    }
    throw new IllegalStateException(name + " not ready within " + deadline.toSeconds() + " s; log "
        + log + ":\n" + tail());
  }

  long pid() {
    return process.pid();
  }

  String tail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException | RuntimeException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // The JVM is already exiting; the hook stops the process.
    }
    List<ProcessHandle> tree = tree();
    try {
      process.destroy();
      process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      kill(tree); // whatever did not stop on SIGTERM, and descendants the parent left behind
    }
  }

  /**
   * This process and its descendants, listed while it still runs: once a parent is gone its children are
   * re-parented and no longer show up as its descendants.
   */
  private List<ProcessHandle> tree() {
    List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
    tree.add(process.toHandle());
    return tree;
  }

  /** SIGKILL by PID ({@link ProcessHandle} checks the start time, so a reused PID is safe), bounded wait. */
  private static void kill(List<ProcessHandle> tree) {
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
}
