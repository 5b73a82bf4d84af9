package io.clusterdns.config.corefile;

import io.clusterdns.config.HostPort;
import java.time.Duration;

/**
 * {@code health [ADDRESS] { lameduck DURATION }}: where {@code GET /health} is served and how long DNS
 * keeps answering after SIGTERM (behaviours.md 13.1, 13.2).
 *
 * @param address listen address; {@code :8080} by default
 * @param lameduck serving time after SIGTERM, zero without {@code lameduck}
 */
public record HealthEndpoint(HostPort address, Duration lameduck) {

  /** CoreDNS's health address. */
  public static final HostPort DEFAULT_ADDRESS = new HostPort("", 8080);
}
