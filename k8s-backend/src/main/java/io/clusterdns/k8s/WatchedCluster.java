package io.clusterdns.k8s;

import io.clusterdns.config.WatchConfig;
import io.clusterdns.index.SnapshotPublisher;
import io.clusterdns.index.SnapshotSource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * A live cluster as the DNS server sees it: the snapshots of a {@link ClusterWatch} over its own API client,
 * closed together. This is what {@code k8s-backend} hands the server, so no fabric8 type leaves the module.
 *
 * <p>Threads: start and close from one thread; {@link #snapshots()} is read from any.
 */
public final class WatchedCluster implements AutoCloseable {
  /** The API client could not be set up from the flags (a bad kubeconfig, no in-cluster account, ...). */
  public static final class SetupException extends Exception {
    private static final long serialVersionUID = 1L;

    SetupException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final KubernetesClient client;
  private final ClusterWatch watch;
  private final WatchListener listener;
  private final String context;
  private ApiServerProbe probe;

  private WatchedCluster(KubernetesClient client, ClusterWatch watch, ApiServerProbe probe, WatchListener listener,
      String context) {
    this.client = client;
    this.watch = watch;
    this.probe = probe;
    this.listener = listener;
    this.context = context;
  }

  /**
   * Connects as {@code config} says (ApiServerConnection), starts the watch and waits for the first sync at
   * most the configured start-up timeout; returns either way (unsynced, cluster names answer SERVFAIL).
   *
   * @param registry where the watch's metrics go, or null for none
   */
  public static WatchedCluster start(WatchConfig config, PrometheusRegistry registry)
      throws SetupException, InterruptedException {
    return start(config, registry, WatchListener.NONE);
  }

  /** {@link #start(WatchConfig, PrometheusRegistry)}, telling {@code listener} what happens meanwhile. */
  public static WatchedCluster start(WatchConfig config, PrometheusRegistry registry, WatchListener listener)
      throws SetupException, InterruptedException {
    KubernetesClient client;
    String context;
    try {
      client = ApiServerConnection.connect(config);
      context = client.getConfiguration().getCurrentContext() == null ? null
          : client.getConfiguration().getCurrentContext().getName();
    } catch (RuntimeException e) {
      throw new SetupException("cannot set up the Kubernetes client: " + e.getMessage(), e);
    }
    // Says within seconds why the API server cannot be used (refused, TLS, 401, 403), which the watch's own
    // retries would hide for a minute or more.
    ApiServerProbe probe = ApiServerProbe.start(client, listener);
    ClusterWatch watch = new ClusterWatch(client, config, new SnapshotPublisher(), registry);
    WatchedCluster cluster = new WatchedCluster(client, watch, probe, listener, context);
    try {
      watch.start();
      listener.started(cluster);
      watch.awaitStartup();
    } catch (InterruptedException | RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  /** What the DNS server reads. */
  public SnapshotSource snapshots() {
    return watch.snapshots();
  }

  public boolean synced() {
    return watch.synced();
  }

  /** The API server's URL, for the start-up line. */
  public String apiServer() {
    return client.getConfiguration().getMasterUrl();
  }

  /** The kubeconfig context the client uses, or null (in-cluster). */
  public String context() {
    return context;
  }

  /** Objects received from the API server so far; grows during the first sync. */
  public long changesReceived() {
    return watch.changesReceived();
  }

  /** True while every kind has an open watch. */
  public boolean watching() {
    return watch.watching();
  }

  /**
   * Probes the API server again unless a probe is still running: for a watch that lost its connection after
   * the first sync (the start-up probe has ended by then), so the cause is named and its end reported.
   */
  public synchronized void recheck() {
    if (!probe.running()) {
      probe = ApiServerProbe.start(client, listener);
    }
  }

  /** Stops the watch, then closes the client; the last snapshot stays readable. */
  @Override
  public void close() {
    try {
      synchronized (this) {
        probe.close();
      }
      watch.close();
    } finally {
      client.close();
    }
  }
}
