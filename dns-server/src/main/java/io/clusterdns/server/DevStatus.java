package io.clusterdns.server;

import io.clusterdns.config.HostPort;
import io.clusterdns.index.ClusterSnapshot;
import io.clusterdns.index.NamespaceView;
import io.clusterdns.k8s.WatchListener;
import io.clusterdns.k8s.WatchedCluster;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code dev} command's status on standard output (issue 21; log lines stay on standard error): a block of a
 * few lines (context, API server, what is watched, listening address, the {@code dig} line to try) printed on
 * start and whenever it changes, a progress line while the first sync runs, and the API server's problem as the
 * {@code ApiServerProbe} names it (refused, timeout, TLS, 401, 403) within seconds, then its recovery.
 *
 * <p>Threads: the watch listener's calls come from the starting thread and the API server probe; one daemon
 * thread ({@code dev-status}) polls the watch every {@value #POLL_MILLIS} ms. Printing and the state it prints
 * are guarded by {@code this}.
 */
final class DevStatus implements StartupHooks, WatchListener {
  /** How often the status thread looks at the watch, milliseconds. */
  static final long POLL_MILLIS = 500;

  /** Interval of the progress line during the first sync, milliseconds. */
  static final long PROGRESS_MILLIS = 2_000;

  /** How long a synced watch may lack an open connection before the API server is probed again, milliseconds. */
  static final long RECHECK_AFTER_MILLIS = 3_000;

  /** Least interval between two blocks that only show changed counts, milliseconds (a busy cluster changes often). */
  static final long COUNTS_EVERY_MILLIS = 10_000;

  private final PrintStream out;
  private final Path kubeconfig;
  private final List<String> search;

  // guarded by this
  private WatchedCluster cluster;
  private String problem;
  private boolean synced;
  private boolean watchLost;
  private long notWatchingSince = -1;
  private long startedAt;
  private long lastProgress;
  private long lastCountsPrint;
  private int namespaces = -1;
  private int services = -1;
  private String listening;
  private String digLine;
  private String upstreams;
  private String endpoints;
  private String zone = "cluster.local";
  private final List<OtherStatus> others = new ArrayList<>();

  DevStatus(PrintStream out, Path kubeconfig, List<String> search) {
    this.out = out;
    this.kubeconfig = kubeconfig;
    this.search = List.copyOf(search);
  }

  @Override
  public WatchListener watchListener() {
    return this;
  }

  @Override
  public synchronized WatchListener watchListener(String context, String otherZone) {
    OtherStatus s = new OtherStatus(context, trimDot(otherZone));
    others.add(s);
    return s;
  }

  /** What the status knows of a further cluster ({@code --context} after the first). Guarded by the status. */
  private final class OtherStatus implements WatchListener {
    final String context;
    final String zone;
    WatchedCluster cluster;
    String problem;
    boolean synced;

    OtherStatus(String context, String zone) {
      this.context = context;
      this.zone = zone;
    }

    @Override
    public void started(WatchedCluster c) {
      synchronized (DevStatus.this) {
        cluster = c;
        out.println("[" + context + "] first sync with the API server at " + c.apiServer() + " (served under "
            + zone + ") ...");
        out.flush();
      }
    }

    @Override
    public void apiProblem(String line) {
      synchronized (DevStatus.this) {
        problem = line;
        out.println("[" + context + "] API server problem: " + line + "; retrying with backoff");
        printBlock();
      }
    }

    @Override
    public void apiUsable(boolean recovered) {
      synchronized (DevStatus.this) {
        if (recovered) {
          out.println("[" + context + "] recovered: the API server" + (cluster == null ? ""
              : " at " + cluster.apiServer()) + " answers the watch's requests again");
        }
        problem = null;
        printBlock();
      }
    }

    String describe() {
      String where = "context " + context + (cluster == null ? "" : ", API server " + cluster.apiServer());
      if (problem != null) {
        return where + ": API server NOT USABLE: " + problem + "; retrying with backoff";
      }
      if (cluster == null || !cluster.synced()) {
        return where + ": first sync running";
      }
      ClusterSnapshot snap = cluster.snapshots().current();
      int svc = 0;
      for (NamespaceView v : snap.namespaces().values()) {
        svc += v.services().size();
      }
      return where + ": synced, watching " + snap.namespaces().size() + " namespaces, " + svc + " services";
    }
  }

  // ------------------------------------------------------------------------------------------- watch events

  @Override
  public synchronized void started(WatchedCluster c) {
    cluster = c;
    startedAt = System.nanoTime();
    lastProgress = startedAt;
    out.println("clusterdns dev: context " + c.context() + ", API server " + c.apiServer() + " (kubeconfig "
        + kubeconfig + ")");
    out.println("first sync with the API server at " + c.apiServer() + " ...");
    out.flush();
    Thread t = new Thread(this::poll, "dev-status");
    t.setDaemon(true);
    t.start();
  }

  @Override
  public synchronized void apiProblem(String line) {
    problem = line;
    out.println("API server problem: " + line + "; retrying with backoff"
        + (synced ? " (the last data keeps serving)" : " (cluster names answer SERVFAIL until the first sync)"));
    printBlock();
  }

  @Override
  public synchronized void apiUsable(boolean recovered) {
    if (recovered) {
      out.println("recovered: the API server" + (cluster == null ? "" : " at " + cluster.apiServer())
          + " answers the watch's requests again");
    }
    problem = null;
    printBlock();
  }

  @Override
  public synchronized void serving(EffectiveConfig config, List<InetSocketAddress> bound) {
    zone = trimDot(config.kubernetes().clusterDomain());
    List<String> addrs = new ArrayList<>();
    for (InetSocketAddress a : bound) {
      addrs.add(hostPort(a.getAddress().getHostAddress(), a.getPort()));
    }
    listening = "udp+tcp " + String.join(", ", addrs);
    InetSocketAddress first = bound.get(0);
    String host = ResolverConfig.reachable(first.getAddress().getHostAddress());
    digLine = "dig @" + host + (first.getPort() == 53 ? "" : " -p " + first.getPort())
        + " kubernetes.default.svc." + zone;
    upstreams = String.join(", ", config.forwards().stream().flatMap(f -> f.upstreams().stream())
        .map(HostPort::toString).toList()) + " for every other name" + (config.cache() == null ? "" : "; cached");
    List<String> http = new ArrayList<>();
    if (config.health() != null) {
      http.add("health " + config.health());
    }
    if (config.ready() != null) {
      http.add("ready " + config.ready());
    }
    if (config.metrics() != null) {
      http.add("metrics " + config.metrics());
    }
    endpoints = http.isEmpty() ? "no health/ready/metrics port" : String.join(", ", http);
    if (!synced && cluster != null && cluster.synced()) {
      // The server listens once the first sync is done: the block says so rather than wait for the next tick.
      synced = true;
      takeCounts(cluster.snapshots().current(), System.nanoTime());
    }
    printBlock();
  }

  // ------------------------------------------------------------------------------------------- polling

  private void poll() {
    while (!Thread.currentThread().isInterrupted()) {
      try {
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
      try {
        tick(System.nanoTime());
      } catch (RuntimeException e) {
        out.println("status: " + e); // a status bug must not end the resolver
      }
    }
  }

  private synchronized void tick(long now) {
    boolean otherSynced = false;
    for (OtherStatus o : others) {
      if (!o.synced && o.cluster != null && o.cluster.synced()) {
        o.synced = true;
        otherSynced = true;
      }
    }
    if (otherSynced && listening != null) {
      printBlock();
    }
    WatchedCluster c = cluster;
    if (!c.synced()) {
      if (problem == null && now - lastProgress >= PROGRESS_MILLIS * 1_000_000) {
        lastProgress = now;
        out.println("first sync: " + c.changesReceived() + " objects received so far ("
            + (now - startedAt) / 1_000_000_000 + " s)");
        out.flush();
      }
      return;
    }
    boolean changed = !synced;
    synced = true;
    ClusterSnapshot snap = c.snapshots().current();
    int ns = snap.namespaces().size();
    int svc = 0;
    for (NamespaceView v : snap.namespaces().values()) {
      svc += v.services().size();
    }
    if ((ns != namespaces || svc != services) && now - lastCountsPrint >= COUNTS_EVERY_MILLIS * 1_000_000) {
      changed = true;
    }
    if (c.watching()) {
      notWatchingSince = -1;
      if (watchLost) {
        watchLost = false;
        out.println("the watch of the API server at " + c.apiServer() + " is connected again");
        changed = true;
      }
    } else if (notWatchingSince < 0) {
      notWatchingSince = now;
    } else if (!watchLost && now - notWatchingSince >= RECHECK_AFTER_MILLIS * 1_000_000) {
      watchLost = true;
      out.println("the watch of the API server at " + c.apiServer() + " lost its connection; reconnecting "
          + "(the last data keeps serving)");
      c.recheck(); // names the cause, if it is one the probe knows
      changed = true;
    }
    if (changed) {
      takeCounts(snap, now);
      printBlock();
    }
  }

  private void takeCounts(ClusterSnapshot snap, long now) {
    int svc = 0;
    for (NamespaceView v : snap.namespaces().values()) {
      svc += v.services().size();
    }
    namespaces = snap.namespaces().size();
    services = svc;
    lastCountsPrint = now;
  }

  // ------------------------------------------------------------------------------------------- rendering

  /** The status block; printed whole, so the last block on screen is the current state. */
  private void printBlock() {
    List<String> lines = new ArrayList<>();
    lines.add("---- clusterdns dev status at " + Instant.now().truncatedTo(ChronoUnit.SECONDS) + " ----");
    if (cluster != null) {
      lines.add(row("context", cluster.context() + " (kubeconfig " + kubeconfig + ")"));
      lines.add(row("API server", cluster.apiServer()));
    }
    lines.add(row("state", state()));
    lines.add(row("zone", zone + " from the watch" + (search.isEmpty() ? "; short names: off (--search NS)"
        : "; short names searched in " + String.join(", ", search) + ", then svc." + zone + ", " + zone)));
    for (OtherStatus o : others) {
      lines.add(row("also", o.zone + " from " + o.describe()));
    }
    if (listening != null) {
      lines.add(row("upstream", upstreams));
      lines.add(row("listening", listening + "; " + endpoints));
      lines.add(row("try", digLine));
      for (OtherStatus o : others) {
        lines.add(row("", digLine.replace("kubernetes.default.svc." + zone, "kubernetes.default.svc." + o.zone)));
      }
    } else {
      lines.add(row("listening", "not yet: waiting for the first sync (at most the start-up timeout, 5 s)"));
    }
    for (String l : lines) {
      out.println(l);
    }
    out.flush();
  }

  private String state() {
    if (problem != null) {
      return "API server NOT USABLE: " + problem + "; retrying with backoff"
          + (synced ? " (the last data keeps serving)" : " (cluster names answer SERVFAIL until the first sync)");
    }
    if (!synced) {
      return "first sync running";
    }
    String counts = "synced, watching " + namespaces + " namespaces, " + services + " services";
    return watchLost ? counts + "; watch reconnecting (the last data keeps serving)" : counts;
  }

  private static String row(String name, String value) {
    return String.format("  %-11s %s", name, value);
  }

  private static String hostPort(String host, int port) {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  private static String trimDot(String zone) {
    return zone.endsWith(".") ? zone.substring(0, zone.length() - 1) : zone;
  }
}
