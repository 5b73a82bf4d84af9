package io.clusterdns.index;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An immutable service as queries see it: the Service plus the ready addresses of all of its EndpointSlices
 * (behaviours.md 4.1, 5.1, 5.2). An address listed by two slices appears twice: answers remove duplicates,
 * but SRV weights count them first (behaviours.md 3.5). Built by {@link ClusterState} on the
 * indexer thread; read by any thread.
 */
public final class ServiceView {
  private final ServiceInfo info;
  /** Its one endpoint address, or a list of them ({@link OneOrMany}). */
  private final Object endpoints;
  /** Addresses of endpoints whose slice says not ready: never answered, kept for {@code explain}. */
  private final List<EndpointAddress> notReady;
  /** Endpoints by lowercase name; null when the list is short enough to scan. */
  private final Map<String, List<EndpointAddress>> byName;

  /** Up to this many endpoints, a name lookup scans the list instead of keeping a map (most services). */
  private static final int SCAN_LIMIT = 8;

  ServiceView(ServiceInfo info, List<EndpointAddress> endpoints, List<EndpointAddress> notReady) {
    this.info = info;
    this.endpoints = OneOrMany.of(endpoints);
    this.notReady = List.copyOf(notReady);
    if (endpoints.size() <= SCAN_LIMIT) {
      // A map per service costs ~150 bytes; at 100,000 services with a few endpoints each, a scan is cheaper.
      this.byName = null;
      return;
    }
    Map<String, List<EndpointAddress>> m = new LinkedHashMap<>();
    for (EndpointAddress e : endpoints) {
      m.computeIfAbsent(e.name().toLowerCase(Locale.ROOT), k -> new ArrayList<>(2)).add(e);
    }
    m.replaceAll((k, v) -> List.copyOf(v));
    this.byName = Collections.unmodifiableMap(m);
  }

  public ServiceInfo info() {
    return info;
  }

  public String name() {
    return info.name();
  }

  public String namespace() {
    return info.namespace();
  }

  public ServiceKind kind() {
    return info.kind();
  }

  /** Ready addresses of every slice of this service, one entry per (slice, endpoint, address). */
  public List<EndpointAddress> endpoints() {
    return OneOrMany.list(endpoints);
  }

  /**
   * Addresses of endpoints whose slice marks them not ready (behaviours.md 5.2): DNS does not publish them. Only
   * {@code clusterdns explain} reads these, to say why a name it would otherwise have is missing.
   */
  public List<EndpointAddress> notReady() {
    return notReady;
  }

  /** Ready addresses reachable as {@code <lowerName>.<svc>.<ns>.svc.<zone>}; empty list if none. */
  public List<EndpointAddress> endpointsNamed(String lowerName) {
    if (byName != null) {
      return byName.getOrDefault(lowerName, List.of());
    }
    if (endpoints instanceof EndpointAddress one) {
      return one.named(lowerName) ? List.of(one) : List.of();
    }
    List<EndpointAddress> found = null;
    for (EndpointAddress e : endpoints()) {
      if (e.named(lowerName)) {
        if (found == null) {
          found = new ArrayList<>(2);
        }
        found.add(e);
      }
    }
    return found == null ? List.of() : found;
  }

  @Override
  public String toString() {
    return "ServiceView{" + info + ", endpoints=" + endpoints() + ", notReady=" + notReady + '}';
  }
}
