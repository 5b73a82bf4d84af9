package io.clusterdns.server;

import io.clusterdns.index.ClusterSnapshot;
import io.clusterdns.index.ClusterState;
import io.clusterdns.index.SnapshotPublisher;
import io.clusterdns.index.SnapshotSource;
import io.clusterdns.k8s.ManifestException;
import io.clusterdns.k8s.ManifestLoader;
import io.clusterdns.config.WatchConfig;
import io.clusterdns.k8s.WatchListener;
import io.clusterdns.k8s.WatchedCluster;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.clusterdns.config.KubernetesConfig;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.nio.file.Path;

/** Where the cluster index comes from: a manifest file, the demo cluster, or a watch of the API server. */
final class ClusterSource implements AutoCloseable {
  private final SnapshotSource snapshots;
  private final String description;
  private final AutoCloseable resource;

  private ClusterSource(SnapshotSource snapshots, String description, AutoCloseable resource) {
    this.snapshots = snapshots;
    this.description = description;
    this.resource = resource;
  }

  static ClusterSource open(ServerOptions o, EffectiveConfig config, PrometheusRegistry registry)
      throws Exception {
    return open(o, config, registry, WatchListener.NONE);
  }

  /** @param listener told about the watch while it starts and runs (the dev command's status) */
  static ClusterSource open(ServerOptions o, EffectiveConfig config, PrometheusRegistry registry,
      WatchListener listener) throws Exception {
    if (o.snapshot != null || o.demo) {
      ClusterState state = new ClusterState(config.kubernetes().endpointPodNames());
      ManifestLoader.Summary s;
      String from;
      if (o.demo) {
        s = ManifestLoader.loadDemo(state);
        from = "the built-in demo cluster";
      } else {
        if (!Files.isReadable(o.snapshot)) {
          throw new Main.StartupException("--snapshot " + o.snapshot + ": no such readable file");
        }
        try {
          s = ManifestLoader.load(o.snapshot, state);
        } catch (ManifestException e) {
          throw new Main.StartupException("--snapshot " + e.getMessage());
        }
        from = o.snapshot.toString();
      }
      ClusterSnapshot snap = state.build();
      return new ClusterSource(SnapshotPublisher.ofSynced(snap),
          from + " (" + s.namespaces() + " namespaces, " + s.services() + " services, " + s.endpointSlices()
              + " endpoint slices, " + s.pods() + " pods)",
          null);
    }
    return watch(config.watch(), registry, listener);
  }

  /**
   * Watches the API server (issue "Live cluster"): the kubeconfig of {@code --kubeconfig} or the standard
   * places, in-cluster otherwise. Waits up to the start-up timeout for the first full sync, then serves anyway:
   * cluster names answer SERVFAIL until synced, never NXDOMAIN (behaviours.md 9.7, 13.4).
   */
  private static ClusterSource watch(WatchConfig cfg, PrometheusRegistry registry, WatchListener listener)
      throws Exception {
    if (cfg.kubeconfig() != null && !Files.isReadable(Path.of(cfg.kubeconfig()))) {
      throw new Main.StartupException("kubeconfig " + cfg.kubeconfig() + ": no such readable file");
    }
    WatchedCluster cluster;
    try {
      cluster = WatchedCluster.start(cfg, registry, listener);
    } catch (WatchedCluster.SetupException e) {
      throw new Main.StartupException(e.getMessage());
    }
    return new ClusterSource(cluster.snapshots(), "the API server at " + cluster.apiServer()
        + (cluster.synced() ? "" : " (not synced yet: cluster names answer SERVFAIL until it is)"), cluster);
  }

  /** A further cluster's watch and what the server answers from it. */
  record Other(ClusterDnsServer.OtherCluster cluster, WatchedCluster watch) {}

  /**
   * The watches of the further clusters of {@code o} (the dev command's second and later {@code --context}), one
   * after another, each with the first cluster's watch options and the same kubeconfig; a failed start closes
   * those already started.
   */
  static List<Other> openOthers(ServerOptions o, EffectiveConfig config, StartupHooks hooks) throws Exception {
    List<Other> out = new ArrayList<>();
    try {
      for (ServerOptions.OtherContext oc : o.otherClusters) {
        WatchConfig w = config.watch();
        WatchConfig wc = new WatchConfig(w.kubeconfig(), oc.context(), w.namespaces(), w.namespaceLabels(),
            w.labels(), w.watchPods(), w.endpointPodNames(), w.startupTimeout());
        WatchedCluster c;
        try {
          // No registry: the watch series exist once per process, for the first cluster.
          c = WatchedCluster.start(wc, null, hooks.watchListener(oc.context(), oc.zone()));
        } catch (WatchedCluster.SetupException e) {
          throw new Main.StartupException("--context " + oc.context() + ": " + e.getMessage());
        }
        KubernetesConfig k = config.kubernetes();
        out.add(new Other(new ClusterDnsServer.OtherCluster(new KubernetesConfig(List.of(oc.zone()), k.pods(),
            k.ttl(), List.of(), k.endpointPodNames()), c.snapshots()), c));
      }
    } catch (Exception | Error e) {
      out.forEach(x -> x.watch().close());
      throw e;
    }
    return out;
  }

  SnapshotSource snapshots() {
    return snapshots;
  }

  String describe() {
    return description;
  }

  @Override
  public void close() throws Exception {
    if (resource != null) {
      resource.close();
    }
  }
}
