package io.clusterdns.server;

import io.clusterdns.config.corefile.ReloadSchedule;
import io.clusterdns.server.ops.ReloadMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Logger;

/**
 * CoreDNS's {@code reload} (behaviours.md 11.7, cli.md): checks the Corefile's SHA-512 every interval ± jitter
 * (from the {@code reload} directive in force; no checks without one) and reloads at once on SIGHUP. A changed
 * file is parsed and validated in full, then put in force by {@link Apply}; a file that fails keeps the running
 * configuration, logs the reason with file:line, and counts in {@code coredns_reload_failed_total}. A file that
 * failed is not tried again until its checksum changes (or SIGHUP), so a bad file is reported once.
 *
 * <p>Threads: one daemon thread ({@code reload}) does every check and apply, so reloads never overlap; the signal
 * handler only wakes it.
 */
final class Reloader implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger("plugin/reload");

  /** Puts a configuration in force, or says why it cannot be (the running one is then kept). */
  interface Apply {
    /** @return the reload schedule now in force (null: no {@code reload}, only SIGHUP) */
    ReloadSchedule apply(EffectiveConfig next) throws Exception;
  }

  /** Reads and validates the configuration files again (flags, Corefile, resolv.conf). */
  interface Resolve {
    EffectiveConfig resolve() throws Main.StartupException;
  }

  private final Path corefile;
  private final Resolve resolve;
  private final Apply apply;
  private final ReloadMetrics metrics;
  private final Thread thread;
  private final Object lock = new Object();
  private boolean hangup;
  private boolean closed;
  private volatile ReloadSchedule schedule;
  /** Checksum of the running Corefile, or of the last one that failed (so it is reported once). */
  private String seen;

  Reloader(Path corefile, EffectiveConfig running, Resolve resolve, Apply apply, ReloadMetrics metrics) {
    this.corefile = corefile;
    this.resolve = resolve;
    this.apply = apply;
    this.metrics = metrics;
    this.schedule = running.reload();
    this.seen = running.checksum();
    this.thread = new Thread(this::run, "reload");
    thread.setDaemon(true);
  }

  void start() {
    if (seen != null) {
      LOG.info("Running configuration SHA512 = " + seen);
    }
    thread.start();
  }

  /** SIGHUP: check and reload now, changed or not. */
  void hangup() {
    synchronized (lock) {
      hangup = true;
      lock.notifyAll();
    }
  }

  private void run() {
    while (true) {
      boolean forced;
      synchronized (lock) {
        long deadline = System.nanoTime() + delayNanos();
        while (!hangup && !closed) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            break;
          }
          try {
            lock.wait(Math.max(1, left / 1_000_000));
          } catch (InterruptedException e) {
            return;
          }
        }
        if (closed) {
          return;
        }
        forced = hangup;
        hangup = false;
      }
      check(forced);
    }
  }

  /** The wait before the next check: interval ± a random part of the jitter; "forever" without reload. */
  private long delayNanos() {
    ReloadSchedule s = schedule;
    if (s == null) {
      return Long.MAX_VALUE / 4;
    }
    long jitter = s.jitter().toNanos();
    long offset = jitter <= 0 ? 0 : ThreadLocalRandom.current().nextLong(-jitter, jitter + 1);
    return Math.max(1_000_000L, s.interval().toNanos() + offset);
  }

  /** One check: unchanged files are skipped unless forced (SIGHUP). */
  void check(boolean forced) {
    if (corefile == null) {
      if (forced) {
        LOG.info("SIGHUP received; no Corefile (--conf) to reload, the command line's configuration stays");
      }
      return;
    }
    String sum;
    try {
      sum = EffectiveConfig.sha512(Files.readAllBytes(corefile));
    } catch (IOException e) {
      if (forced || seen != null) {
        LOG.severe("Corefile " + corefile + " cannot be read: " + e.getMessage()
            + "; still serving the previous configuration");
        metrics.failed();
        seen = null;
      }
      return;
    }
    if (!forced && sum.equals(seen)) {
      return;
    }
    seen = sum;
    EffectiveConfig next;
    try {
      next = resolve.resolve();
      schedule = apply.apply(next);
    } catch (Exception e) {
      String why = e instanceof Main.StartupException || e instanceof java.net.BindException
          ? e.getMessage() : io.clusterdns.server.ops.LogFormat.describe(e);
      LOG.severe("Corefile changed but reload failed: " + why + "; still serving the previous configuration");
      metrics.failed();
      return;
    }
    metrics.running(next.checksum() == null ? sum : next.checksum());
    LOG.info("Reloaded configuration SHA512 = " + (next.checksum() == null ? sum : next.checksum())
        + (forced ? " (SIGHUP)" : ""));
  }

  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      lock.notifyAll();
    }
  }
}
