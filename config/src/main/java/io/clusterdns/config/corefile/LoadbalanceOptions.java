package io.clusterdns.config.corefile;

/**
 * Reads {@code loadbalance [round_robin]} (CoreDNS's {@code plugin/loadbalance/setup.go}).
 *
 * <p>Stateless.
 */
final class LoadbalanceOptions {

  private LoadbalanceOptions() {}

  static void parse(Directive d) throws CorefileException {
    if (!d.args().isEmpty() && !d.arg(0).equals("round_robin")) {
      Token a = d.args().get(0);
      if (a.text().equals("weighted") || a.text().equals("prefer")) {
        throw CorefileException.at(a, "loadbalance policy '" + a.text() + "' is not supported by clusterdns "
            + "yet: answers would be ordered differently");
      }
      throw CorefileException.at(a, "unknown loadbalance policy '" + a.text() + "' (expected round_robin)");
    }
    BlockContext.noBlock(d);
    BlockContext.args(d, 0, 1);
  }
}
