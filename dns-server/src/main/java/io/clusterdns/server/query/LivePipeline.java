package io.clusterdns.server.query;

import java.net.InetSocketAddress;

/**
 * What the listeners call: the pipeline of the configuration in force, swapped whole by a reload (issue 18).
 * A query reads the reference once, so it is answered entirely by the old or entirely by the new configuration,
 * never by a half-built one; queries already forwarded finish on the old pipeline's forwarders, which the
 * reload closes only after their time budget. The query log ({@code log}) wraps the reply sink here, outside the
 * pipeline, and only when configured: without it a query costs one volatile read more than calling the
 * pipeline directly. Response rate limiting ({@code --rrl}) also wraps the sink, of UDP queries only, and only when
 * configured.
 *
 * <p>Thread-safe: read on every event loop, written by the reload thread.
 */
public final class LivePipeline {
  /**
   * The pipeline and query log in force, one reference, so a query never pairs one's old with the other's new;
   * with the counts of the pipelines reloads retired, so a metrics read adds the retired counts to the pipeline
   * they belong with and the process-wide counters never go down across a swap. (What a retired pipeline counts
   * after its swap, for queries it was still finishing, is not added: a rare undercount, never a dip.)
   */
  private record InForce(QueryPipeline pipeline, QueryLog log, long retiredDropped, long retiredFailures) {}

  private volatile InForce inForce;
  /** Response rate limiting of UDP replies, or null (the default): fixed for the process's life. */
  private final ResponseRateLimiter rrl;

  public LivePipeline(QueryPipeline first) {
    this(first, null);
  }

  /** @param rrl response rate limiting of UDP replies, or null for none */
  public LivePipeline(QueryPipeline first, ResponseRateLimiter rrl) {
    this.inForce = new InForce(first, null, 0, 0);
    this.rrl = rrl;
  }

  /**
   * A UDP query ({@code tcp=false}), or a TCP one whose connection signals no keepalive.
   *
   * @param client the query's source address and port
   * @return false when the packet was dropped without a reply; else the sink gets exactly one reply
   */
  public boolean handle(byte[] packet, boolean tcp, InetSocketAddress client, ReplySink sink) {
    return handle(packet, tcp, QueryPipeline.NO_KEEPALIVE, client, sink);
  }

  /**
   * A TCP query.
   *
   * @param keepalive the connection's idle timeout in units of 100 ms, for EDNS TCP keepalive (RFC 7828)
   * @return false when the packet was dropped without a reply; else the sink gets exactly one reply
   */
  public boolean handleTcp(byte[] packet, int keepalive, InetSocketAddress client, ReplySink sink) {
    return handle(packet, true, keepalive, client, sink);
  }

  private boolean handle(byte[] packet, boolean tcp, int keepalive, InetSocketAddress client, ReplySink sink) {
    InForce now = inForce;
    QueryPipeline p = now.pipeline();
    QueryLog l = now.log();
    if (rrl != null && !tcp) {
      // Next to the socket: the query log still sees the reply the server made, and every UDP reply is limited.
      sink = rrl.guard(client.getAddress(), sink);
    }
    if (l == null) {
      return p.handle(packet, tcp, keepalive, client, sink);
    }
    return p.handle(packet, tcp, keepalive, client, l.sink(packet, tcp, client, sink));
  }

  public QueryPipeline current() {
    return inForce.pipeline();
  }

  /**
   * Puts {@code next} and its query log in force together; returns the pipeline it replaces. Called by one
   * thread at a time (the reload).
   *
   * @param log the query log, or null for none
   */
  public synchronized QueryPipeline swap(QueryPipeline next, QueryLog log) {
    InForce was = inForce;
    QueryPipeline old = was.pipeline();
    inForce = new InForce(next, log, was.retiredDropped() + old.droppedPackets(),
        was.retiredFailures() + old.internalFailures());
    return old;
  }

  /** @param next the query log, or null for none; the pipeline stays */
  public synchronized void log(QueryLog next) {
    InForce was = inForce;
    inForce = new InForce(was.pipeline(), next, was.retiredDropped(), was.retiredFailures());
  }

  /** Packets dropped by every pipeline this process ran. */
  public long droppedPackets() {
    InForce f = inForce;
    return f.retiredDropped() + f.pipeline().droppedPackets();
  }

  /** Internal failures of every pipeline this process ran. */
  public long internalFailures() {
    InForce f = inForce;
    return f.retiredFailures() + f.pipeline().internalFailures();
  }
}
