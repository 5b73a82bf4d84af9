package io.clusterdns.server;

import io.clusterdns.config.KubernetesConfig;
import io.clusterdns.config.corefile.AutopathPlugin;
import io.clusterdns.index.SnapshotSource;
import io.clusterdns.server.net.DnsListener;
import io.clusterdns.server.net.EventLoops;
import io.clusterdns.server.net.TcpConnections;
import io.clusterdns.server.net.TcpLimits;
import io.clusterdns.server.query.AccessControl;
import io.clusterdns.server.query.Autopath;
import io.clusterdns.server.query.LivePipeline;
import io.clusterdns.server.query.QueryLog;
import io.clusterdns.server.query.QueryObserver;
import io.clusterdns.server.query.QueryPipeline;
import io.clusterdns.server.query.Stages;
import io.clusterdns.server.query.ResponseRateLimiter;
import io.clusterdns.server.query.Router;
import io.clusterdns.server.query.UpstreamPath;
import io.clusterdns.server.zone.ClusterZone;
import io.clusterdns.server.zone.SearchList;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import io.clusterdns.server.forward.LoopDetector;
import org.xbill.DNS.Name;

/**
 * One running DNS server: event loops, the query pipeline and its listeners. Built by {@link Main}, and by
 * tests that want a real server on loopback. Closing it stops the listeners, then the loops.
 *
 * <p>A reload ({@link #reconfigure}, {@link #rebind}) builds a complete new pipeline (zone settings, forwarders,
 * caches) beside the running one and puts it in force with one reference swap ({@link LivePipeline}); the
 * replaced forwarders are closed {@link #RETIRE_DELAY} later, after every query already sent to them has had its
 * whole time budget. Listeners are kept, so no socket closes and no query is lost; only addresses that the new
 * configuration drops or adds are unbound or bound. Reconfiguring is for one thread at a time (the reload thread).
 */
public final class ClusterDnsServer implements AutoCloseable {
  /**
   * How long a replaced forward path stays open after a reload, seconds: longer than the forwarder's whole
   * per-query budget (5 s by default), so replies to queries sent before the swap still arrive.
   */
  static final long RETIRE_DELAY = 15;

  private final EventLoops loops;
  private final LivePipeline live;
  private final SnapshotSource snapshots;
  private final List<InetAddress> selfAddresses;
  private volatile UpstreamPath upstream;
  private final LoopDetector loopDetector = new LoopDetector(Name.root);
  /** Listeners by the address asked for (the bound port differs when 0 was asked). */
  private final Map<InetSocketAddress, DnsListener> listeners = new LinkedHashMap<>();
  private final List<AutoCloseable> resources = new ArrayList<>();
  /** TCP limits and open connections, shared by every listener (the limits are process-wide). */
  private TcpConnections tcp = new TcpConnections(TcpLimits.DEFAULTS);
  /** The running forward path and observer when they need closing, and those replaced but not yet closed. */
  private final List<AutoCloseable> generation = new ArrayList<>();
  private final List<AutoCloseable> retired = new ArrayList<>();

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
    this(kubernetes, snapshots, selfAddresses, upstreamFactory, observer, threads, loadbalance,
        Plugins.NONE, null);
  }

  /**
   * The plugins that answer or rewrite before the cluster zone.
   *
   * @param blocks every server block's {@code rewrite}, {@code acl}, {@code template} and {@code hosts}, which
   *     only see the queries routed to their block; empty for none
   * @param aclMetrics where the acl counts (the process's one set of series, kept across reloads)
   * @param search namespaces whose pods' search list short names are expanded with (the dev command's
   *     {@code --search}); empty for none, which keeps the search off the query path
   * @param others further clusters, each under its own zone; empty for none (the server)
   * @param autopath the Corefile's {@code autopath @kubernetes} (issue 22), or null when off (the default)
   * @param autopathSuccess counts a query answered by an autopath walk (the process's one series, kept across
   *     reloads)
   */
  public record Plugins(List<Router.Block> blocks, AccessControl.Counters aclMetrics, List<String> search,
      List<OtherCluster> others, AutopathPlugin autopath, Runnable autopathSuccess) {
    public static final Plugins NONE = new Plugins(List.of(), AccessControl.Counters.NONE, List.of(), List.of());

    public Plugins {
      blocks = List.copyOf(blocks);
      search = List.copyOf(search);
      others = List.copyOf(others);
    }

    /** Without autopath. */
    public Plugins(List<Router.Block> blocks, AccessControl.Counters aclMetrics, List<String> search,
        List<OtherCluster> others) {
      this(blocks, aclMetrics, search, others, null, () -> { });
    }
  }

  /**
   * A further cluster served beside the first (the dev command's second and later {@code --context}): its own
   * zone, answered from its own watch.
   *
   * @param kubernetes its zone (one, no reverse zones: PTR stays with the first cluster), pods mode and TTL
   */
  public record OtherCluster(KubernetesConfig kubernetes, SnapshotSource snapshots) {}

  /**
   * @param plugins the server blocks' rewrite, acl, template and hosts, and the dev command's search and clusters
   * @param rrl response rate limiting of UDP replies for the life of the server, or null for none
   */
  public ClusterDnsServer(
      KubernetesConfig kubernetes,
      SnapshotSource snapshots,
      List<InetAddress> selfAddresses,
      Function<EventLoops, UpstreamPath> upstreamFactory,
      QueryObserver observer,
      int threads,
      boolean loadbalance,
      Plugins plugins,
      ResponseRateLimiter rrl) {
    this.loops = new EventLoops(threads);
    this.snapshots = snapshots;
    this.selfAddresses = List.copyOf(selfAddresses);
    Prepared first = build(kubernetes, upstreamFactory, observer, loadbalance, null, plugins);
    synchronized (generation) {
      generation.addAll(first.owned);
    }
    this.upstream = first.upstream;
    this.live = new LivePipeline(first.pipeline, rrl);
  }

  /**
   * A configuration built and not yet in force: a reload's first step, which a later failure (a listener that
   * cannot be bound) can still discard without touching what serves.
   */
  public static final class Prepared {
    private final QueryPipeline pipeline;
    private final List<AutoCloseable> owned;
    private final UpstreamPath upstream;
    private final QueryLog log;

    private Prepared(QueryPipeline pipeline, List<AutoCloseable> owned, UpstreamPath upstream, QueryLog log) {
      this.pipeline = pipeline;
      this.owned = owned;
      this.upstream = upstream;
      this.log = log;
    }
  }

  /**
   * A pipeline of one configuration, its forward path made on this server's loops. Nothing serving changes; on
   * a failure, what it made so far is closed.
   */
  private Prepared build(KubernetesConfig kubernetes, Function<EventLoops, UpstreamPath> upstreamFactory,
      QueryObserver observer, boolean loadbalance, QueryLog log, Plugins plugins) {
    UpstreamPath next = upstreamFactory.apply(loops);
    List<AutoCloseable> owned = new ArrayList<>();
    if (next instanceof AutoCloseable c) {
      owned.add(c);
    }
    if (observer instanceof AutoCloseable c) {
      owned.add(c);
    }
    try {
      Router router = Router.of(plugins.blocks(), plugins.aclMetrics(), owned);
      ClusterZone zone = new ClusterZone(kubernetes, snapshots, selfAddresses);
      SearchList search = plugins.search().isEmpty() ? null
          : new SearchList(plugins.search(), kubernetes.clusterDomain(), kubernetes.ttl(), zone);
      List<ClusterZone> others = new ArrayList<>();
      for (OtherCluster o : plugins.others()) {
        others.add(new ClusterZone(o.kubernetes(), o.snapshots(), selfAddresses));
      }
      AutopathPlugin ap = plugins.autopath();
      Autopath autopath = ap == null ? null : new Autopath(zone, ap.zones(), ap.searchDomains(),
          plugins.autopathSuccess());
      QueryPipeline p = new QueryPipeline(zone, next, observer, loopDetector, loadbalance,
          new Stages(router, search, others, autopath));
      return new Prepared(p, owned, next, log);
    } catch (RuntimeException e) {
      closeAll(owned);
      throw e;
    }
  }

  /**
   * Builds a new configuration (a reload's first step) without putting it in force: a new cluster zone view
   * (zones, TTL, pods mode, fallthrough), forward path (forwarders and answer cache), observer, query log and
   * plugins. {@link #commit} puts it in force, {@link #discard} drops it.
   *
   * @param log the query log, or null for none
   * @param plugins the server blocks' rewrite, acl, template and hosts, and the dev command's search and clusters
   */
  public Prepared prepare(KubernetesConfig kubernetes, Function<EventLoops, UpstreamPath> upstreamFactory,
      QueryObserver observer, boolean loadbalance, QueryLog log, Plugins plugins) {
    return build(kubernetes, upstreamFactory, observer, loadbalance, log, plugins);
  }

  /**
   * Puts a prepared configuration in force with one reference swap (pipeline and query log together): queries
   * in flight finish on the old one, whose forward path and observer are closed {@link #RETIRE_DELAY} s later.
   * Called by one thread at a time (the reload).
   */
  public void commit(Prepared next) {
    List<AutoCloseable> old;
    synchronized (generation) {
      retired.addAll(generation);
      generation.clear();
      generation.addAll(next.owned);
      old = new ArrayList<>(retired);
    }
    this.upstream = next.upstream;
    live.swap(next.pipeline, next.log);
    loops.group().schedule(() -> closeRetired(old), RETIRE_DELAY, TimeUnit.SECONDS);
  }

  /** Drops a prepared configuration that will not be put in force, closing what it made. */
  public void discard(Prepared unused) {
    closeAll(unused.owned);
  }

  /** {@link #prepare} and {@link #commit} in one step (nothing can fail between them). */
  public void reconfigure(KubernetesConfig kubernetes, Function<EventLoops, UpstreamPath> upstreamFactory,
      QueryObserver observer, boolean loadbalance, QueryLog log, Plugins plugins) {
    commit(prepare(kubernetes, upstreamFactory, observer, loadbalance, log, plugins));
  }

  /** Sets the query log ({@code log}); null turns it off. */
  public void queryLog(QueryLog log) {
    live.log(log);
  }

  private void closeRetired(List<AutoCloseable> old) {
    synchronized (generation) {
      retired.removeAll(old);
    }
    closeAll(old);
  }

  /** Sets the TCP limits (default {@link TcpLimits#DEFAULTS}); before {@link #listen}, since listeners keep theirs. */
  public synchronized void tcpLimits(TcpLimits limits) {
    if (!listeners.isEmpty()) {
      throw new IllegalStateException("TCP limits are set before the listeners are bound");
    }
    tcp = new TcpConnections(limits);
  }

  /** The TCP limits in force and the counts of connections open and refused. */
  public synchronized TcpConnections tcpConnections() {
    return tcp;
  }

  /** Binds UDP and TCP on each address; on any failure, everything bound so far is released. */
  public synchronized void listen(List<InetSocketAddress> addresses) throws IOException {
    try {
      for (InetSocketAddress a : addresses) {
        listeners.put(a, DnsListener.bind(loops, a, live, tcp));
      }
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  /**
   * Listens on exactly {@code addresses} (a reload that changed them): new addresses are bound first, and if
   * one cannot be, those just bound are released and the old set is kept (the exception says why); then
   * addresses no longer wanted are unbound. Listeners on unchanged addresses stay as they are.
   */
  public synchronized void rebind(List<InetSocketAddress> addresses) throws IOException {
    Map<InetSocketAddress, DnsListener> added = new LinkedHashMap<>();
    try {
      for (InetSocketAddress a : addresses) {
        if (!listeners.containsKey(a) && !added.containsKey(a)) {
          added.put(a, DnsListener.bind(loops, a, live, tcp));
        }
      }
    } catch (IOException | RuntimeException e) {
      added.values().forEach(DnsListener::close);
      throw e;
    }
    List<InetSocketAddress> gone = new ArrayList<>(listeners.keySet());
    gone.removeAll(addresses);
    for (InetSocketAddress a : gone) {
      listeners.remove(a).close();
    }
    listeners.putAll(added);
  }

  /** Addresses actually bound, in the order given to {@link #listen}. */
  public synchronized List<InetSocketAddress> boundAddresses() {
    return listeners.values().stream().map(DnsListener::address).toList();
  }

  /** The pipeline in force, and the counters of every pipeline this server ran. */
  public LivePipeline pipeline() {
    return live;
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
    synchronized (this) {
      for (DnsListener l : listeners.values()) {
        l.close();
      }
      listeners.clear();
    }
    List<AutoCloseable> all = new ArrayList<>();
    synchronized (generation) {
      all.addAll(generation);
      all.addAll(retired);
      generation.clear();
      retired.clear();
    }
    all.addAll(resources);
    resources.clear();
    closeAll(all);
    loops.close();
  }

  private static void closeAll(List<AutoCloseable> list) {
    for (AutoCloseable r : list) {
      try {
        r.close();
      } catch (Exception ignored) {
        // best effort at shutdown
      }
    }
  }
}
