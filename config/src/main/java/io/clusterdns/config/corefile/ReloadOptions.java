package io.clusterdns.config.corefile;

import java.time.Duration;

/**
 * Reads {@code reload [INTERVAL [JITTER]]} (CoreDNS's {@code plugin/reload/setup.go}).
 *
 * <p>Stateless.
 */
final class ReloadOptions {

  private ReloadOptions() {}

  static ReloadSchedule parse(Directive d) throws CorefileException {
    BlockContext.noBlock(d);
    BlockContext.args(d, 0, 2);
    Duration interval = d.args().isEmpty() ? ReloadSchedule.DEFAULT_INTERVAL
        : CorefileValues.duration(d.args().get(0), "reload interval", ReloadSchedule.MIN_INTERVAL);
    Duration jitter = d.args().size() < 2 ? ReloadSchedule.DEFAULT_JITTER
        : CorefileValues.duration(d.args().get(1), "reload jitter", ReloadSchedule.MIN_JITTER);
    if (jitter.compareTo(interval.dividedBy(2)) > 0) {
      // CoreDNS caps the jitter at half the interval so that checks never run back to back.
      jitter = interval.dividedBy(2);
    }
    return new ReloadSchedule(interval, jitter);
  }
}
