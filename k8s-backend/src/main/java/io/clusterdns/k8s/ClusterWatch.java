package io.clusterdns.k8s;

import io.clusterdns.config.WatchConfig;
import io.clusterdns.index.ClusterSnapshot;
import io.clusterdns.index.ClusterState;
import io.clusterdns.index.EndpointSliceInfo;
import io.clusterdns.index.NamespaceInfo;
import io.clusterdns.index.NamespaceView;
import io.clusterdns.index.PodInfo;
import io.clusterdns.index.ServiceInfo;
import io.clusterdns.index.ServiceKind;
import io.clusterdns.index.ServiceView;
import io.clusterdns.index.SnapshotPublisher;
import io.clusterdns.index.SnapshotSource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.dsl.FilterWatchListDeletable;
import io.fabric8.kubernetes.client.dsl.Watchable;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Follows the API server with one {@link ListWatch} per kind and keeps a {@link SnapshotPublisher} current.
 *
 * <p>Design notes.
 * <ul>
 *   <li><b>Threads.</b> Each kind's list thread and watch thread run its {@link Handler}: list pages arrive
 *       as slim records, watch events are converted at once with {@link SlimConverter}; either way they become
 *       {@link Change}s on one queue; nothing else. A single indexer thread ({@code clusterdns-indexer}) owns
 *       the {@link ClusterState}: it drains the queue in batches, applies them, builds the next snapshot and
 *       publishes it with one atomic swap. Query threads only read published snapshots.
 *   <li><b>Memory.</b> No fabric8 object outlives its event and there is no informer store: lists are paged
 *       ({@value ListWatch#PAGE} items) and read straight into slim records, so the only copy of the cluster
 *       is the slim records in the {@link ClusterState}.
 *   <li><b>Publishing.</b> Only when a DNS-relevant field changed ({@link ClusterState} compares slim
 *       records). Builds are paced: after a build that took T, the next waits at least T while more events
 *       queue up, so a burst of 10,000 changes costs a few large builds, not 10,000 small ones, and the
 *       indexer spends at most about half its time building. Nothing is published before the first sync.
 *   <li><b>Sync.</b> Synced once every kind has delivered its first complete list ({@link Listed}), started
 *       its watch ({@link Watching}) and
 *       the indexer has applied and published it; then {@link SnapshotPublisher#markSynced()} (CoreDNS
 *       HasSynced, behaviours.md 9.7). Until then queries see {@link SnapshotSource#synced()} false and answer
 *       SERVFAIL, never NXDOMAIN. {@link #awaitStartup()} bounds how long start-up waits (13.4).
 *   <li><b>Faults.</b> API server unreachable or watch closed: the list-watch retries (fabric8 resumes
 *       dropped watches) and the last snapshot keeps serving. 410 Gone / expired version: it relists; listed
 *       objects that are unchanged change nothing (the state compares slim records) and those the list no
 *       longer has are removed when it ends ({@link Listed}), so a relist is applied as a diff and never
 *       builds a second copy of the state. The data-age gauge shows how long the data has not been known
 *       current.
 *   <li><b>Filters.</b> {@code namespaces}: objects of other namespaces are dropped in the handler.
 *       {@code namespace_labels}: a label selector on the Namespace list and watch, so a namespace that stops
 *       matching is deleted and its names vanish. {@code labels}: a selector on Services and EndpointSlices.
 * </ul>
 */
public final class ClusterWatch implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ClusterWatch.class.getName());

  /**
   * Changes in flight at most. Lists can produce records faster than a busy machine lets the indexer apply
   * them; a full queue makes the list (or watch) thread wait rather than hold an unbounded backlog of records
   * in memory. (At 100k the queue rarely filled: the bound made no difference to RSS that the runs could
   * show, RESULTS.md issue 17; it is there for a slower indexer.)
   */
  private static final int QUEUE_CAPACITY = 2_048;

  /** Most changes applied per batch before a build is considered. */
  private static final int MAX_BATCH = 10_000;

  /** How often the indexer wakes without events, to refresh the data age; milliseconds. */
  private static final long IDLE_WAKE_MILLIS = 500;

  /** Minimum interval between two warnings about the same kind's failures; milliseconds. */
  private static final long WARN_INTERVAL_MILLIS = 30_000;

  /** The kinds watched; one list-watch each. */
  enum Kind { NAMESPACE, SERVICE, ENDPOINT_SLICE, POD }

  /** What a handler hands the indexer. */
  sealed interface Change permits Upsert, Delete, ListStarted, Listed, Watching {}

  /**
   * An object added or updated, already slim.
   *
   * @param triggerMillis EndpointSlice trigger time (epoch ms) or -1
   * @param headlessWithSelector for Services: headless and has a selector (the histogram label)
   * @param listed an item of a list (not a watch event)
   */
  record Upsert(Kind kind, Object slim, long triggerMillis, boolean headlessWithSelector, boolean listed)
      implements Change {}

  record Delete(Kind kind, String namespace, String name) implements Change {}

  /** A list of a kind starts (the first one, a relist, or again after its continue token expired). */
  record ListStarted(Kind kind) implements Change {}

  /** A list finished: objects of its kind that none of its items named are removed. */
  record Listed(Kind kind) implements Change {}

  /**
   * The watch after a list was started: the kind counts towards the first sync only from here, so a change
   * made once {@link #awaitSynced} returns is never missed by a watch that was not open yet (a real API server
   * would replay it from the list's version; the test API server does not).
   */
  record Watching(Kind kind) implements Change {}

  private final KubernetesClient client;
  private final WatchConfig options;
  private final SnapshotPublisher publisher;
  private final LongSupplier clock;
  private final WatchMetrics metrics;
  private final Set<String> namespaceFilter;
  private final BlockingQueue<Change> queue = new LinkedBlockingQueue<>(QUEUE_CAPACITY);
  private final CountDownLatch syncedLatch = new CountDownLatch(1);
  private final List<ListWatch<?>> listWatches = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final ConcurrentHashMap<Kind, Long> lastWarn = new ConcurrentHashMap<>();
  private final long startedAtMillis;

  // indexer thread only
  private final ClusterState state;
  private final EnumSet<Kind> listed = EnumSet.noneOf(Kind.class);
  private final Set<String> headlessWithSelector = new HashSet<>();
  /** Per kind whose list is under way: the records its items left in the state (identity set). */
  private final Map<Kind, IdentityMarks> seen = new EnumMap<>(Kind.class);
  /** In {@link #seen} for a list that started with nothing of its kind held. */
  private static final IdentityMarks NOTHING_HELD = new IdentityMarks();

  private volatile Thread indexer;
  /** The watches' own client (slim serialization), made from {@link #client}'s configuration; closed here. */
  private volatile KubernetesClient slimClient;
  private volatile boolean closed;
  private volatile long freshAtMillis;

  /** Changes handed to the indexer so far (handler threads). */
  private final AtomicLong enqueued = new AtomicLong();
  /** Changes the indexer has applied and, where due, built into a published snapshot (indexer writes). */
  private volatile long settled;
  /** Completed lists (first lists and relists) the indexer has applied (indexer writes). */
  private volatile long listsApplied;

  /**
   * @param client the API client; not closed by {@link #close()} (the caller made it)
   * @param registry where the watch's metrics go, or null for none
   */
  public ClusterWatch(KubernetesClient client, WatchConfig options, SnapshotPublisher publisher,
      PrometheusRegistry registry) {
    this(client, options, publisher, registry, System::currentTimeMillis);
  }

  ClusterWatch(KubernetesClient client, WatchConfig options, SnapshotPublisher publisher, PrometheusRegistry registry,
      LongSupplier clock) {
    this.client = client;
    this.options = options;
    this.publisher = publisher;
    this.clock = clock;
    this.state = new ClusterState(options.endpointPodNames(), clock);
    this.namespaceFilter = Set.copyOf(options.namespaces());
    this.startedAtMillis = clock.getAsLong();
    this.freshAtMillis = startedAtMillis;
    this.metrics = registry == null ? null : new WatchMetrics(registry, this::dataAgeSeconds);
  }

  // ------------------------------------------------------------------------------------------- lifecycle

  /** Starts the indexer thread and the list-watches; returns at once (see {@link #awaitSynced}). */
  public synchronized void start() {
    if (indexer != null) {
      throw new IllegalStateException("already started");
    }
    Thread t = new Thread(this::indexLoop, "clusterdns-indexer");
    t.setDaemon(true);
    indexer = t;
    t.start();

    // Watches over the slim resource classes, on a client of their own whose serialization decodes each event
    // straight into them (performance.md 2.8): no full Pod or Service per event, no model deserializers.
    KubernetesClient slim = new KubernetesClientBuilder().withConfig(client.getConfiguration())
        .withKubernetesSerialization(SlimResources.serialization()).build();
    slimClient = slim;
    listWatches.add(listWatch(slim, Kind.NAMESPACE, "api/v1/namespaces", options.namespaceLabels(), "Namespace",
        "v1", slim.resources(SlimResources.SlimNamespace.class),
        ns -> new Upsert(Kind.NAMESPACE, SlimConverter.namespace(ns), -1, false, false)));
    listWatches.add(listWatch(slim, Kind.SERVICE, "api/v1/services", options.labels(), "Service", "v1",
        slim.resources(SlimResources.SlimService.class).inAnyNamespace(), svc -> {
          ServiceInfo info = SlimConverter.service(svc);
          return new Upsert(Kind.SERVICE, info, -1,
              info.kind() == ServiceKind.HEADLESS && SlimConverter.hasSelector(svc), false);
        }));
    listWatches.add(listWatch(slim, Kind.ENDPOINT_SLICE, "apis/discovery.k8s.io/v1/endpointslices", options.labels(),
        "EndpointSlice", "discovery.k8s.io/v1", slim.resources(SlimResources.SlimEndpointSlice.class).inAnyNamespace(),
        eps -> new Upsert(Kind.ENDPOINT_SLICE, SlimConverter.endpointSlice(eps), SlimConverter.triggerTimeMillis(eps),
            false, false)));
    if (options.watchPods()) {
      listWatches.add(listWatch(slim, Kind.POD, "api/v1/pods", null, "Pod", "v1",
          slim.resources(SlimResources.SlimPod.class).inAnyNamespace(),
          pod -> new Upsert(Kind.POD, SlimConverter.pod(pod), -1, false, false)));
    }
    for (ListWatch<?> lw : listWatches) {
      lw.start();
    }
  }

  /** Waits up to {@code timeout} for the first full sync; true if synced. */
  public boolean awaitSynced(Duration timeout) throws InterruptedException {
    return syncedLatch.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /**
   * Waits for the first sync at most the configured start-up timeout (default 5 s, behaviours.md 13.4);
   * returns whether it synced. Either way the caller then starts serving: unsynced, cluster names get
   * SERVFAIL until the sync completes.
   */
  public boolean awaitStartup() throws InterruptedException {
    boolean ok = awaitSynced(options.startupTimeout());
    if (!ok) {
      LOG.warning("Kubernetes API not synced after " + options.startupTimeout().toMillis()
          + " ms; serving anyway (cluster names answer SERVFAIL until synced)");
    }
    return ok;
  }

  public boolean synced() {
    return publisher.synced();
  }

  /** What the DNS server reads. */
  public SnapshotSource snapshots() {
    return publisher;
  }

  /**
   * Seconds since the data was last known to be current: 0 while synced and every kind is watching;
   * otherwise the time since that was last true (or since start, before the first sync).
   */
  public double dataAgeSeconds() {
    long now = clock.getAsLong();
    if (refreshFreshness(now)) {
      return 0;
    }
    return Math.max(0, now - freshAtMillis) / 1000.0;
  }

  /** Objects the list-watches have handed the indexer so far (adds, updates, deletes): progress of a first sync. */
  public long changesReceived() {
    return enqueued.get();
  }

  /** True while every kind has an open watch (false before the first sync and while reconnecting). */
  public boolean watching() {
    if (listWatches.isEmpty()) {
      return false;
    }
    for (ListWatch<?> lw : listWatches) {
      if (!lw.watching()) {
        return false;
      }
    }
    return true;
  }

  /** Stops the list-watches and the indexer; the last snapshot stays published. */
  @Override
  public synchronized void close() {
    closed = true;
    for (ListWatch<?> lw : listWatches) {
      try {
        lw.close();
      } catch (RuntimeException e) {
        LOG.log(Level.FINE, "stopping list-watch", e);
      }
    }
    KubernetesClient slim = slimClient;
    if (slim != null) {
      slim.close();
    }
    Thread t = indexer;
    if (t != null) {
      t.interrupt();
      try {
        t.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  // ------------------------------------------------------------------------------------------ list-watches

  private static <T extends HasMetadata> Watchable<T> withLabels(FilterWatchListDeletable<T, ?, ?> op,
      String selector) {
    return selector == null ? op : op.withLabelSelector(selector);
  }

  private <T extends HasMetadata> ListWatch<T> listWatch(KubernetesClient slim, Kind kind, String path,
      String selector, String itemKind, String apiVersion, FilterWatchListDeletable<T, ?, ?> op,
      Function<T, Upsert> convert) {
    Integer timeout = slim.getConfiguration().getRequestTimeout();
    return new ListWatch<>(kind.name().toLowerCase(java.util.Locale.ROOT), slim.getHttpClient(),
        slim.getConfiguration().getMasterUrl(), path, selector, itemKind, apiVersion, withLabels(op, selector),
        timeout == null || timeout <= 0 ? 60_000 : Math.max(timeout, 60_000), new Handler<>(kind, convert));
  }

  /**
   * Runs on a kind's list thread (pages) and watch thread (events): convert, queue, return. Objects of
   * namespaces outside the {@code namespaces} filter are dropped here.
   */
  private final class Handler<T extends HasMetadata> implements ListWatch.Sink<T> {
    private final Kind kind;
    private final Function<T, Upsert> convert;

    Handler(Kind kind, Function<T, Upsert> convert) {
      this.kind = kind;
      this.convert = convert;
    }

    @Override
    public void page(ManifestReader.ListPage page) {
      for (String rejected : page.rejected) {
        LOG.warning(rejected + "; ignored");
      }
      for (Object o : page.items) {
        if (!exposed(ListWatch.namespaceOf(o))) {
          continue;
        }
        boolean headlessWithSelector = o instanceof ServiceInfo s && s.kind() == ServiceKind.HEADLESS
            && page.servicesWithSelector.contains(s);
        // Listed slices carry no trigger time: a list is not a change being programmed (behaviours.md 14).
        enqueue(new Upsert(kind, o, -1, headlessWithSelector, true));
      }
    }

    @Override
    public void listStarted() {
      enqueue(new ListStarted(kind));
    }

    @Override
    public void listed() {
      enqueue(new Listed(kind));
    }

    @Override
    public void watchStarted() {
      enqueue(new Watching(kind));
    }

    @Override
    public void event(Watcher.Action action, T obj) {
      String ns = obj.getMetadata().getNamespace();
      String name = obj.getMetadata().getName();
      if (!exposed(kind == Kind.NAMESPACE ? name : ns)) {
        return;
      }
      if (action == Watcher.Action.DELETED) {
        enqueue(new Delete(kind, ns, name));
        return;
      }
      try {
        enqueue(convert.apply(obj));
      } catch (ConversionException e) {
        // The API server validates objects, so this is rare; serving the object's old form would be wrong.
        LOG.warning(kind + " " + (ns == null ? name : ns + "/" + name) + " ignored: " + e.getMessage());
        enqueue(new Delete(kind, ns, name));
      }
    }

    @Override
    public void failed(Throwable cause) {
      warnRarely(kind, "watch of " + kind + " failed, retrying: " + cause);
    }

    private boolean exposed(String namespace) {
      return namespaceFilter.isEmpty() || namespaceFilter.contains(namespace);
    }
  }

  // -------------------------------------------------------------------------------------------- indexer

  /**
   * Counted before it is queued, so {@link #awaitIdle} never sees a change in flight as settled. Waits while
   * the queue is full (a list thread, or fabric8's watch thread for one kind: the watch then reads no
   * further until the indexer catches up); gives up once the watch is closed.
   */
  private void enqueue(Change c) {
    enqueued.incrementAndGet();
    try {
      while (!queue.offer(c, IDLE_WAKE_MILLIS, TimeUnit.MILLISECONDS)) {
        if (closed) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // closing
    }
  }

  /**
   * Test hook: waits until every change queued so far has been applied and, where it made the state dirty,
   * published; true if that happened within {@code timeout}. Lets a test compare snapshots without racing a
   * pending build.
   */
  boolean awaitIdle(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (settled != enqueued.get()) {
      if (System.nanoTime() - deadline > 0) {
        return false;
      }
      Thread.sleep(2);
    }
    return true;
  }

  /** Test hook: how many completed lists (first lists and relists, all kinds) the indexer has applied. */
  long listsApplied() {
    return listsApplied;
  }

  private void indexLoop() {
    List<Change> batch = new ArrayList<>();
    List<Upsert> slicesSeen = new ArrayList<>();
    long buildNanos = 0;
    long lastBuildEnd = 0;
    long taken = 0;
    try {
      while (!closed) {
        Change first = queue.poll(IDLE_WAKE_MILLIS, TimeUnit.MILLISECONDS);
        refreshFreshness(clock.getAsLong());
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, MAX_BATCH);
        taken += batch.size();
        boolean wasSynced = publisher.synced();
        applyAll(batch, wasSynced ? slicesSeen : null);
        batch.clear();
        if (!wasSynced && !listed.containsAll(expectedKinds())) {
          settled = taken;
          continue; // nothing is published before the first full sync
        }
        // Pace builds: gather what arrives during the time the last build took.
        long waitUntil = lastBuildEnd + buildNanos;
        while (System.nanoTime() < waitUntil && batch.size() < MAX_BATCH) {
          Change c = queue.poll(waitUntil - System.nanoTime(), TimeUnit.NANOSECONDS);
          if (c == null) {
            break;
          }
          batch.add(c);
          queue.drainTo(batch, MAX_BATCH - batch.size());
          taken += batch.size();
          applyAll(batch, wasSynced ? slicesSeen : null);
          batch.clear();
        }
        long t0 = System.nanoTime();
        if (state.dirty() || !wasSynced) {
          ClusterSnapshot snap = state.build();
          publisher.publish(snap);
          recordProgramming(snap, slicesSeen);
        }
        slicesSeen.clear();
        lastBuildEnd = System.nanoTime();
        buildNanos = lastBuildEnd - t0;
        if (!wasSynced) {
          publisher.markSynced();
          refreshFreshness(clock.getAsLong());
          syncedLatch.countDown();
          LOG.info("Kubernetes API synced in " + (clock.getAsLong() - startedAtMillis) + " ms");
        }
        settled = taken;
      }
    } catch (InterruptedException e) {
      // closing
    } catch (RuntimeException | Error e) {
      // Without the indexer, events would queue without bound and answers would go stale unnoticed: better
      // that the orchestrator restarts the process (exit status 1) than serve old data forever.
      LOG.log(Level.SEVERE, "indexer thread died; exiting so the server is restarted with fresh data", e);
      Runtime.getRuntime().halt(1);
    }
  }

  private Set<Kind> expectedKinds() {
    return options.watchPods() ? EnumSet.allOf(Kind.class) : EnumSet.of(Kind.NAMESPACE, Kind.SERVICE,
        Kind.ENDPOINT_SLICE);
  }

  private void applyAll(List<Change> batch, List<Upsert> slicesSeen) {
    for (Change c : batch) {
      try {
        apply(c);
      } catch (RuntimeException e) {
        // One object the index cannot take must not stop every later change from being applied.
        LOG.log(Level.WARNING, "could not apply " + c + "; skipped", e);
        continue;
      }
      if (slicesSeen != null && c instanceof Upsert u && u.kind() == Kind.ENDPOINT_SLICE && u.triggerMillis() >= 0) {
        slicesSeen.add(u);
      }
    }
  }

  private void apply(Change c) {
    if (c instanceof ListStarted s) {
      // With nothing of the kind held (the first list), nothing can be missing at its end: no marks needed,
      // which keeps 100,000 references per kind out of the first sync's peak.
      boolean any = switch (s.kind()) {
        case NAMESPACE -> state.anyNamespaces();
        case SERVICE -> state.anyServices();
        case ENDPOINT_SLICE -> state.anyEndpointSlices();
        case POD -> state.anyPods();
      };
      seen.put(s.kind(), any ? new IdentityMarks() : NOTHING_HELD);
    } else if (c instanceof Listed l) {
      IdentityMarks kept = seen.remove(l.kind());
      if (kept == null || kept == NOTHING_HELD) {
        // a list always starts with ListStarted (never remove without knowing what it had); or the kind held
        // nothing when the list started, so all it holds now came from the list
        listsApplied++;
        return;
      }
      switch (l.kind()) {
        case NAMESPACE -> state.retainNamespaces(kept::contains);
        case SERVICE -> {
          state.retainServices(kept::contains);
          headlessWithSelector.removeIf(k -> {
            int slash = k.indexOf('/');
            return state.service(k.substring(0, slash), k.substring(slash + 1)) == null;
          });
        }
        case ENDPOINT_SLICE -> state.retainEndpointSlices(kept::contains);
        case POD -> state.retainPods(kept::contains);
      }
      listsApplied++;
    } else if (c instanceof Watching w) {
      listed.add(w.kind());
    } else if (c instanceof Upsert u) {
      switch (u.kind()) {
        case NAMESPACE -> {
          NamespaceInfo n = (NamespaceInfo) u.slim();
          state.putNamespace(n);
          IdentityMarks m = marks(u);
          if (m != null) {
            m.add(state.namespace(n.name()));
          }
        }
        case SERVICE -> {
          ServiceInfo s = (ServiceInfo) u.slim();
          String key = s.namespace() + "/" + s.name();
          if (u.headlessWithSelector()) {
            headlessWithSelector.add(key);
          } else {
            headlessWithSelector.remove(key);
          }
          state.putService(s);
          IdentityMarks m = marks(u);
          if (m != null) {
            m.add(state.service(s.namespace(), s.name()));
          }
        }
        case ENDPOINT_SLICE -> {
          EndpointSliceInfo e = (EndpointSliceInfo) u.slim();
          state.putEndpointSlice(e);
          IdentityMarks m = marks(u);
          if (m != null) {
            m.add(state.endpointSlice(e.namespace(), e.name()));
          }
        }
        case POD -> {
          PodInfo p = (PodInfo) u.slim();
          state.putPod(p);
          IdentityMarks m = marks(u);
          Object held = m == null ? null : state.podEntry(p.namespace(), p.name());
          if (held != null) { // a terminating pod or one without an address is not held
            m.add(held);
          }
        }
      }
    } else if (c instanceof Delete d) {
      switch (d.kind()) {
        case NAMESPACE -> state.removeNamespace(d.name());
        case SERVICE -> {
          headlessWithSelector.remove(d.namespace() + "/" + d.name());
          state.removeService(d.namespace(), d.name());
        }
        case ENDPOINT_SLICE -> state.removeEndpointSlice(d.namespace(), d.name());
        case POD -> state.removePod(d.namespace(), d.name());
      }
    }
  }

  /**
   * Where to note, by identity, the record the state holds for a listed item (the item itself, or the equal one
   * it already had: a set of 100,000 references costs ~1 MB, where "namespace/name" keys cost ~30 MB); null
   * when nothing is to be noted (a watch event, or a list that started with nothing of its kind held).
   */
  private IdentityMarks marks(Upsert u) {
    IdentityMarks m = u.listed() ? seen.get(u.kind()) : null;
    return m == NOTHING_HELD ? null : m;
  }

  /** Programming latency: trigger time to publication of the snapshot holding the change (behaviours.md 14). */
  private void recordProgramming(ClusterSnapshot snap, List<Upsert> slices) {
    if (metrics == null || slices.isEmpty()) {
      return;
    }
    long now = clock.getAsLong();
    for (Upsert u : slices) {
      EndpointSliceInfo eps = (EndpointSliceInfo) u.slim();
      if (eps.serviceName() == null) {
        continue;
      }
      NamespaceView ns = snap.namespace(eps.namespace());
      ServiceView svc = ns == null ? null : ns.service(eps.serviceName());
      if (svc == null || svc.kind() == ServiceKind.EXTERNAL_NAME) {
        continue;
      }
      String label = svc.kind() == ServiceKind.CLUSTER_IP ? WatchMetrics.CLUSTER_IP
          : headlessWithSelector.contains(eps.namespace() + "/" + eps.serviceName())
              ? WatchMetrics.HEADLESS_WITH_SELECTOR : WatchMetrics.HEADLESS_WITHOUT_SELECTOR;
      metrics.observeProgramming(label, (now - u.triggerMillis()) / 1000.0);
    }
  }

  // ------------------------------------------------------------------------------------------- helpers

  /** Marks the data fresh now if synced and every kind is watching; returns whether it did. */
  private boolean refreshFreshness(long now) {
    if (!publisher.synced() || !watching()) {
      return false;
    }
    freshAtMillis = now;
    return true;
  }

  private void warnRarely(Kind kind, String message) {
    long now = System.currentTimeMillis();
    Long last = lastWarn.get(kind);
    if (last == null || now - last >= WARN_INTERVAL_MILLIS) {
      lastWarn.put(kind, now);
      LOG.warning(message);
    }
  }
}
