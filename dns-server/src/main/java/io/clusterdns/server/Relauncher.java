package io.clusterdns.server;

import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Gives a plain {@code java -jar clusterdns.jar} sensible memory (cli.md "Build and run"). Started without any
 * heap or GC option, the JVM sizes its heap from the whole machine (a quarter of RAM) and G1 grows into it:
 * the benchmarks measured 300 MB to 1.2 GB of RSS for 20-200 MB of live data (conformance/bench/RESULTS.md).
 * JVM options cannot be changed from inside, so in that case the jar starts itself once more as a child JVM
 * with {@link #CHILD_OPTIONS} and waits for it: the child serves, this process only passes signals on
 * (SIGTERM/SIGINT reach the child through its shutdown hook, so lameduck still works) and exits with the
 * child's status. The child ends itself if this process dies, so it is never orphaned.
 *
 * <p>Any explicit heap or GC option (as the Helm chart gives), {@code JAVA_TOOL_OPTIONS}, or
 * {@code CLUSTERDNS_RELAUNCH=false} keeps everything in one process; so do {@code --help}, {@code --version}
 * and {@code --check-config}, which do not serve.
 */
final class Relauncher {
  /**
   * The child's options: the serial collector with a small young generation kept RSS close to the live data
   * at unchanged speed (performance.md 2.5, 2.6); the old generation grows only as the cluster needs and gives
   * memory back after a collection; running out of memory ends the process so the orchestrator restarts it.
   */
  static final List<String> CHILD_OPTIONS = List.of(
      "-XX:+UseSerialGC", "-Xms32m", "-Xmn16m", "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=30",
      "-XX:+ExitOnOutOfMemoryError");

  /** System property that marks the child, carrying the parent's PID. */
  static final String CHILD_PROPERTY = "clusterdns.parent";

  /** Environment switch: {@code false} never relaunches. */
  static final String SWITCH = "CLUSTERDNS_RELAUNCH";

  private static final Set<String> NOT_SERVING = Set.of("-h", "--help", "-V", "--version", "--check-config");

  private Relauncher() {}

  /** How often the child checks that its parent is still there, milliseconds. */
  private static final long PARENT_CHECK_MS = 1000;

  /**
   * In the child: exit when the parent is gone (killed with SIGKILL, say), so no server is left behind. A dead
   * parent may linger as a zombie, so the check is that this process was re-parented, not that the old PID ended.
   */
  static void watchParent() {
    String parent = System.getProperty(CHILD_PROPERTY);
    if (parent == null) {
      return;
    }
    long expected;
    try {
      expected = Long.parseLong(parent);
    } catch (NumberFormatException e) {
      return; // not set by us; nothing to watch
    }
    Thread t = new Thread(() -> {
      while (true) {
        long now = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
        if (now != expected) {
          Runtime.getRuntime().halt(1);
        }
        try {
          Thread.sleep(PARENT_CHECK_MS);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "parent-watch");
    t.setDaemon(true);
    t.start();
  }

  static boolean wanted(String[] args) {
    if (System.getProperty(CHILD_PROPERTY) != null || "false".equalsIgnoreCase(System.getenv(SWITCH))
        || System.getenv("JAVA_TOOL_OPTIONS") != null || System.getenv("JDK_JAVA_OPTIONS") != null) {
      return false;
    }
    for (String a : args) {
      if (NOT_SERVING.contains(a)) {
        return false;
      }
    }
    for (String opt : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (opt.startsWith("-Xmx") || opt.startsWith("-Xms") || opt.startsWith("-Xmn")
          || opt.startsWith("-XX:MaxRAM") || opt.startsWith("-XX:InitialRAM") || opt.startsWith("-XX:MaxHeapSize")
          || (opt.startsWith("-XX:+Use") && opt.endsWith("GC"))) {
        return false;
      }
    }
    return jar() != null;
  }

  /** Runs the child JVM with the same arguments and returns its exit status. */
  static int run(String[] args) throws Exception {
    Main.ignoreHangup(); // until the child exists
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(CHILD_OPTIONS);
    for (String opt : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (opt.startsWith("-D") || opt.startsWith("--enable-native-access") || opt.startsWith("-XX:")) {
        cmd.add(opt);
      }
    }
    cmd.add("-D" + CHILD_PROPERTY + "=" + ProcessHandle.current().pid());
    cmd.add("-jar");
    cmd.add(jar().toString());
    cmd.addAll(List.of(args));
    Process child = new ProcessBuilder(cmd).inheritIO().start();
    // SIGHUP (reload) sent to this PID alone, as `kill -HUP 1` in a container does, is passed on to the child.
    Main.handleHangup(() -> {
      try {
        new ProcessBuilder("kill", "-HUP", Long.toString(child.pid())).inheritIO().start();
      } catch (java.io.IOException e) {
        System.err.println("clusterdns: cannot pass SIGHUP on to the serving JVM: " + e.getMessage());
      }
    });
    Thread stop = new Thread(() -> {
      child.destroy(); // SIGTERM: the child's own shutdown (lameduck) runs
      try {
        Runtime.getRuntime().halt(child.waitFor()); // the child's status, not the JVM's 128+15
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "stop-child");
    Runtime.getRuntime().addShutdownHook(stop);
    int status = child.waitFor();
    try {
      Runtime.getRuntime().removeShutdownHook(stop);
    } catch (IllegalStateException e) {
      // already shutting down: the hook is running
    }
    return status;
  }

  /** The jar this class runs from, or null when run from classes (tests, IDE). */
  private static Path jar() {
    try {
      Path p = Path.of(Relauncher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return p.toString().endsWith(".jar") ? p : null;
    } catch (URISyntaxException | SecurityException | NullPointerException e) {
      return null;
    }
  }
}
