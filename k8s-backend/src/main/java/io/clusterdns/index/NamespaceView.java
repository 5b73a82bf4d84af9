package io.clusterdns.index;

import java.util.Map;
import java.util.Set;

/**
 * An immutable namespace as queries see it. {@code generation} is unique per build of this view, so a cache
 * keyed by it misses exactly for names under a namespace that changed.
 *
 * @param services keyed by lowercase service name
 * @param podIps addresses of non-terminating pods (only filled when pods are watched, for {@code pods verified})
 */
public record NamespaceView(String name, long generation, Map<String, ServiceView> services, Set<IpAddress> podIps) {
  public ServiceView service(String lowerName) {
    return services.get(lowerName);
  }
}
