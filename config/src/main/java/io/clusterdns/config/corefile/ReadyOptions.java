package io.clusterdns.config.corefile;

import io.clusterdns.config.HostPort;

/**
 * Reads {@code ready [ADDRESS] { monitor until-ready|continuously }} (CoreDNS's {@code plugin/ready/setup.go}).
 *
 * <p>Stateless.
 */
final class ReadyOptions {

  private ReadyOptions() {}

  static HostPort parse(Directive d, BlockContext ctx) throws CorefileException {
    BlockContext.args(d, 0, 1);
    HostPort ready = d.args().isEmpty() ? ServerBlock.DEFAULT_READY
        : CorefileValues.listenAddress(d.args().get(0), "ready");
    for (Directive o : d.block()) {
      if (!o.text().equals("monitor")) {
        throw BlockContext.unknownProperty(o, "ready");
      }
      BlockContext.property(o, 1, 1);
      switch (o.arg(0)) {
        case "until-ready" -> { }
        case "continuously" -> ctx.warn(o.name(), "ready option 'monitor continuously' is accepted but not "
            + "acted on: once ready, /ready stays ready until shutdown");
        default -> throw CorefileException.at(o.args().get(0), "monitor takes until-ready or continuously, "
            + "not '" + o.arg(0) + "'");
      }
    }
    return ready;
  }
}
