package io.clusterdns.index;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.BiPredicate;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * The mutable side of the index: the slim records of every watched object, grouped by namespace, from which
 * immutable {@link ClusterSnapshot}s are built.
 *
 * <p>Design notes.
 * <ul>
 *   <li>Threads: one owner (the indexer thread of a watch, or the loader at start-up). Not thread-safe;
 *       snapshots it builds are immutable and safe to hand to any thread.
 *   <li>Change detection: every {@code put}/{@code remove} compares slim records and returns whether anything
 *       DNS can see changed, so an update that touches no DNS field marks nothing dirty and publishes nothing
 *       (CoreDNS's {@code detectChanges}).
 *   <li>Incremental builds: {@link #build()} rebuilds only the namespaces marked dirty since the last build and
 *       reuses the other {@link NamespaceView}s as they are; the reverse index copies only the shards whose
 *       addresses changed. A build never edits a snapshot already handed out.
 *   <li>Memory (issue 17: 100,000 services + 100,000 pods within CoreDNS's 254 MB): each object is kept once.
 *       A namespace's services live in its last built view plus the changes since; slices by name; pods only
 *       as their addresses; the reverse index only in the snapshot, edited shard by shard from the last one.
 *       An equal record put again keeps the instance already held, which the snapshot shares.
 * </ul>
 */
public final class ClusterState {
  /** Generations are unique across every state in the process, so answer-cache keys never collide. */
  private static final AtomicLong GENERATIONS = new AtomicLong();

  /** Kubernetes label values are at most 63 characters; longer pod names are not usable as DNS labels. */
  private static final int MAX_LABEL = 63;

  private final boolean endpointPodNames;
  private final LongSupplier clockMillis;
  private final Map<String, NamespaceState> namespaces = new HashMap<>();
  private ClusterSnapshot last = ClusterSnapshot.EMPTY;
  private boolean anyDirty;

  /**
   * @param endpointPodNames name endpoints without a hostname by their pod name (CoreDNS
   *     {@code endpoint_pod_names}) instead of the dashed address
   */
  public ClusterState(boolean endpointPodNames) {
    this(endpointPodNames, System::currentTimeMillis);
  }

  public ClusterState(boolean endpointPodNames, LongSupplier clockMillis) {
    this.endpointPodNames = endpointPodNames;
    this.clockMillis = clockMillis;
  }

  // ---------------------------------------------------------------------------------------------- updates

  public boolean putNamespace(NamespaceInfo ns) {
    NamespaceState s = state(ns.name());
    if (Objects.equals(s.info, ns)) {
      return false;
    }
    s.info = ns;
    return markDirty(s);
  }

  public boolean removeNamespace(String name) {
    NamespaceState s = namespaces.get(name);
    if (s == null || s.info == null) {
      return false;
    }
    s.info = null;
    return markDirty(s);
  }

  public boolean putService(ServiceInfo svc) {
    NamespaceState s = state(svc.namespace());
    // An equal record keeps the one already held, which the published snapshot shares: replacing it would
    // keep two copies of every object after a relist.
    if (svc.equals(s.service(svc.name()))) {
      return false;
    }
    s.changedServices.put(svc.name(), svc);
    return markDirty(s);
  }

  public boolean removeService(String namespace, String name) {
    NamespaceState s = namespaces.get(namespace);
    if (s == null || s.service(name) == null) {
      return false;
    }
    if (s.builtService(name) != null) {
      s.changedServices.put(name, REMOVED);
    } else {
      s.changedServices.remove(name);
    }
    return markDirty(s);
  }

  public boolean putEndpointSlice(EndpointSliceInfo slice) {
    if (!endpointPodNames) {
      slice = withoutTargetNames(slice); // pod names are kept only where they name endpoints (memory)
    }
    NamespaceState s = state(slice.namespace());
    EndpointSliceInfo old = s.slices.get(slice.name());
    if (slice.equals(old)) {
      return false; // keeps the record the snapshot shares (putService)
    }
    if (old != null) {
      s.slices.remove(slice.name()); // a changed slice moves to the end: slices keep their arrival order
    }
    s.slices.put(slice.name(), slice);
    return markDirty(s);
  }

  public boolean removeEndpointSlice(String namespace, String name) {
    NamespaceState s = namespaces.get(namespace);
    if (s == null) {
      return false;
    }
    return s.slices.remove(name) != null && markDirty(s);
  }

  public boolean putPod(PodInfo pod) {
    NamespaceState s = state(pod.namespace());
    Object entry = podEntry(pod);
    Object old = s.pods.get(pod.name());
    if (entry == null) {
      return old != null && s.pods.remove(pod.name()) != null && markDirty(s);
    }
    if (entry.equals(old)) {
      return false; // keeps the entry held (putService)
    }
    s.pods.put(pod.name(), entry);
    return markDirty(s);
  }

  /**
   * What the state keeps of a pod: its address, or its addresses when it has several, or null when it
   * verifies none (terminating, behaviours.md 8.3, or no address yet); at 100,000 pods no record and no list
   * per pod.
   */
  private static Object podEntry(PodInfo pod) {
    if (pod.terminating() || pod.ips().isEmpty()) {
      return null;
    }
    return pod.ips().size() == 1 ? pod.ips().get(0) : pod.ips();
  }

  public boolean removePod(String namespace, String name) {
    NamespaceState s = namespaces.get(namespace);
    return s != null && s.pods.remove(name) != null && markDirty(s);
  }

  // ---------------------------------------------------------------------------------------- after a list

  /** The Namespace record held for {@code name}, or null. */
  public NamespaceInfo namespace(String name) {
    NamespaceState s = namespaces.get(name);
    return s == null ? null : s.info;
  }

  /** The Service record held, or null (the very instance: {@link #putService} keeps an equal one). */
  public ServiceInfo service(String namespace, String name) {
    NamespaceState s = namespaces.get(namespace);
    return s == null ? null : s.service(name);
  }

  public EndpointSliceInfo endpointSlice(String namespace, String name) {
    NamespaceState s = namespaces.get(namespace);
    return s == null ? null : s.slices.get(name);
  }

  /** What is held for a pod that verifies addresses (see {@link #putPod}), or null; for identity checks. */
  public Object podEntry(String namespace, String name) {
    NamespaceState s = namespaces.get(namespace);
    return s == null ? null : s.pods.get(name);
  }

  /**
   * After a complete list of Namespaces: removes every namespace whose record {@code keep} refuses (those
   * the list did not have: deleted while no watch was running). Returns whether anything changed.
   */
  public boolean retainNamespaces(Predicate<NamespaceInfo> keep) {
    boolean changed = false;
    for (Map.Entry<String, NamespaceState> e : List.copyOf(namespaces.entrySet())) {
      NamespaceInfo info = e.getValue().info;
      if (info != null && !keep.test(info)) {
        changed |= removeNamespace(e.getKey());
      }
    }
    return changed;
  }

  /** As {@link #retainNamespaces} for Services. */
  public boolean retainServices(Predicate<ServiceInfo> keep) {
    return retain(NamespaceState::forEachService, keep, this::removeService);
  }

  /** As {@link #retainNamespaces} for EndpointSlices. */
  public boolean retainEndpointSlices(Predicate<EndpointSliceInfo> keep) {
    return retain((s, each) -> s.slices.forEach(each), keep, this::removeEndpointSlice);
  }

  /** As {@link #retainNamespaces} for Pods. */
  public boolean retainPods(Predicate<Object> keep) {
    return retain((s, each) -> s.pods.forEach(each), keep, this::removePod);
  }

  /** @param records each (name, record) of one kind a namespace holds */
  private <T> boolean retain(BiConsumer<NamespaceState, BiConsumer<String, T>> records, Predicate<T> keep,
      BiPredicate<String, String> remove) {
    List<String[]> gone = new ArrayList<>();
    namespaces.forEach((ns, s) -> records.accept(s, (name, record) -> {
      if (!keep.test(record)) {
        gone.add(new String[] {ns, name});
      }
    }));
    boolean changed = false;
    for (String[] g : gone) {
      changed |= remove.test(g[0], g[1]);
    }
    return changed;
  }

  /** Whether any Namespace record is held. */
  public boolean anyNamespaces() {
    for (NamespaceState s : namespaces.values()) {
      if (s.info != null) {
        return true;
      }
    }
    return false;
  }

  /** Whether any Service record is held. */
  public boolean anyServices() {
    return namespaces.values().stream().anyMatch(NamespaceState::hasServices);
  }

  /** Whether any EndpointSlice record is held. */
  public boolean anyEndpointSlices() {
    return namespaces.values().stream().anyMatch(s -> !s.slices.isEmpty());
  }

  /** Whether any pod is held. */
  public boolean anyPods() {
    return namespaces.values().stream().anyMatch(s -> !s.pods.isEmpty());
  }

  /** Whether a change was recorded since the last {@link #build()}. */
  public boolean dirty() {
    return anyDirty;
  }

  /** Names of the namespaces whose Namespace object is known. */
  public Set<String> namespaceNames() {
    Set<String> names = new HashSet<>();
    namespaces.forEach((k, v) -> {
      if (v.info != null) {
        names.add(k);
      }
    });
    return names;
  }

  // ------------------------------------------------------------------------------------------------ build

  /**
   * Builds the next snapshot from the recorded changes, or returns the previous one if nothing changed.
   * Only namespaces changed since the last build are rebuilt.
   */
  public ClusterSnapshot build() {
    if (!anyDirty) {
      return last;
    }
    Map<String, NamespaceView> views = new HashMap<>(last.namespaces());
    ReverseEdit reverse = new ReverseEdit(last.reverse().shards());
    List<String> empty = new ArrayList<>();
    for (Map.Entry<String, NamespaceState> e : namespaces.entrySet()) {
      NamespaceState s = e.getValue();
      if (!s.dirty) {
        continue;
      }
      s.dirty = false;
      String key = e.getKey().toLowerCase(Locale.ROOT);
      NamespaceView old = views.remove(key);
      if (old != null) {
        // The previous view is the record of what this namespace put into the reverse index.
        for (ServiceView v : old.services().values()) {
          reverse.remove(v);
        }
      }
      if (s.info == null) {
        if (s.isEmpty()) {
          empty.add(e.getKey());
        }
        continue;
      }
      NamespaceView view = buildNamespace(s);
      for (ServiceView v : view.services().values()) {
        reverse.add(v);
      }
      views.put(key, view);
    }
    empty.forEach(namespaces::remove);
    Map<IpAddress, Object>[] shards = reverse.shards();
    long now = clockMillis.getAsLong();
    // The serial is the Unix time of the change (CoreDNS), but never repeats: two changes within one second
    // still give secondaries and caches that compare serials a newer zone (behaviours.md 9.3).
    long serial = Math.max(now / 1000, last.serial() + 1);
    last = new ClusterSnapshot(
        Collections.unmodifiableMap(views), new ReverseIndex(shards), serial, last.generation() + 1, now);
    anyDirty = false;
    return last;
  }

  private NamespaceView buildNamespace(NamespaceState s) {
    // Slices by their service-name label, in arrival order; grouped here rather than kept (100,000 map entries
    // and lists at 100k services).
    Map<String, List<EndpointSliceInfo>> slicesByService = new HashMap<>();
    for (EndpointSliceInfo slice : s.slices.values()) {
      if (slice.serviceName() != null) {
        slicesByService.computeIfAbsent(slice.serviceName(), k -> new ArrayList<>(1)).add(slice);
      }
    }
    Map<String, ServiceView> services = new HashMap<>();
    s.forEachService((name, svc) -> services.put(name.toLowerCase(Locale.ROOT),
        buildService(svc, slicesByService.getOrDefault(svc.name(), List.of()))));
    Set<IpAddress> podIps = new HashSet<>();
    for (Object entry : s.pods.values()) {
      if (entry instanceof IpAddress ip) {
        podIps.add(ip);
      } else {
        @SuppressWarnings("unchecked")
        List<IpAddress> ips = (List<IpAddress>) entry;
        podIps.addAll(ips);
      }
    }
    NamespaceView view = new NamespaceView(
        s.info.name(), GENERATIONS.incrementAndGet(), Map.copyOf(services), Set.copyOf(podIps));
    s.builtServices = view.services();
    s.changedServices.clear();
    return view;
  }

  private ServiceView buildService(ServiceInfo svc, List<EndpointSliceInfo> slices) {
    if (svc.kind() == ServiceKind.EXTERNAL_NAME) {
      return new ServiceView(svc, List.of(), List.of());
    }
    // One entry per ready (endpoint, address) of each slice, duplicates across slices kept: answers remove
    // them, but SRV weights count them first (behaviours.md 3.5, CoreDNS backend_lookup.go SRV()).
    List<EndpointAddress> entries = new ArrayList<>();
    List<EndpointAddress> notReady = List.of();
    for (EndpointSliceInfo slice : slices) {
      for (EndpointInfo ep : slice.endpoints()) {
        for (IpAddress a : ep.addresses()) {
          EndpointAddress e = new EndpointAddress(endpointName(ep), a, slice.ports(), slice.name());
          if (ep.ready()) {
            entries.add(e);
          } else {
            if (notReady.isEmpty()) {
              notReady = new ArrayList<>(2);
            }
            notReady.add(e);
          }
        }
      }
    }
    return new ServiceView(svc, entries, notReady);
  }

  /** behaviours.md 4.3: hostname, else (with endpoint_pod_names) a short enough pod name, else the dashed IP. */
  /** The endpoint's name, or null for its dashed address (made when asked: {@link EndpointAddress#name()}). */
  private String endpointName(EndpointInfo ep) {
    if (ep.hostname() != null && !ep.hostname().isEmpty()) {
      return ep.hostname();
    }
    if (endpointPodNames && ep.targetName() != null && !ep.targetName().isEmpty()
        && ep.targetName().length() <= MAX_LABEL) {
      return ep.targetName();
    }
    return null;
  }

  // -------------------------------------------------------------------------------------------- reverse

  /**
   * One build's changes to the reverse index: a shard is copied into a mutable map the first time a change
   * touches it and frozen again at the end, so the state keeps no mutable copy of the index between builds.
   * Values as {@link ReverseIndex} keeps them.
   */
  private static final class ReverseEdit {
    private final Map<IpAddress, Object>[] shards;
    private final HashMap<IpAddress, Object>[] open;

    @SuppressWarnings("unchecked")
    ReverseEdit(Map<IpAddress, Object>[] published) {
      this.shards = published.clone();
      this.open = new HashMap[published.length];
    }

    void add(ServiceView view) {
      ServiceInfo svc = view.info();
      if (svc.kind() == ServiceKind.EXTERNAL_NAME) {
        return;
      }
      for (IpAddress ip : svc.clusterIps()) {
        add(ip, ReverseIndex.target(svc), svc);
      }
      for (EndpointAddress e : view.endpoints()) {
        add(e.address(), new PtrTarget(svc.namespace(), svc.name(), e.name()), view);
      }
    }

    void remove(ServiceView view) {
      ServiceInfo svc = view.info();
      if (svc.kind() == ServiceKind.EXTERNAL_NAME) {
        return;
      }
      for (IpAddress ip : svc.clusterIps()) {
        remove(ip, ReverseIndex.target(svc));
      }
      for (EndpointAddress e : view.endpoints()) {
        remove(e.address(), new PtrTarget(svc.namespace(), svc.name(), e.name()));
      }
    }

    /** @param alone what to store when {@code t} is the address's only target */
    private void add(IpAddress ip, PtrTarget t, Object alone) {
      Map<IpAddress, Object> m = edit(ip);
      Object old = m.get(ip);
      if (old == null) {
        m.put(ip, alone);
        return;
      }
      List<PtrTarget> cur = ReverseIndex.targets(old, ip);
      if (cur.contains(t)) {
        return;
      }
      List<PtrTarget> next = new ArrayList<>(cur.size() + 1);
      next.addAll(cur);
      next.add(t);
      m.put(ip, ordered(next));
    }

    private void remove(IpAddress ip, PtrTarget t) {
      Map<IpAddress, Object> m = edit(ip);
      List<PtrTarget> cur = ReverseIndex.targets(m.get(ip), ip);
      if (!cur.contains(t)) {
        return;
      }
      List<PtrTarget> next = new ArrayList<>(cur);
      next.remove(t);
      if (next.isEmpty()) {
        m.remove(ip);
      } else {
        m.put(ip, ordered(next)); // a lone remaining target stays a PtrTarget: rare, and still correct
      }
    }

    private Map<IpAddress, Object> edit(IpAddress ip) {
      int i = ReverseIndex.shardOf(ip);
      if (open[i] == null) {
        open[i] = new HashMap<>(shards[i]);
      }
      return open[i];
    }

    /** The shards after the edits: those edited frozen again, the others shared with the last snapshot. */
    Map<IpAddress, Object>[] shards() {
      for (int i = 0; i < open.length; i++) {
        if (open[i] != null) {
          shards[i] = Map.copyOf(open[i]);
        }
      }
      return shards;
    }

    /** ClusterIP owners first; the reader shows only those when there are any (behaviours.md 7.2). */
    private static Object ordered(List<PtrTarget> targets) {
      if (targets.size() == 1) {
        return targets.get(0);
      }
      List<PtrTarget> clusterIp = new ArrayList<>();
      List<PtrTarget> endpoints = new ArrayList<>();
      for (PtrTarget t : targets) {
        (t.isClusterIp() ? clusterIp : endpoints).add(t);
      }
      clusterIp.addAll(endpoints);
      return List.copyOf(clusterIp);
    }
  }

  // ------------------------------------------------------------------------------------------- internals

  private NamespaceState state(String namespace) {
    return namespaces.computeIfAbsent(namespace, k -> new NamespaceState());
  }

  private boolean markDirty(NamespaceState s) {
    s.dirty = true;
    anyDirty = true;
    return true;
  }

  private static EndpointSliceInfo withoutTargetNames(EndpointSliceInfo slice) {
    boolean any = false;
    for (EndpointInfo e : slice.endpoints()) {
      any |= e.targetName() != null;
    }
    if (!any) {
      return slice;
    }
    List<EndpointInfo> endpoints = new ArrayList<>(slice.endpoints().size());
    for (EndpointInfo e : slice.endpoints()) {
      endpoints.add(new EndpointInfo(e.addresses(), e.hostname(), e.ready(), null));
    }
    return new EndpointSliceInfo(slice.namespace(), slice.name(), slice.serviceName(), endpoints, slice.ports());
  }

  /** A removed service in {@link NamespaceState#changedServices}. */
  private static final Object REMOVED = new Object();

  /** Everything recorded for one namespace name, whether or not its Namespace object exists yet. */
  private static final class NamespaceState {
    NamespaceInfo info;
    /**
     * The services as of this namespace's last built view (by lowercase name), which holds their records: the
     * state keeps no second map of 100,000 services. Until a view is built, or while the namespace is gone,
     * they wait in {@link #changedServices}.
     */
    Map<String, ServiceView> builtServices = Map.of();
    /** Changes since the last built view: name to its {@link ServiceInfo}, or {@link #REMOVED}. */
    final Map<String, Object> changedServices = new HashMap<>();
    /** In arrival order (a changed slice moves to the end), which is the order of a service's endpoints. */
    final Map<String, EndpointSliceInfo> slices = new LinkedHashMap<>();
    /** Pod name to {@link #podEntry}: only pods that verify addresses. */
    final Map<String, Object> pods = new HashMap<>();
    boolean dirty;

    boolean isEmpty() {
      return info == null && slices.isEmpty() && pods.isEmpty() && !hasServices();
    }

    boolean hasServices() {
      for (ServiceView v : builtServices.values()) {
        if (!changedServices.containsKey(v.name())) {
          return true;
        }
      }
      for (Object c : changedServices.values()) {
        if (c != REMOVED) {
          return true;
        }
      }
      return false;
    }

    ServiceInfo builtService(String name) {
      ServiceView v = builtServices.get(name.toLowerCase(Locale.ROOT));
      return v != null && v.name().equals(name) ? v.info() : null;
    }

    /** The service held now under {@code name}, or null. */
    ServiceInfo service(String name) {
      Object c = changedServices.get(name);
      if (c != null) {
        return c == REMOVED ? null : (ServiceInfo) c;
      }
      return builtService(name);
    }

    /** Each service held now, by name. */
    void forEachService(BiConsumer<String, ServiceInfo> each) {
      for (ServiceView v : builtServices.values()) {
        if (!changedServices.containsKey(v.name())) {
          each.accept(v.name(), v.info());
        }
      }
      changedServices.forEach((name, c) -> {
        if (c != REMOVED) {
          each.accept(name, (ServiceInfo) c);
        }
      });
    }
  }
}
