package io.clusterdns.server.forward;

import io.clusterdns.config.ForwardConfig;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/**
 * Sends queries for names outside the local zones to upstream servers (CoreDNS {@code forward};
 * behaviours.md 11.1, 11.2).
 *
 * <h2>Design notes</h2>
 * <ul>
 *   <li>Threads: {@link #forward} may be called from any thread. When called on one of the group's event
 *       loops (the usual case: the query pipeline), the upstream sockets are registered on that same loop
 *       and the returned future completes there, so the pipeline's continuation runs without a thread hop.
 *       Nothing blocks; no thread per query.
 *   <li>Each query gets a fresh random 16-bit ID from a per-thread {@link SecureRandom} (RFC 5452 section
 *       9.2); the reply must match ID and question, else it is dropped and counted. The client's ID is put
 *       back on the reply.
 *   <li>Transport: the client's (UDP or TCP), unless {@code force_tcp}/{@code prefer_udp}. A UDP reply with
 *       TC is passed back unchanged so the client retries over TCP (behaviours.md 11.1).
 *   <li>Failure: each upstream is tried at most once, in policy order, each try bounded by the per-try
 *       timeout (2 s) and all tries by the budget (5 s). When no upstream answers, the future fails with
 *       {@link ForwardFailure}; the pipeline answers SERVFAIL. Upstream rcodes are passed through.
 *   <li>Overload: beyond {@code max_concurrent} queries in flight the future fails at once with
 *       {@link ForwardFailure.Reason#OVERLOADED}; the pipeline answers REFUSED (behaviours.md 11.2).
 * </ul>
 */
public final class Forwarder implements AutoCloseable {

  /** Per-thread ID source; DRBG instances lock only themselves, so loops never contend. */
  private static final ThreadLocal<SecureRandom> IDS = ThreadLocal.withInitial(Forwarder::newRandom);

  private final ForwardConfig config;
  private final UpstreamTransport transport;
  private final UpstreamPool pool;
  private final long tryTimeoutNanos;
  private final long budgetNanos;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder rejected = new LongAdder();
  private volatile boolean closed;

  /** A forwarder on the server's event loops, with channel classes matching the group (epoll or NIO). */
  public Forwarder(ForwardConfig config, EventLoopGroup group) {
    this(config, UpstreamTransport.forGroup(group));
  }

  public Forwarder(ForwardConfig config, UpstreamTransport transport) {
    this.config = config;
    this.transport = transport;
    this.pool = new UpstreamPool(config.upstreams(), config.policy());
    this.tryTimeoutNanos = config.tryTimeout().toNanos();
    this.budgetNanos = config.budget().toNanos();
  }

  public ForwardConfig config() {
    return config;
  }

  public UpstreamPool pool() {
    return pool;
  }

  /**
   * Sends the question of {@code query} upstream over UDP ({@code tcp=false}) or TCP. Completes with the
   * upstream's reply, its header ID set back to {@code query.getHeader().getID()}, or exceptionally with a
   * {@link ForwardFailure} (SERVFAIL, or REFUSED when overloaded). Never blocks the caller. {@code query} is
   * not modified.
   */
  public CompletableFuture<Message> forward(Message query, boolean tcp) {
    Record question = query.getQuestion();
    if (question == null) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("query has no question"));
    }
    if (closed) {
      return CompletableFuture.failedFuture(
          new ForwardFailure(ForwardFailure.Reason.CLOSED, "forwarder closed"));
    }
    int limit = config.maxConcurrent();
    if (inFlight.incrementAndGet() > limit && limit > 0) {
      inFlight.decrementAndGet();
      rejected.increment();
      return CompletableFuture.failedFuture(new ForwardFailure(ForwardFailure.Reason.OVERLOADED,
          "more than " + limit + " forwarded queries in flight"));
    }
    boolean useTcp = config.forceTcp() || (tcp && !config.preferUdp());
    int id = IDS.get().nextInt(0x10000);
    byte[] wire = query.toWire();
    wire[0] = (byte) (id >>> 8);
    wire[1] = (byte) id;
    EventLoop loop = callerLoop();
    Exchange ex = new Exchange(this, loop, wire, id, query.getHeader().getID(), question, pool.order(),
        useTcp);
    if (loop.inEventLoop()) {
      ex.start();
    } else {
      loop.execute(ex::start);
    }
    return ex.result();
  }

  /** Queries in flight now. */
  public int inFlight() {
    return inFlight.get();
  }

  /** Upstream packets dropped because ID or question did not match (late, stray or spoofed). */
  public long droppedReplies() {
    return dropped.sum();
  }

  /** Queries refused because {@code max_concurrent} were in flight. */
  public long maxConcurrentRejects() {
    return rejected.sum();
  }

  /** Stops taking queries; tries in flight finish on their own timers. */
  @Override
  public void close() {
    closed = true;
  }

  /**
   * An error reply to {@code query}: same ID, opcode, RD and question; QR and RA set; the given rcode
   * (SERVFAIL when no upstream answered, REFUSED when overloaded). For a pipeline that builds its own
   * replies this is a reference, not a requirement.
   */
  public static Message errorReply(Message query, int rcode) {
    Message reply = new Message(query.getHeader().getID());
    reply.getHeader().setOpcode(query.getHeader().getOpcode());
    reply.getHeader().setFlag(Flags.QR);
    reply.getHeader().setFlag(Flags.RA);
    if (query.getHeader().getFlag(Flags.RD)) {
      reply.getHeader().setFlag(Flags.RD);
    }
    reply.getHeader().setRcode(rcode);
    if (query.getQuestion() != null) {
      reply.addRecord(query.getQuestion(), Section.QUESTION);
    }
    return reply;
  }

  // ---------------------------------------------------------------- package-private, for Exchange

  UpstreamTransport transport() {
    return transport;
  }

  long tryTimeoutNanos() {
    return tryTimeoutNanos;
  }

  long budgetNanos() {
    return budgetNanos;
  }

  void countDropped() {
    dropped.increment();
  }

  void exchangeDone() {
    inFlight.decrementAndGet();
  }

  private EventLoop callerLoop() {
    for (EventExecutor e : transport.group()) {
      if (e.inEventLoop()) {
        return (EventLoop) e;
      }
    }
    return transport.group().next();
  }

  private static SecureRandom newRandom() {
    try {
      return SecureRandom.getInstance("DRBG");
    } catch (NoSuchAlgorithmException e) {
      return new SecureRandom();
    }
  }
}
