package io.clusterdns.server.forward;

/**
 * Why a forwarded query got no upstream reply; the pipeline answers SERVFAIL (behaviours.md 11.1, "never a
 * silent drop") or, for {@link Reason#OVERLOADED}, REFUSED (behaviours.md 11.2). No stack trace: it is an
 * expected outcome, created on the event loop, and must stay cheap.
 */
public final class ForwardFailure extends Exception {

  /** The closed set of reasons; the pipeline maps each to an rcode with {@link #rcode()}. */
  public enum Reason {
    /** Every try timed out or failed within the budget. */
    NO_UPSTREAM_ANSWERED,
    /** {@code max_concurrent} queries were already in flight. */
    OVERLOADED,
    /** The forwarder was closed. */
    CLOSED,
    /** No forward zone covers the name, or it lies in an {@code except} zone (CoreDNS: SERVFAIL). */
    NO_ROUTE
  }

  private final Reason reason;

  public ForwardFailure(Reason reason, String detail) {
    super(detail, null, false, false);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }

  /**
   * The rcode the client gets: REFUSED when overloaded or when no server block serves the name (CoreDNS
   * refuses names outside every configured zone), SERVFAIL otherwise.
   */
  public int rcode() {
    return reason == Reason.OVERLOADED || reason == Reason.NO_ROUTE
        ? org.xbill.DNS.Rcode.REFUSED : org.xbill.DNS.Rcode.SERVFAIL;
  }
}
