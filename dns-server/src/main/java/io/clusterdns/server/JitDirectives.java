package io.clusterdns.server;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * Installs the JIT compiler directives the build ships beside the jar ({@value #FILE}, from
 * src/main/launcher): they keep HotSpot's optimising compiler (C2) off the code that reads the cluster in bulk
 * once per start (Jackson's parsers, the k8s-backend's readers and watch, the JDK's HTTP client and its
 * class-spinning ASM), which then runs as C1 code instead. Why: C2 spent more CPU compiling that code, and
 * compiling it again after each deoptimisation, than its faster code saved in a run that happens once, on two
 * cores shared with the list readers. At 100,000 Services + EndpointSlices + Pods the watch synced with a quarter
 * to a third less CPU and the snapshot loaded in 2.3 instead of 3.1 s (conformance/bench/RESULTS.md, issue 17).
 * Query answering never runs that code, so its C2 code is unchanged.
 *
 * <p>Through the JVM's {@code Compiler.directives_add} diagnostic command rather than the launcher's
 * {@code -XX:CompilerDirectivesFile}: the JVM prints a line of its own for that flag, outside the log format
 * (issue 18), and a plain {@code java -jar} gets the directives too. A missing file or a failure only costs
 * start-up speed, so it is logged and start-up goes on.
 */
final class JitDirectives {
  static final String FILE = "clusterdns-jit.json";

  private static final Logger LOG = Logger.getLogger("clusterdns");

  private JitDirectives() {}

  /**
   * Starts installing on a thread of its own and returns at once: making the JVM's management server takes
   * 0.1-0.2 s of CPU, which then overlaps the rest of start-up; the bulk readers reach the compile
   * thresholds later than that.
   */
  static void installInBackground() {
    Thread t = new Thread(JitDirectives::install, "clusterdns-jit-directives");
    t.setDaemon(true);
    t.start();
  }

  /** Installs {@value #FILE} from the jar's directory, if it is there; returns the JVM's answer, or why not. */
  static String install() {
    Path file = besideJar();
    if (file == null || !Files.isRegularFile(file)) {
      String why = "no " + FILE + " beside the jar" + (file == null ? "" : " (" + file + ")");
      LOG.fine(why + "; the JIT compiles the bulk readers as any other code");
      return why;
    }
    String answer;
    try {
      Object out = ManagementFactory.getPlatformMBeanServer().invoke(
          new ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerDirectivesAdd",
          new Object[] {new String[] {file.toString()}}, new String[] {String[].class.getName()});
      answer = String.valueOf(out).strip();
    } catch (JMException | RuntimeException e) {
      answer = e.toString();
    }
    if (answer.endsWith("compiler directives added")) {
      LOG.fine(file + ": " + answer);
    } else {
      LOG.log(Level.WARNING, "JIT directives " + file + " not installed (start-up is slower, answers are not"
          + " affected): " + answer.replace('\n', ' '));
    }
    return answer;
  }

  private static Path besideJar() {
    try {
      Path jar = Path.of(JitDirectives.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return Files.isRegularFile(jar) ? jar.resolveSibling(FILE) : null;
    } catch (Exception e) { // no code source (an unusual class loader): nothing to find
      return null;
    }
  }
}
