package io.clusterdns.server.forward;

import io.clusterdns.config.ForwardPolicy;
import io.clusterdns.config.HostPort;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The upstreams of one forward block and the order a query tries them in (CoreDNS {@code policy}:
 * random, round_robin, sequential). Thread-safe: called by every event loop; the round-robin cursor is an
 * atomic counter, never a lock.
 */
public final class UpstreamPool {

  private final Upstream[] upstreams;
  private final ForwardPolicy policy;
  private final AtomicInteger cursor = new AtomicInteger();

  public UpstreamPool(List<HostPort> configured, ForwardPolicy policy, ForwardMetrics metrics) {
    this.upstreams = new Upstream[configured.size()];
    for (int i = 0; i < upstreams.length; i++) {
      upstreams[i] = new Upstream(configured.get(i), i, metrics);
    }
    this.policy = policy;
  }

  public List<Upstream> upstreams() {
    return List.of(upstreams);
  }

  public int size() {
    return upstreams.length;
  }

  /**
   * The upstreams this query should try, in policy order, leaving out those that are down; when all are
   * down, all of them (CoreDNS tries anyway when health checking looks broken), and {@code allDown} is
   * the caller's cue to count it.
   */
  Upstream[] order(int maxFails) {
    Upstream[] all = order();
    int up = 0;
    for (Upstream u : all) {
      if (!u.isDown(maxFails)) {
        up++;
      }
    }
    if (up == all.length || up == 0) {
      return all;
    }
    Upstream[] out = new Upstream[up];
    int i = 0;
    for (Upstream u : all) {
      if (!u.isDown(maxFails)) {
        out[i++] = u;
      }
    }
    return out;
  }

  /** Whether every upstream is down now. */
  boolean allDown(int maxFails) {
    for (Upstream u : upstreams) {
      if (!u.isDown(maxFails)) {
        return false;
      }
    }
    return true;
  }

  /** A new array with every upstream once, in the order this query should try them. */
  Upstream[] order() {
    Upstream[] out = upstreams.clone();
    int n = out.length;
    switch (policy) {
      case RANDOM -> {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        for (int i = n - 1; i > 0; i--) {
          int j = rnd.nextInt(i + 1);
          Upstream t = out[i];
          out[i] = out[j];
          out[j] = t;
        }
      }
      case ROUND_ROBIN -> {
        int start = Math.floorMod(cursor.getAndIncrement(), n);
        for (int i = 0; i < n; i++) {
          out[i] = upstreams[(start + i) % n];
        }
      }
      case SEQUENTIAL -> {
        // configured order
      }
    }
    return out;
  }
}
