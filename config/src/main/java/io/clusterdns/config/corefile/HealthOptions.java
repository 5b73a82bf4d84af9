package io.clusterdns.config.corefile;

import io.clusterdns.config.HostPort;
import java.time.Duration;

/**
 * Reads {@code health [ADDRESS] { lameduck DURATION }} (CoreDNS's {@code plugin/health/setup.go}).
 *
 * <p>Stateless.
 */
final class HealthOptions {

  private HealthOptions() {}

  static HealthEndpoint parse(Directive d) throws CorefileException {
    BlockContext.args(d, 0, 1);
    HostPort addr = d.args().isEmpty() ? HealthEndpoint.DEFAULT_ADDRESS
        : CorefileValues.listenAddress(d.args().get(0), "health");
    Duration lameduck = Duration.ZERO;
    for (Directive o : d.block()) {
      if (!o.text().equals("lameduck")) {
        throw BlockContext.unknownProperty(o, "health");
      }
      BlockContext.property(o, 1, 1);
      lameduck = CorefileValues.duration(o.args().get(0), "lameduck", Duration.ZERO);
    }
    return new HealthEndpoint(addr, lameduck);
  }
}
