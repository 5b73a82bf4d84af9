package io.clusterdns.server.forward;

import java.util.concurrent.ScheduledFuture;

/**
 * One try of an {@link Exchange} at one upstream: the query's wire with this try's ID, the carrier and ID it
 * went out with, and its one timer (first the hedge point, if any, then its timeout). A query has one try at
 * a time, or two while a hedge is in flight; a pair (carrier, ID) names exactly one try, so a callback for
 * any other pair, or for a settled try, is stale and ignored.
 *
 * <p>Event loop only (the loop of the exchange's {@link LoopConnections}); the timer calls {@link #run()}.
 */
final class UpstreamTry implements Runnable {

  final Exchange exchange;
  final Upstream upstream;
  final boolean hedge;
  private final byte[] wire;

  Carrier carrier;
  int id = -1;
  long startNanos;
  /** When this try times out. */
  long endNanos;
  /** When the hedge is due while this try waits, or 0 when none will be sent from it. */
  long hedgeAtNanos;
  ScheduledFuture<?> timer;
  boolean retriedFresh;
  /** Answered, failed, timed out or abandoned: later callbacks are ignored. */
  boolean settled;

  UpstreamTry(Exchange exchange, Upstream upstream, byte[] wire, boolean hedge) {
    this.exchange = exchange;
    this.upstream = upstream;
    this.wire = wire;
    this.hedge = hedge;
  }

  /** Called by the carrier in {@link Carrier#send}: this try is (carrier, id). Returns the wire to send. */
  byte[] bind(Carrier c, int newId) {
    carrier = c;
    id = newId;
    wire[0] = (byte) (newId >>> 8);
    wire[1] = (byte) newId;
    return wire;
  }

  /** A packet with this try's ID arrived on {@code c}; it still has to match the question. */
  void onReply(Carrier c, int replyId, byte[] bytes) {
    if (!settled && c == carrier && replyId == id) {
      exchange.replied(this, bytes);
    }
  }

  /** The carrier broke; a reused TCP connection says so ({@code reusedConnection}). */
  void carrierFailed(Carrier c, int failedId, boolean reusedConnection) {
    if (!settled && c == carrier && failedId == id) {
      exchange.carrierFailed(this, reusedConnection);
    }
  }

  void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  /** Gives up on this try: its carrier forgets the ID, so a reply arriving later is dropped and counted. */
  void abandon() {
    settled = true;
    cancelTimer();
    if (carrier != null) {
      carrier.abandon(id);
      carrier = null;
    }
  }

  /** The timer: the hedge point or the timeout. */
  @Override
  public void run() {
    timer = null;
    if (!settled) {
      exchange.timerFired(this);
    }
  }
}
