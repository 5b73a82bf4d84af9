package io.clusterdns.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How the API server is watched: where it is, which objects are exposed, and how long start-up waits for
 * the first sync. Mirrors the CoreDNS {@code kubernetes} block options of the same names (behaviours.md 1.8).
 *
 * @param kubeconfig {@code --kubeconfig FILE}, or null: {@code KUBECONFIG}, {@code ~/.kube/config}, else the
 *     in-cluster service account
 * @param context {@code --context NAME}, or null for the kubeconfig's current context
 * @param namespaces {@code namespaces}: only these namespaces are exposed; empty = all
 * @param namespaceLabels {@code namespace_labels}: a label selector (Kubernetes syntax, e.g.
 *     {@code env in (prod,qa)}) on Namespace objects; only matching namespaces are exposed; null = all
 * @param labels {@code labels}: a label selector on Services and EndpointSlices; null = all
 * @param watchPods watch Pods ({@code pods verified} needs them; CoreDNS watches them only then)
 * @param endpointPodNames {@code endpoint_pod_names} (behaviours.md 4.3)
 * @param startupTimeout how long DNS serving waits for the first full sync before starting anyway
 *     ({@code startup_timeout}, behaviours.md 13.4)
 */
public record WatchConfig(
    String kubeconfig,
    String context,
    List<String> namespaces,
    String namespaceLabels,
    String labels,
    boolean watchPods,
    boolean endpointPodNames,
    Duration startupTimeout) {

  /** CoreDNS's default {@code startup_timeout}: 5 seconds. */
  public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(5);

  public WatchConfig {
    namespaces = List.copyOf(namespaces);
    Objects.requireNonNull(startupTimeout, "startupTimeout");
    if (startupTimeout.isNegative()) {
      throw new IllegalArgumentException("startup timeout must not be negative, not " + startupTimeout);
    }
    namespaceLabels = blankToNull(namespaceLabels);
    labels = blankToNull(labels);
  }

  /** Everything watched, no filters, default start-up timeout; pods only if asked. */
  public static WatchConfig defaults(String kubeconfig, String context, boolean watchPods) {
    return new WatchConfig(kubeconfig, context, List.of(), null, null, watchPods, false, DEFAULT_STARTUP_TIMEOUT);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
