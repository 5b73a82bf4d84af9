package io.clusterdns.server.net;

import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts open TCP connections, in total and per client address, for every listener of one server, and refuses
 * those over {@link TcpLimits#maxConnections} or {@link TcpLimits#maxPerClient}: such a connection is closed as
 * soon as it is accepted and counted. Touched once when a connection opens and once when it closes, never per
 * query. Thread-safe: connections open and close on every event loop.
 */
public final class TcpConnections {
  private final TcpLimits limits;
  private final AtomicInteger open = new AtomicInteger();
  private final ConcurrentHashMap<InetAddress, Integer> perClient = new ConcurrentHashMap<>();
  private final LongAdder rejectedTotal = new LongAdder();
  private final LongAdder rejectedPerClient = new LongAdder();
  private final LongAdder pausedReads = new LongAdder();

  public TcpConnections(TcpLimits limits) {
    this.limits = limits;
  }

  public TcpLimits limits() {
    return limits;
  }

  /**
   * Admits a newly accepted connection, or refuses it (the caller closes it). An admitted one is released when
   * it closes.
   */
  boolean admit(Channel ch) {
    InetAddress client = ch.remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
    if (open.incrementAndGet() > limits.maxConnections()) {
      open.decrementAndGet();
      rejectedTotal.increment();
      return false;
    }
    if (client != null) {
      boolean[] over = new boolean[1];
      perClient.compute(client, (k, n) -> {
        int next = n == null ? 1 : n + 1;
        if (next > limits.maxPerClient()) {
          over[0] = true;
          return n;
        }
        return next;
      });
      if (over[0]) {
        open.decrementAndGet();
        rejectedPerClient.increment();
        return false;
      }
    }
    ch.closeFuture().addListener(f -> release(client));
    return true;
  }

  private void release(InetAddress client) {
    open.decrementAndGet();
    if (client != null) {
      perClient.computeIfPresent(client, (k, n) -> n == 1 ? null : n - 1);
    }
  }

  /** A connection stopped being read because it reached {@link TcpLimits#maxInFlight}. */
  void pausedForInFlight() {
    pausedReads.increment();
  }

  /** TCP connections open now. */
  public int open() {
    return open.get();
  }

  /** Connections closed at accept because {@link TcpLimits#maxConnections} were open. */
  public long rejectedTotal() {
    return rejectedTotal.sum();
  }

  /** Connections closed at accept because their client had {@link TcpLimits#maxPerClient} open. */
  public long rejectedPerClient() {
    return rejectedPerClient.sum();
  }

  /** Times a connection stopped being read at {@link TcpLimits#maxInFlight}. */
  public long pausedReads() {
    return pausedReads.sum();
  }

  /** Client addresses with a connection open now (for tests: the map empties when they close). */
  int clients() {
    return perClient.size();
  }
}
