package io.clusterdns.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * External programs the tests start. The README's test command runs {@code .ci/install-test-deps} first, so
 * a missing one is a broken setup and fails the test with a message saying how to fix it; a silent skip would
 * let a green build hide untested code. Only a developer's quick run may skip instead, by asking for it with
 * {@code -Dclusterdns.allowMissingTools=true} (surefire and failsafe pass {@code -D} user properties on to
 * the forked test JVM).
 */
public final class RequiredTool {

  /** System property that turns a missing tool from a failure into a skipped test. */
  public static final String ALLOW_MISSING = "clusterdns.allowMissingTools";

  private RequiredTool() {}

  /** Knot DNS's server (Debian package {@code knot}), looked up where install-test-deps looks. */
  public static Path knotd() {
    return find("knotd", "/usr/sbin", "/usr/local/sbin");
  }

  /** ISC dig (Debian package {@code dnsutils}). */
  public static Path dig() {
    return find("dig", "/usr/bin", "/usr/local/bin");
  }

  /** The first executable {@code name} on PATH or in {@code extraDirs}; fails (or skips, if allowed). */
  static Path find(String name, String... extraDirs) {
    List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
    dirs.addAll(List.of(extraDirs));
    for (String dir : dirs) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
        return Path.of(dir, name);
      }
    }
    String message = name + " is not installed: run .ci/install-test-deps (or -D" + ALLOW_MISSING
        + "=true to skip)";
    if (Boolean.getBoolean(ALLOW_MISSING)) {
      Assumptions.abort(message);
    }
    return Assertions.fail(message);
  }
}
