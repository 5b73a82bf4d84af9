package io.clusterdns.server;

import io.clusterdns.config.KubernetesConfig;
import io.clusterdns.index.SnapshotSource;
import io.clusterdns.server.net.DnsListener;
import io.clusterdns.server.net.EventLoops;
import io.clusterdns.server.query.QueryObserver;
import io.clusterdns.server.query.QueryPipeline;
import io.clusterdns.server.query.UpstreamPath;
import io.clusterdns.server.zone.ClusterZone;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import io.clusterdns.server.forward.LoopDetector;
import org.xbill.DNS.Name;

/**
 * One running DNS server: event loops, the query pipeline and its listeners. Built by {@link Main}, and by
 * tests that want a real server on loopback. Closing it stops the listeners, then the loops.
 */
public final class ClusterDnsServer implements AutoCloseable {
  private final EventLoops loops;
  private final QueryPipeline pipeline;
  private final UpstreamPath upstream;
  private final LoopDetector loopDetector = new LoopDetector(Name.root);
  private final List<DnsListener> listeners = new ArrayList<>();
  private final List<AutoCloseable> resources = new ArrayList<>();

  /**
   * @param upstreamFactory makes the forward path on this server's event loops; what it returns is closed
   *     with the server if it is {@link AutoCloseable}
   */
  public ClusterDnsServer(
      KubernetesConfig kubernetes,
      SnapshotSource snapshots,
      List<InetAddress> selfAddresses,
      Function<EventLoops, UpstreamPath> upstreamFactory,
      QueryObserver observer,
      int threads) {
    this(kubernetes, snapshots, selfAddresses, upstreamFactory, observer, threads, false);
  }

  /** @param loadbalance shuffle A/AAAA/MX records in answers (CoreDNS {@code loadbalance}) */
  public ClusterDnsServer(
      KubernetesConfig kubernetes,
      SnapshotSource snapshots,
      List<InetAddress> selfAddresses,
      Function<EventLoops, UpstreamPath> upstreamFactory,
      QueryObserver observer,
      int threads,
      boolean loadbalance) {
    this.loops = new EventLoops(threads);
    UpstreamPath upstream = upstreamFactory.apply(loops);
    if (upstream instanceof AutoCloseable c) {
      resources.add(c);
    }
    ClusterZone zone = new ClusterZone(kubernetes, snapshots, selfAddresses);
    this.upstream = upstream;
    this.pipeline = new QueryPipeline(zone, upstream, observer, loopDetector, loadbalance);
  }

  /** Binds UDP and TCP on each address; on any failure, everything bound so far is released. */
  public void listen(List<InetSocketAddress> addresses) throws IOException {
    try {
      for (InetSocketAddress a : addresses) {
        listeners.add(DnsListener.bind(loops, a, pipeline));
      }
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  /** Addresses actually bound, in the order given to {@link #listen}. */
  public List<InetSocketAddress> boundAddresses() {
    return listeners.stream().map(DnsListener::address).toList();
  }

  public QueryPipeline pipeline() {
    return pipeline;
  }

  /**
   * Starts the forwarding-loop check (behaviours.md 11.6): the probe goes out through this server's own
   * forward path; the future completes with true when it came back more than twice.
   */
  public CompletableFuture<Boolean> checkForwardingLoop(Duration timeout) {
    return loopDetector.check(q -> upstream.forward(q, false), timeout);
  }

  /** The loop detector's probe name and the upstreams, for the operator's message. */
  public LoopDetector loopDetector() {
    return loopDetector;
  }

  public EventLoops loops() {
    return loops;
  }

  /** Registers something to close with the server (a watch, an HTTP endpoint). */
  public void closeWith(AutoCloseable resource) {
    resources.add(resource);
  }

  @Override
  public void close() {
    for (DnsListener l : listeners) {
      l.close();
    }
    listeners.clear();
    for (AutoCloseable r : resources) {
      try {
        r.close();
      } catch (Exception ignored) {
        // best effort at shutdown
      }
    }
    resources.clear();
    loops.close();
  }
}
