package io.clusterdns.server;

import io.clusterdns.config.CacheConfig;
import io.clusterdns.config.ForwardConfig;
import io.clusterdns.config.HostPort;
import io.clusterdns.server.cache.CacheMetrics;
import io.clusterdns.server.cache.CachingResolver;
import io.clusterdns.server.cache.ResponseCache;
import io.clusterdns.server.forward.ForwardMetrics;
import io.clusterdns.server.forward.ForwardRoutes;
import io.clusterdns.server.forward.Forwarder;
import io.clusterdns.server.net.EventLoops;
import io.clusterdns.server.query.UpstreamPath;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.xbill.DNS.Message;

/**
 * Builds the forward path from the options: {@code --upstream}, else the nameservers of resolv.conf, behind the
 * kubeadm cache ({@code cache 30}, cluster zone excluded; behaviours.md 11.4).
 */
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

  /**
   * The forward path on the server's event loops: cache, then the forwarder picked by zone.
   *
   * @param serverLabel CoreDNS's {@code server} label for the cache series ({@code dns://:53})
   */
  static Function<EventLoops, UpstreamPath> factory(
      ForwardConfig forward, CacheConfig cache, PrometheusRegistry registry, String serverLabel) {
    return loops -> {
      Forwarder f = new Forwarder(forward, loops.group(), ForwardMetrics.register(registry));
      ResponseCache c = new ResponseCache(cache, CacheMetrics.register(registry), serverLabel);
      return new ResolverPath(f, new CachingResolver(c, new ForwardRoutes(List.of(f))));
    };
  }

  /** Adapts the caching resolver to the pipeline's view of it, and closes the forwarder with the server. */
  record ResolverPath(Forwarder forwarder, CachingResolver resolver) implements UpstreamPath, AutoCloseable {
    @Override
    public CompletableFuture<Message> forward(Message query, boolean tcp) {
      return resolver.resolve(query, tcp);
    }

    @Override
    public void close() {
      forwarder.close();
    }
  }
}
