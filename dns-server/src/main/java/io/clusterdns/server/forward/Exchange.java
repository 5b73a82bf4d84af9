package io.clusterdns.server.forward;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.xbill.DNS.Message;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * One forwarded query (or health probe) on its way through the upstreams: tries in policy order, each bounded
 * by the per-try timeout and the overall deadline; the first matching reply wins; when the order is used up
 * or the deadline passes, it fails with {@link ForwardFailure} (behaviours.md 11.1).
 *
 * <p>Hedging (issue 22 §2): when a UDP try has waited its upstream's hedge delay ({@link Forwarder#hedgeDelayNanos})
 * and the forwarder's {@link HedgeBudget} has a token, the same query also goes to the next upstream of the
 * order (or, when none is left, to the same upstream again under a new ID), and whichever answers first wins.
 * At most one hedge per query. The try that loses is not abandoned: it stays pending until its own
 * timeout, so that a late reply still gives its upstream an RTT sample and a success, and a timeout still
 * counts as a failure for {@code max_fails}; its reply is then discarded, never passed on (the result
 * completes once). Without hedging this is CoreDNS's behaviour: the next upstream only after a timeout.
 *
 * <p>Threads: every field is owned by the loop of {@link #conns}; carriers, timers and the start all run
 * there, so nothing needs a lock.
 */
final class Exchange {

  private final Forwarder forwarder;
  private final LoopConnections conns;
  private final byte[] wire;
  private final int clientId;
  private final Record question;
  private final Upstream[] order;
  private final boolean tcp;
  private final long tryNanos;
  private final long deadlineNanos;
  private final boolean probe;
  private final boolean mayHedge;
  private final CompletableFuture<Message> result = new CompletableFuture<>();

  private int next;
  /** The try the query waits on; null when none is in flight. */
  private UpstreamTry current;
  /** The hedged try while it is in flight beside {@link #current}. */
  private UpstreamTry hedge;
  /** A hedge was sent or refused: none more for this query. */
  private boolean hedged;
  private boolean done;

  Exchange(Forwarder forwarder, LoopConnections conns, byte[] wire, int clientId, Record question,
      Upstream[] order, boolean tcp, long tryNanos, long budgetNanos, boolean probe) {
    this.forwarder = forwarder;
    this.conns = conns;
    this.wire = wire;
    this.clientId = clientId;
    this.question = question;
    this.order = order;
    this.tcp = tcp;
    this.tryNanos = tryNanos;
    this.probe = probe;
    // Over TCP a lost segment is the kernel's to resend, and TCP round trips include connection set-up:
    // hedging is for UDP, where a lost datagram otherwise costs the whole try timeout.
    this.mayHedge = !probe && !tcp && forwarder.hedging();
    this.deadlineNanos = System.nanoTime() + budgetNanos;
  }

  CompletableFuture<Message> result() {
    return result;
  }

  /** Starts the first try; runs on the loop. */
  void start() {
    nextTry();
  }

  private void nextTry() {
    long now = System.nanoTime();
    long remaining = deadlineNanos - now;
    if (next >= order.length || remaining <= 0) {
      finish(null, new ForwardFailure(ForwardFailure.Reason.NO_UPSTREAM_ANSWERED,
          "no upstream answered " + question.getName() + " " + Type.string(question.getType())
              + " after " + next + " tries"));
      return;
    }
    UpstreamTry t = new UpstreamTry(this, order[next++], wire, false);
    t.endNanos = now + Math.min(tryNanos, remaining);
    if (mayHedge && !hedged) {
      long at = now + forwarder.hedgeDelayNanos(t.upstream);
      if (at < t.endNanos) {
        t.hedgeAtNanos = at;
      }
    }
    current = t;
    launch(t, now, false);
  }

  /** Arms the try's timer and sends it; the carrier may call back before this returns. */
  private void launch(UpstreamTry t, long now, boolean fresh) {
    t.startNanos = now;
    long wake = t.hedgeAtNanos != 0 ? t.hedgeAtNanos : t.endNanos;
    t.timer = conns.loop().schedule(t, wake - now, TimeUnit.NANOSECONDS);
    Carrier c = tcp
        ? conns.tcp(t.upstream, fresh, TimeUnit.NANOSECONDS.toMillis(t.endNanos - now))
        : conns.udp(t.upstream);
    c.send(t);
  }

  /** The try's timer: its hedge point, or its timeout. */
  void timerFired(UpstreamTry t) {
    long now = System.nanoTime();
    if (t.hedgeAtNanos != 0) {
      t.hedgeAtNanos = 0;
      if (now < t.endNanos) {
        t.timer = conns.loop().schedule(t, t.endNanos - now, TimeUnit.NANOSECONDS);
        if (!done && t == current && !hedged) {
          sendHedge(t, now);
        }
        return;
      }
    }
    t.abandon();
    tryFailed(t);
  }

  private void sendHedge(UpstreamTry waiting, long now) {
    hedged = true;
    Upstream target = next < order.length ? order[next] : waiting.upstream;
    if (!forwarder.hedgeBudget().tryAcquire(now)) {
      forwarder.hedgeRefused();
      return;
    }
    UpstreamTry h = new UpstreamTry(this, target, wire.clone(), true);
    if (target == waiting.upstream) {
      // A resend to the only upstream left: it ends with the try it doubles, so a dead upstream still
      // gets its SERVFAIL when CoreDNS would give it.
      h.endNanos = waiting.endNanos;
    } else {
      next++;
      h.endNanos = Math.min(now + tryNanos, deadlineNanos);
    }
    hedge = h;
    forwarder.hedgeSent(target);
    launch(h, now, false);
  }

  /** A packet with the try's ID arrived. */
  void replied(UpstreamTry t, byte[] bytes) {
    Message reply = ReplyCheck.accept(bytes, t.id, question);
    if (reply == null) {
      conns.dropped(t.upstream); // right ID, wrong question: spoofed; keep waiting
      return;
    }
    t.settled = true;
    t.cancelTimer();
    t.carrier.answered(t.id);
    t.carrier = null;
    if (!probe) {
      long rtt = System.nanoTime() - t.startNanos;
      t.upstream.series().observe(reply.getRcode(), rtt);
      t.upstream.recordSuccess();
      if (!tcp) {
        t.upstream.recordRtt(rtt);
      }
    }
    if (done) {
      return; // the loser of a hedge, late: measured above, and its reply is not passed on
    }
    if (!probe) {
      forwarder.answered(question, t.upstream);
    }
    if (t.hedge) {
      forwarder.hedgeWon(t.upstream);
    }
    if (t == current) {
      current = null;
    } else {
      hedge = null;
    }
    reply.getHeader().setID(clientId);
    finish(reply, null);
  }

  /**
   * The carrier broke (ICMP unreachable, connection closed or refused); it has already forgotten the ID. A
   * reused TCP connection that the upstream closed while idle gets one retry on a fresh connection, without
   * counting a failure.
   */
  void carrierFailed(UpstreamTry t, boolean reusedConnection) {
    t.cancelTimer();
    t.carrier = null;
    if (reusedConnection && !t.retriedFresh && !done) {
      t.retriedFresh = true;
      long now = System.nanoTime();
      long remaining = deadlineNanos - now;
      if (remaining > 0) {
        t.id = -1;
        t.endNanos = now + Math.min(tryNanos, remaining);
        launch(t, now, true);
        return;
      }
    }
    t.settled = true;
    tryFailed(t);
  }

  private void tryFailed(UpstreamTry t) {
    if (!probe) {
      t.upstream.recordFailure();
      forwarder.startHealthCheck(t.upstream);
    }
    if (done) {
      return; // the loser of a hedge: counted against its upstream, nothing else to do
    }
    if (t == hedge) {
      hedge = null; // the try it doubled is still waiting
    } else if (hedge != null) {
      current = hedge; // the hedge is already at the next upstream: wait for it instead of a new try
      hedge = null;
    } else {
      current = null;
      nextTry();
    }
  }

  private void finish(Message reply, ForwardFailure failure) {
    done = true;
    if (!probe) {
      forwarder.exchangeDone();
    }
    if (reply != null) {
      result.complete(reply);
    } else {
      result.completeExceptionally(failure);
    }
  }
}
