package io.clusterdns.index;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Holds the live snapshot. Writers (the indexer thread, or a loader at start-up) publish whole snapshots;
 * readers on the event loops take one with a single volatile read and never see half an update.
 */
public final class SnapshotPublisher implements SnapshotSource {
  private final AtomicReference<ClusterSnapshot> current = new AtomicReference<>(ClusterSnapshot.EMPTY);
  private volatile boolean synced;

  @Override
  public ClusterSnapshot current() {
    return current.get();
  }

  @Override
  public boolean synced() {
    return synced;
  }

  public void publish(ClusterSnapshot snapshot) {
    current.set(snapshot);
  }

  /** Marks the first full sync as done; stays set for the life of the process (CoreDNS's HasSynced). */
  public void markSynced() {
    synced = true;
  }

  /** A publisher already holding a complete snapshot, as for {@code --snapshot} and {@code --demo}. */
  public static SnapshotPublisher ofSynced(ClusterSnapshot snapshot) {
    SnapshotPublisher p = new SnapshotPublisher();
    p.publish(snapshot);
    p.markSynced();
    return p;
  }
}
