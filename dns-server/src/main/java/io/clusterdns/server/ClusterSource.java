package io.clusterdns.server;

import io.clusterdns.index.ClusterSnapshot;
import io.clusterdns.index.ClusterState;
import io.clusterdns.index.SnapshotPublisher;
import io.clusterdns.index.SnapshotSource;
import io.clusterdns.k8s.ManifestException;
import io.clusterdns.k8s.ManifestLoader;
import java.nio.file.Files;

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

  static ClusterSource open(ServerOptions o) throws Exception {
    if (o.snapshot != null || o.demo) {
      ClusterState state = new ClusterState(false);
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
    throw new Main.StartupException(
        "no cluster to serve: give --snapshot FILE or --demo (watching an API server comes with --kubeconfig)");
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
