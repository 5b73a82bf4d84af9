package io.clusterdns.k8s;

import io.clusterdns.config.WatchConfig;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.File;

/**
 * Builds the API client the watch uses, from the operator's flags.
 *
 * <ul>
 *   <li>{@code --kubeconfig FILE} (optionally {@code --context NAME}): that file; a missing file is an error
 *       naming the flag.
 *   <li>No flag: fabric8's auto-configuration: the {@code KUBECONFIG} variable or {@code ~/.kube/config} if
 *       present (with {@code --context} or the current context), otherwise the in-cluster service account
 *       ({@code KUBERNETES_SERVICE_HOST} and {@code /var/run/secrets/kubernetes.io/serviceaccount}), which is
 *       what a pod in kube-system gets.
 * </ul>
 * Watches never give up reconnecting (a DNS server must outlive API-server outages, behaviours.md 9.7).
 *
 * <p>Threads: call once at start-up.
 */
public final class ApiServerConnection {
  private ApiServerConnection() {}

  /** The client configuration the flags describe; see the class doc for the order of sources. */
  public static Config config(WatchConfig options) {
    Config config;
    if (options.kubeconfig() != null) {
      File f = new File(options.kubeconfig());
      if (!f.isFile()) {
        throw new IllegalArgumentException("--kubeconfig " + options.kubeconfig() + ": no such file");
      }
      config = Config.fromKubeconfig(options.context(), f);
    } else {
      config = Config.autoConfigure(options.context());
    }
    config.setWatchReconnectLimit(-1);
    return config;
  }

  /** A client for {@link #config(WatchConfig)}; the caller closes it after the watch. */
  public static KubernetesClient connect(WatchConfig options) {
    return new KubernetesClientBuilder().withConfig(config(options)).build();
  }
}
