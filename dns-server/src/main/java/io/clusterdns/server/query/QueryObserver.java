package io.clusterdns.server.query;

/**
 * Receives one call per packet outcome, for metrics. Implementations run on event loops and must be cheap and
 * non-blocking (counters and histograms only).
 */
public interface QueryObserver {
  QueryObserver NONE = new QueryObserver() {};

  /**
   * A reply was sent for a decoded query.
   *
   * @param dnssecOk the query's OPT had the DO bit (RFC 3225)
   */
  default void answered(
      int qtype, boolean dnssecOk, boolean tcp, boolean ipv6, int rcode, QueryPipeline.Source source,
      int requestBytes, int replyBytes, long nanos) {}

  /** A packet was answered with an error before any zone saw it (FORMERR, NOTIMP). */
  default void rejected(int requestBytes, byte[] reply, boolean tcp, boolean ipv6) {}

  /**
   * A query is answered {@code rcode} (SERVFAIL, or REFUSED when load was shed) because of {@code cause}: what
   * CoreDNS's {@code errors} plugin logs. Called before the reply is reported to {@link #answered}; off the hot
   * path (failures only).
   *
   * @param cause null when the upstream path completed without a reply or a reason
   */
  default void failed(org.xbill.DNS.Message query, int rcode, Throwable cause) {}

  /** A packet got no reply. */
  default void dropped(Decoded.DropReason reason, boolean tcp, boolean ipv6) {}
}
