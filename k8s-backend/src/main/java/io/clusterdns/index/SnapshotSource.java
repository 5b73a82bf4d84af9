package io.clusterdns.index;

/**
 * What the DNS server sees of the cluster index: the current snapshot (one volatile read) and whether the
 * first full sync has finished. Before sync, a miss must not become NXDOMAIN (behaviours.md 9.7).
 */
public interface SnapshotSource {
  ClusterSnapshot current();

  boolean synced();
}
