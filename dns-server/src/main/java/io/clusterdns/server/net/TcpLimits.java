package io.clusterdns.server.net;

import java.time.Duration;

/**
 * The bounds a TCP client meets (README "Hardening"). Defaults, and why:
 *
 * <ul>
 *   <li>{@code idleTimeout} 10 s: a connection with no query in progress and no reply pending is closed (RFC 7766
 *       6.2.3: seconds, not minutes; CoreDNS's DNS library uses 8 s, Knot DNS 10 s). It is also the TIMEOUT
 *       signalled by EDNS TCP keepalive (RFC 7828 3.3.2: the value "currently associated with the TCP session").
 *   <li>{@code queryTimeout} 2 s: a query whose first byte has arrived must be whole within it (slowloris; CoreDNS's
 *       DNS library reads each TCP message within 2 s).
 *   <li>{@code maxConnections} 1024 in total, {@code maxPerClient} 64 per client address: beyond them a new
 *       connection is closed at once, so one client (or a flood of them) cannot take every file descriptor. BIND
 *       allows 150 TCP clients by default, Unbound 10 per thread; a cluster DNS server sees TCP mostly for
 *       truncated retries, and node-local caches forwarding over TCP hold a few connections per node.
 *   <li>{@code maxInFlight} 32: queries read on one connection whose replies are not yet written. At the limit
 *       the connection is not read until a reply goes out (TCP flow control slows the client), rather than closed:
 *       RFC 7766 6.2.1.1 asks clients to pipeline and servers to process pipelined queries concurrently, and 7
 *       lets replies go out in any order, so a client that pipelines is doing the right thing and must not lose
 *       its queries; it only has to wait. BIND answers at most 23 pipelined queries of one connection at a time,
 *       Knot Resolver 100 ({@code tcp_pipeline}); CoreDNS one.
 * </ul>
 *
 * @param idleTimeout close a connection idle this long
 * @param queryTimeout a started query must be complete within this
 * @param maxConnections open TCP connections in total, all listeners together
 * @param maxPerClient open TCP connections per client IP address
 * @param maxInFlight queries of one connection whose replies are not yet written
 */
public record TcpLimits(Duration idleTimeout, Duration queryTimeout, int maxConnections, int maxPerClient,
    int maxInFlight) {

  /** Longest idle timeout: what the keepalive option's 16-bit TIMEOUT can say, in units of 100 ms (RFC 7828 3.1). */
  public static final Duration MAX_IDLE_TIMEOUT = Duration.ofMillis(65535L * 100);

  public static final TcpLimits DEFAULTS = new TcpLimits(Duration.ofSeconds(10), Duration.ofSeconds(2), 1024, 64, 32);

  public TcpLimits {
    if (idleTimeout.toMillis() < 100 || idleTimeout.compareTo(MAX_IDLE_TIMEOUT) > 0) {
      throw new IllegalArgumentException("the TCP idle timeout must be between 0.1 and 6553.5 seconds, not "
          + seconds(idleTimeout));
    }
    if (queryTimeout.toMillis() < 100 || queryTimeout.compareTo(Duration.ofSeconds(60)) > 0) {
      throw new IllegalArgumentException("the TCP query timeout must be between 0.1 and 60 seconds, not "
          + seconds(queryTimeout));
    }
    if (maxConnections < 1 || maxPerClient < 1 || maxInFlight < 1) {
      throw new IllegalArgumentException("TCP connection and in-flight limits must be at least 1");
    }
  }

  /** The idle timeout in the keepalive option's unit, 100 ms (RFC 7828 3.1). */
  public int keepaliveTimeout() {
    return (int) (idleTimeout.toMillis() / 100);
  }

  private static String seconds(Duration d) {
    return d.toMillis() / 1000.0 + "";
  }
}
