package io.clusterdns.server.forward;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.xbill.DNS.Message;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * One forwarded query (or health probe) on its way through the upstreams: one try at a time, each bounded
 * by the per-try timeout and the overall deadline; the first matching reply wins; when the order is used up
 * or the deadline passes, it fails with {@link ForwardFailure} (behaviours.md 11.1).
 *
 * <p>Threads: every field is owned by the loop of {@link #conns}; carriers, timers and the start all run
 * there, so nothing needs a lock. A try is identified by (carrier, ID); callbacks for any other pair are
 * stale and ignored.
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
  private final CompletableFuture<Message> result = new CompletableFuture<>();

  private int next;
  private Upstream upstream;
  private Carrier carrier;
  private int id = -1;
  private long tryStartNanos;
  private ScheduledFuture<?> timer;
  private boolean retriedFresh;
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
    if (done) {
      return;
    }
    long remaining = deadlineNanos - System.nanoTime();
    if (next >= order.length || remaining <= 0) {
      finish(null, new ForwardFailure(ForwardFailure.Reason.NO_UPSTREAM_ANSWERED,
          "no upstream answered " + question.getName() + " " + Type.string(question.getType())
              + " after " + next + " tries"));
      return;
    }
    upstream = order[next++];
    retriedFresh = false;
    sendTo(false, Math.min(tryNanos, remaining));
  }

  private void sendTo(boolean fresh, long budget) {
    carrier = null;
    id = -1;
    tryStartNanos = System.nanoTime();
    timer = conns.loop().schedule(this::timedOut, budget, TimeUnit.NANOSECONDS);
    Carrier c = tcp
        ? conns.tcp(upstream, fresh, TimeUnit.NANOSECONDS.toMillis(budget))
        : conns.udp(upstream);
    c.send(this);
  }

  /** Called by the carrier in {@link Carrier#send}: this try is (carrier, id). Returns the wire to send. */
  byte[] bind(Carrier c, int newId) {
    carrier = c;
    id = newId;
    wire[0] = (byte) (newId >>> 8);
    wire[1] = (byte) newId;
    return wire;
  }

  /** A packet with this try's ID arrived; it still has to match the question. */
  void onReply(Carrier c, int replyId, byte[] bytes) {
    if (done || c != carrier || replyId != id) {
      return;
    }
    Message reply = ReplyCheck.accept(bytes, id, question);
    if (reply == null) {
      conns.dropped(upstream); // right ID, wrong question: spoofed; keep waiting
      return;
    }
    cancelTimer();
    carrier = null;
    c.answered(replyId);
    if (!probe) {
      upstream.series().observe(reply.getRcode(), System.nanoTime() - tryStartNanos);
      upstream.recordSuccess();
      forwarder.answered(question, upstream);
    }
    reply.getHeader().setID(clientId);
    finish(reply, null);
  }

  /**
   * The carrier broke (ICMP unreachable, connection closed or refused). A reused TCP connection that the
   * upstream closed while idle gets one retry on a fresh connection, without counting a failure.
   */
  void carrierFailed(Carrier c, int failedId, boolean reusedConnection) {
    if (done || c != carrier || failedId != id) {
      return;
    }
    carrier = null;
    if (reusedConnection && !retriedFresh) {
      retriedFresh = true;
      cancelTimer();
      long remaining = deadlineNanos - System.nanoTime();
      if (remaining > 0) {
        sendTo(true, Math.min(tryNanos, remaining));
        return;
      }
    }
    tryFailed();
  }

  private void timedOut() {
    timer = null;
    if (done) {
      return;
    }
    if (carrier != null) {
      Carrier c = carrier;
      carrier = null;
      c.abandon(id);
    }
    tryFailed();
  }

  private void tryFailed() {
    cancelTimer();
    if (!probe) {
      upstream.recordFailure();
      forwarder.startHealthCheck(upstream);
    }
    nextTry();
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private void finish(Message reply, ForwardFailure failure) {
    done = true;
    cancelTimer();
    if (carrier != null) {
      carrier.abandon(id);
      carrier = null;
    }
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
