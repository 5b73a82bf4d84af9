package io.clusterdns.config.corefile;

import io.clusterdns.config.HostPort;
import java.nio.file.Path;

/** One {@code TO} of {@code forward FROM TO...}: an upstream address, or a resolv.conf-style file. */
public sealed interface ForwardTarget {

  /** {@code IP}, {@code IP:PORT}, {@code [V6]:PORT}, optionally with {@code dns://}; port 53 by default. */
  record Address(HostPort address) implements ForwardTarget {}

  /**
   * A file whose {@code nameserver} lines are the upstreams ({@code /etc/resolv.conf}). It is read by the
   * caller at start-up ({@link io.clusterdns.config.ForwardConfig#readResolvConf}), not by the parser, so
   * a Corefile can be checked on a machine without that file.
   */
  record ResolvConf(Path path) implements ForwardTarget {}
}
