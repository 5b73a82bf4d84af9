package io.clusterdns.index;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Address to PTR targets, split into {@value #SHARDS} immutable shards so that a change copies only the
 * shards whose addresses it touched, not the whole map (a 100,000-service cluster has ~200,000 entries).
 * For each address, ClusterIP targets come first and hide endpoint targets (behaviours.md 7.2).
 */
public final class ReverseIndex {
  /** Number of shards; a power of two. */
  static final int SHARDS = 256;

  static final ReverseIndex EMPTY = new ReverseIndex(emptyShards());

  /**
   * Address to the {@link ServiceInfo} whose ClusterIP it is, the {@link ServiceView} it is an endpoint of
   * (its endpoints at the address give the names, made on lookup), or a list of targets when it has several
   * owners: no object of its own and no name string for most addresses.
   */
  private final Map<IpAddress, Object>[] shards;

  ReverseIndex(Map<IpAddress, Object>[] shards) {
    this.shards = shards;
  }

  @SuppressWarnings("unchecked")
  static Map<IpAddress, Object>[] emptyShards() {
    Map<IpAddress, Object>[] s = new Map[SHARDS];
    for (int i = 0; i < SHARDS; i++) {
      s[i] = Map.of();
    }
    return s;
  }

  static int shardOf(IpAddress a) {
    long h = a.lo() ^ a.hi() * 31;
    h ^= h >>> 29;
    h *= 0x9E3779B97F4A7C15L;
    return (int) (h >>> 56) & (SHARDS - 1);
  }

  Map<IpAddress, Object>[] shards() {
    return shards;
  }

  /** PTR targets of this address: ClusterIP owners if any, else endpoint owners; empty if none. */
  public List<PtrTarget> lookup(IpAddress address) {
    return targets(shards[shardOf(address)].get(address), address);
  }

  /** A shard's value for {@code address} as a list: empty for null. */
  @SuppressWarnings("unchecked")
  static List<PtrTarget> targets(Object value, IpAddress address) {
    if (value == null) {
      return List.of();
    }
    if (value instanceof ServiceInfo s) {
      return List.of(target(s));
    }
    if (value instanceof ServiceView v) {
      // The service's endpoints at this address, each name once (an address two slices list is one target).
      List<PtrTarget> out = new ArrayList<>(1);
      for (EndpointAddress e : v.endpoints()) {
        if (e.address().equals(address)) {
          PtrTarget t = new PtrTarget(v.namespace(), v.name(), e.name());
          if (!out.contains(t)) {
            out.add(t);
          }
        }
      }
      return out;
    }
    return value instanceof PtrTarget t ? List.of(t) : (List<PtrTarget>) value;
  }

  /** The target of a service's ClusterIP. */
  static PtrTarget target(ServiceInfo s) {
    return new PtrTarget(s.namespace(), s.name(), null);
  }

  public int size() {
    int n = 0;
    for (Map<IpAddress, Object> s : shards) {
      n += s.size();
    }
    return n;
  }
}
