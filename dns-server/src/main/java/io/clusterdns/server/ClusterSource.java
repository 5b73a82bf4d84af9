package io.clusterdns.server;

import io.clusterdns.index.SnapshotSource;

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
    throw new Main.StartupException("TEMPORARY: loaders not merged yet");
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
