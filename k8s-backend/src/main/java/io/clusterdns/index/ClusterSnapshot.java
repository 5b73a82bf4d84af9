package io.clusterdns.index;

import java.util.List;
import java.util.Map;

/**
 * One immutable state of the cluster, as every query reads it. Published by one atomic reference swap
 * ({@link SnapshotPublisher}); readers take it once per query and never lock.
 *
 * @param namespaces keyed by lowercase namespace name; a namespace exists for DNS only if its Namespace object
 *     does (behaviours.md 1.5)
 * @param reverse PTR data for ClusterIPs and ready endpoint addresses
 * @param serial SOA serial: Unix seconds of the last DNS-relevant change (behaviours.md 9.3)
 * @param generation increases with every published snapshot
 * @param builtAtMillis wall-clock time this snapshot was published, for the data-age metric
 */
public record ClusterSnapshot(
    Map<String, NamespaceView> namespaces, ReverseIndex reverse, long serial, long generation, long builtAtMillis) {

  public static final ClusterSnapshot EMPTY = new ClusterSnapshot(Map.of(), ReverseIndex.EMPTY, 0, 0, 0);

  public NamespaceView namespace(String lowerName) {
    return namespaces.get(lowerName);
  }

  public List<PtrTarget> ptr(IpAddress address) {
    return reverse.lookup(address);
  }
}
