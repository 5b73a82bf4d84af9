package io.clusterdns.server.forward;

import com.github.benmanes.caffeine.cache.Ticker;
import io.netty.channel.EventLoop;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * The upstream sockets of one {@link Forwarder} on one event loop: per upstream, the active connected
 * {@link UdpSocket} and a stack of idle {@link TcpConnection}s (most recently used first, so a busy loop
 * keeps reusing warm connections and cold ones expire). Idle TCP connections older than {@code expire} are
 * closed by a sweep that runs only while some are idle. Counts connection-cache hits and misses
 * (behaviours.md 14, {@code coredns_proxy_conn_cache_*}).
 *
 * <p>Event loop only: every method runs on {@link #loop()}, so no field needs a lock.
 */
final class LoopConnections {

  private final Forwarder forwarder;
  private final EventLoop loop;
  private final long expireNanos;
  private final Ticker clock;
  private final UdpSocket[] udp;
  private final ArrayDeque<TcpConnection>[] idleTcp;
  private boolean sweepScheduled;
  private boolean closed;

  @SuppressWarnings("unchecked")
  LoopConnections(Forwarder forwarder, EventLoop loop, int upstreams) {
    this.forwarder = forwarder;
    this.loop = loop;
    this.expireNanos = forwarder.config().expire().toNanos();
    this.clock = forwarder.connectionClock();
    this.udp = new UdpSocket[upstreams];
    this.idleTcp = new ArrayDeque[upstreams];
    for (int i = 0; i < upstreams; i++) {
      idleTcp[i] = new ArrayDeque<>();
    }
  }

  Forwarder forwarder() {
    return forwarder;
  }

  EventLoop loop() {
    return loop;
  }

  /** Now on the clock that ages sockets, nanoseconds. */
  long now() {
    return clock.read();
  }

  /** The UDP socket a new query to {@code up} should use. */
  UdpSocket udp(Upstream up) {
    int i = up.index();
    UdpSocket s = udp[i];
    if (s != null && !s.worn(now(), expireNanos)) {
      up.series().udpHits.inc();
      return s;
    }
    if (s != null) {
      s.retire();
    }
    up.series().udpMisses.inc();
    s = new UdpSocket(this, up);
    udp[i] = s;
    if (closed) {
      s.retire();
    }
    return s;
  }

  void udpGone(Upstream up, UdpSocket s) {
    if (udp[up.index()] == s) {
      udp[up.index()] = null;
    }
  }

  /** An idle unexpired TCP connection to {@code up}, or a new one ({@code fresh} forces a new one). */
  TcpConnection tcp(Upstream up, boolean fresh, long connectTimeoutMillis) {
    ArrayDeque<TcpConnection> idle = idleTcp[up.index()];
    long now = now();
    while (!fresh && !idle.isEmpty()) {
      TcpConnection c = idle.pollFirst();
      if (c.isOpen() && now - c.idleSinceNanos <= expireNanos) {
        up.series().tcpHits.inc();
        c.reuse();
        return c;
      }
      c.close();
    }
    up.series().tcpMisses.inc();
    return new TcpConnection(this, up, connectTimeoutMillis);
  }

  void tcpIdle(Upstream up, TcpConnection c) {
    if (closed || !c.isOpen()) {
      c.close();
      return;
    }
    c.idleSinceNanos = now();
    idleTcp[up.index()].addFirst(c);
    if (!sweepScheduled) {
      sweepScheduled = true;
      loop.schedule(this::sweep, expireNanos, TimeUnit.NANOSECONDS);
    }
  }

  private void sweep() {
    sweepScheduled = false;
    long now = now();
    boolean any = false;
    for (ArrayDeque<TcpConnection> idle : idleTcp) {
      // the stack is newest first: expired ones sit at the end
      while (!idle.isEmpty()
          && (!idle.peekLast().isOpen() || now - idle.peekLast().idleSinceNanos > expireNanos)) {
        idle.pollLast().close();
      }
      any |= !idle.isEmpty();
    }
    if (any && !closed) {
      sweepScheduled = true;
      loop.schedule(this::sweep, expireNanos, TimeUnit.NANOSECONDS);
    }
  }

  /** Counts a packet from {@code up} that matched no query in flight (late or spoofed). */
  void dropped(Upstream up) {
    up.series().dropped.inc();
    forwarder.countDropped();
  }

  /** UDP tries waiting for a reply on the active sockets (for tests: none may be left behind). */
  int pendingUdp() {
    int n = 0;
    for (UdpSocket s : udp) {
      n += s == null ? 0 : s.pendingCount();
    }
    return n;
  }

  /** Idle TCP connections to {@code up} now (for tests and debugging). */
  int idleTcpCount(Upstream up) {
    return idleTcp[up.index()].size();
  }

  /** Closes idle connections and retires sockets; queries in flight settle on their own timers. */
  void close() {
    closed = true;
    for (int i = 0; i < udp.length; i++) {
      if (udp[i] != null) {
        udp[i].retire();
        udp[i] = null;
      }
      while (!idleTcp[i].isEmpty()) {
        idleTcp[i].pollFirst().close();
      }
    }
  }
}
