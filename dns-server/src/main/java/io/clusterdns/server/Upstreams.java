package io.clusterdns.server;

import io.clusterdns.config.ForwardConfig;
import io.clusterdns.config.HostPort;
import io.clusterdns.server.forward.Forwarder;
import io.clusterdns.server.net.EventLoops;
import io.clusterdns.server.query.UpstreamPath;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/** Builds the forward path from the options: {@code --upstream}, else the nameservers of resolv.conf. */
final class Upstreams {
  /** Where the default upstreams come from (CoreDNS {@code forward . /etc/resolv.conf}). */
  static final Path RESOLV_CONF = Path.of("/etc/resolv.conf");

  private Upstreams() {}

  static ForwardConfig config(ServerOptions o) throws Main.StartupException {
    List<HostPort> upstreams = o.upstream;
    if (upstreams.isEmpty()) {
      try {
        upstreams = ForwardConfig.readResolvConf(RESOLV_CONF);
      } catch (IOException | IllegalArgumentException e) {
        throw new Main.StartupException("no --upstream given and " + RESOLV_CONF + " has no usable nameserver: "
            + e.getMessage());
      }
    }
    try {
      return ForwardConfig.defaults(upstreams);
    } catch (IllegalArgumentException e) {
      throw new Main.StartupException("--upstream: " + e.getMessage());
    }
  }

  static Function<EventLoops, UpstreamPath> factory(ForwardConfig config) {
    return loops -> {
      Forwarder f = new Forwarder(config, loops.group());
      return new ForwarderPath(f);
    };
  }

  /** Adapts the forwarder to the pipeline's view of it, and closes it with the server. */
  private record ForwarderPath(Forwarder forwarder) implements UpstreamPath, AutoCloseable {
    @Override
    public java.util.concurrent.CompletableFuture<org.xbill.DNS.Message> forward(
        org.xbill.DNS.Message query, boolean tcp) {
      return forwarder.forward(query, tcp);
    }

    @Override
    public void close() {
      forwarder.close();
    }
  }
}
