package io.clusterdns.config.corefile;

import io.clusterdns.config.KubernetesConfig;
import io.clusterdns.config.WatchConfig;
import java.util.List;

/**
 * The {@code kubernetes [ZONES...] { ... }} directive (behaviours.md 1.8): how cluster names answer
 * ({@link #config()}) and how the API server is watched ({@link #watch()}), plus the options that have no
 * field there.
 *
 * @param config zones, pods mode, ttl, fallthrough, endpoint_pod_names
 * @param watch kubeconfig/context, namespaces, namespace_labels, labels, startup_timeout; pods watched only
 *     for {@code pods verified}
 * @param endpoint {@code endpoint URL} of the API server, or null (then kubeconfig or in-cluster)
 * @param tls {@code tls CERT KEY CACERT} client credentials for {@code endpoint}, or null
 * @param noEndpoints {@code noendpoints}: no endpoint records (headless services and endpoint names)
 * @param ignoreEmptyService {@code ignore empty_service}: services without ready endpoints are NXDOMAIN
 * @param notActedOn options accepted but without effect in clusterdns, as written (e.g.
 *     {@code apiserver_qps 50}); each also produced a {@link CorefileWarning}
 * @param line line of the {@code kubernetes} word
 */
public record KubernetesBlock(
    KubernetesConfig config,
    WatchConfig watch,
    String endpoint,
    Tls tls,
    boolean noEndpoints,
    boolean ignoreEmptyService,
    List<String> notActedOn,
    int line) {

  /** The Corefile's TTL when {@code ttl} is absent: the plugin's default, not the kubeadm 30. */
  public static final int DEFAULT_TTL = 5;

  public KubernetesBlock {
    notActedOn = List.copyOf(notActedOn);
  }

  /** {@code tls CERT KEY CACERT}: file paths as written. */
  public record Tls(String cert, String key, String caCert) {}
}
