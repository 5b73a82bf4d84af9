package io.clusterdns.config.corefile;

import java.util.List;

/**
 * Reads {@code bind ADDRESS... { except ... }} (CoreDNS's {@code plugin/bind/setup.go}) into the addresses to add.
 *
 * <p>Stateless.
 */
final class BindOptions {

  private BindOptions() {}

  static void parse(Directive d, BlockContext ctx, List<String> bind) throws CorefileException {
    BlockContext.args(d, 1, Integer.MAX_VALUE);
    for (Token a : d.args()) {
      String host = a.text();
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      if (!bind.contains(host)) {
        bind.add(host);
      }
    }
    for (Directive o : d.block()) {
      if (!o.text().equals("except")) {
        throw BlockContext.unknownProperty(o, "bind");
      }
      BlockContext.property(o, 1, Integer.MAX_VALUE);
      ctx.warn(o.name(), "bind option 'except' is accepted but not acted on: only the listed addresses "
          + "are bound");
    }
  }
}
