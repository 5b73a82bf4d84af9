package io.clusterdns.server.forward;

import io.clusterdns.config.HostPort;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One upstream server and its health. The address is resolved once at construction (only IP literals are
 * accepted, as in CoreDNS's {@code forward}, so this never does a DNS lookup). The failure count is written by
 * any event loop with plain volatile increments: an occasional lost update only shifts when an upstream is
 * marked down by one query, which is harmless.
 */
public final class Upstream {

  private final HostPort configured;
  private final int index;
  private final InetSocketAddress address;
  private final String label;
  private final AtomicBoolean probing = new AtomicBoolean();
  private volatile int fails;
  private final ForwardMetrics.UpstreamSeries series;
  private final RttEstimator rtt = new RttEstimator();

  public Upstream(HostPort configured, int index, ForwardMetrics metrics) {
    this.configured = configured;
    this.index = index;
    if (configured.host().isEmpty() || !isIpLiteral(configured.host())) {
      throw new IllegalArgumentException("upstream '" + configured + "' must be an IP address");
    }
    try {
      this.address = new InetSocketAddress(InetAddress.getByName(configured.host()), configured.port());
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("upstream '" + configured + "': " + e.getMessage(), e);
    }
    this.label = configured.toString();
    this.series = metrics.forUpstream(label);
  }

  ForwardMetrics.UpstreamSeries series() {
    return series;
  }

  /** Position in the configured list; indexes the per-loop connection pools. */
  int index() {
    return index;
  }

  public InetSocketAddress address() {
    return address;
  }

  public HostPort configured() {
    return configured;
  }

  /** The {@code to} label of the proxy metrics: {@code HOST:PORT} as configured. */
  public String label() {
    return label;
  }

  /** Consecutive failed tries since the last success. */
  public int fails() {
    return fails;
  }

  void recordSuccess() {
    if (fails != 0) {
      fails = 0;
    }
  }

  void recordFailure() {
    fails = fails + 1;
  }

  /** The smoothed round-trip time of answered UDP tries (the hedge delay is read from it). */
  RttEstimator rtt() {
    return rtt;
  }

  /** SRTT in seconds, or NaN before the first answered UDP try. */
  public double srttSeconds() {
    long n = rtt.srttNanos();
    return n < 0 ? Double.NaN : n / 1e9;
  }

  void recordRtt(long nanos) {
    rtt.sample(nanos);
    series.srtt(rtt.srttNanos() / 1e9);
  }

  /** Claims the health check of this upstream; false if one is already running. */
  boolean startProbing() {
    return probing.compareAndSet(false, true);
  }

  void stopProbing() {
    probing.set(false);
  }

  /** Whether a health check is probing this upstream now. */
  public boolean isProbing() {
    return probing.get();
  }

  /** Down when {@code maxFails > 0} and it failed that many times in a row (CoreDNS {@code max_fails}). */
  boolean isDown(int maxFails) {
    return maxFails > 0 && fails >= maxFails;
  }

  private static boolean isIpLiteral(String host) {
    if (host.indexOf(':') >= 0) {
      return true; // IPv6; InetAddress parses literals without lookups
    }
    int dots = 0;
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      if (c == '.') {
        dots++;
      } else if (c < '0' || c > '9') {
        return false;
      }
    }
    return dots == 3;
  }

  @Override
  public String toString() {
    return label;
  }
}
