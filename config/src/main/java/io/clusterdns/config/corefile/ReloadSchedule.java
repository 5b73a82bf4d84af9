package io.clusterdns.config.corefile;

import java.time.Duration;

/**
 * {@code reload [INTERVAL [JITTER]]}: how often the Corefile is checked for changes (behaviours.md 11.7).
 * Each check waits {@code interval} plus or minus a random part of {@code jitter}.
 */
public record ReloadSchedule(Duration interval, Duration jitter) {

  /** CoreDNS's default interval. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);

  /** CoreDNS's default jitter. */
  public static final Duration DEFAULT_JITTER = Duration.ofSeconds(15);

  /** Shortest interval CoreDNS accepts. */
  public static final Duration MIN_INTERVAL = Duration.ofSeconds(2);

  /** Shortest jitter CoreDNS accepts. */
  public static final Duration MIN_JITTER = Duration.ofSeconds(1);
}
