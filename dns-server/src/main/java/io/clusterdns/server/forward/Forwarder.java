package io.clusterdns.server.forward;

import com.github.benmanes.caffeine.cache.Ticker;
import io.clusterdns.config.ForwardConfig;
import io.clusterdns.config.HedgeConfig;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Sends queries for names outside the local zones to upstream servers (CoreDNS {@code forward};
 * behaviours.md 11.1, 11.2; issue 5).
 *
 * <h2>Design notes</h2>
 * <ul>
 *   <li>Threads: {@link #forward} may be called from any thread. Called on one of the group's event loops
 *       (the query pipeline), the upstream sockets of that loop are used and the returned future completes
 *       on that same loop, so the pipeline's continuation runs without a thread hop. Nothing blocks; no
 *       thread per query. Per-loop state lives in {@link LoopConnections}, touched only by its loop.
 *   <li>Sockets are pooled per loop and upstream: one connected UDP socket at a time (random source port,
 *       rotated every {@link UdpSocket#MAX_QUERIES} queries or {@code expire}), and idle TCP connections
 *       reused until {@code expire}.
 *   <li>IDs: each try gets a random 16-bit ID from a per-thread {@link SecureRandom} (RFC 5452 section 9.2);
 *       a reply must match ID and question, else it is dropped and counted
 *       ({@code clusterdns_forward_dropped_replies_total}). The client's ID is put back on the reply.
 *   <li>Transport: the client's (UDP or TCP), unless {@code force_tcp}/{@code prefer_udp}. A UDP reply with
 *       TC is passed back unchanged so the client retries over TCP (behaviours.md 11.1).
 *   <li>Failure: upstreams are tried in policy order, each at most once, each try bounded by the per-try
 *       timeout (2 s) and all tries by the budget (5 s). When none answers, the future fails with
 *       {@link ForwardFailure}; the pipeline answers SERVFAIL. Upstream rcodes are passed through.
 *   <li>Health (CoreDNS {@code max_fails}, {@code health_check}): a failed try counts against its upstream
 *       and starts a probe ({@code . IN NS}) every {@code health_check} interval until one is answered.
 *       An upstream with {@code max_fails} failures in a row is left out of the order; when all are out,
 *       all are tried anyway and {@code coredns_forward_healthcheck_broken_total} counts it.
 *   <li>Hedging ({@code hedge}, issue 22 §2; not in CoreDNS): each upstream keeps a smoothed RTT of its
 *       answered UDP tries ({@link RttEstimator}); a UDP try still unanswered after its upstream's RTO
 *       (clamped to the configured min and max, and only if that comes before the try's timeout) is hedged
 *       to the next upstream of the order, at most once per query and within a {@link HedgeBudget} of hedges
 *       per second; the first answer wins (see {@link Exchange}).
 *   <li>Overload: beyond {@code max_concurrent} queries in flight the future fails at once with
 *       {@link ForwardFailure.Reason#OVERLOADED}; the pipeline answers REFUSED (behaviours.md 11.2).
 * </ul>
 */
public final class Forwarder implements AutoCloseable {

  /** Read timeout of one health probe (CoreDNS's health checker uses 1 s). */
  static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);

  /** Per-thread ID source; DRBG instances lock only themselves, so loops never contend. */
  private static final ThreadLocal<SecureRandom> IDS = ThreadLocal.withInitial(Forwarder::newRandom);

  private static final Record PROBE_QUESTION = Record.newRecord(Name.root, Type.NS, DClass.IN);

  private final ForwardConfig config;
  private final UpstreamTransport transport;
  private final ForwardMetrics metrics;
  private final UpstreamPool pool;
  private final long tryTimeoutNanos;
  private final long budgetNanos;
  private final Ticker connectionClock;
  private final ConcurrentHashMap<EventLoop, LoopConnections> conns = new ConcurrentHashMap<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder rejected = new LongAdder();
  private final LongAdder broken = new LongAdder();
  private final HedgeConfig hedge;
  private final long hedgeMinNanos;
  private final long hedgeMaxNanos;
  private final HedgeBudget hedgeBudget;
  private final LongAdder hedgesSent = new LongAdder();
  private final LongAdder hedgeWins = new LongAdder();
  private final LongAdder hedgesRefused = new LongAdder();
  private volatile boolean closed;

  /** A forwarder on the server's event loops (epoll or NIO), with series nobody scrapes. */
  public Forwarder(ForwardConfig config, EventLoopGroup group) {
    this(config, UpstreamTransport.forGroup(group), ForwardMetrics.unregistered());
  }

  /** A forwarder on the server's event loops reporting into {@code metrics} (shared by all forwarders). */
  public Forwarder(ForwardConfig config, EventLoopGroup group, ForwardMetrics metrics) {
    this(config, UpstreamTransport.forGroup(group), metrics);
  }

  public Forwarder(ForwardConfig config, UpstreamTransport transport, ForwardMetrics metrics) {
    this(config, transport, metrics, Ticker.systemTicker());
  }

  /**
   * @param connectionClock clock of pooled socket ages ({@code expire}, UDP socket rotation): the system
   *     clock in production, a hand-moved one in tests so that expiry does not depend on how fast a loaded
   *     machine runs. Try timeouts and the budget always use the event loop's real timers.
   */
  Forwarder(ForwardConfig config, UpstreamTransport transport, ForwardMetrics metrics, Ticker connectionClock) {
    this.config = config;
    this.transport = transport;
    this.metrics = metrics;
    this.pool = new UpstreamPool(config.upstreams(), config.policy(), metrics);
    this.tryTimeoutNanos = config.tryTimeout().toNanos();
    this.budgetNanos = config.budget().toNanos();
    this.connectionClock = connectionClock;
    this.hedge = config.hedge();
    this.hedgeMinNanos = hedge.min().toNanos();
    this.hedgeMaxNanos = hedge.max().toNanos();
    this.hedgeBudget = new HedgeBudget(hedge.rate(), System.nanoTime());
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
      metrics.maxConcurrentReject();
      return CompletableFuture.failedFuture(new ForwardFailure(ForwardFailure.Reason.OVERLOADED,
          "more than " + limit + " forwarded queries in flight"));
    }
    boolean useTcp = config.forceTcp() || (tcp && !config.preferUdp());
    int maxFails = config.maxFails();
    if (pool.allDown(maxFails)) {
      broken.increment();
      metrics.healthcheckBroken();
    }
    LoopConnections lc = connections(callerLoop());
    Exchange ex = new Exchange(this, lc, query.toWire(), query.getHeader().getID(), question,
        pool.order(maxFails), useTcp, tryTimeoutNanos, budgetNanos, false);
    if (lc.loop().inEventLoop()) {
      ex.start();
    } else {
      try {
        lc.loop().execute(ex::start);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        inFlight.decrementAndGet(); // the loop is shutting down: the exchange never started
        return CompletableFuture.failedFuture(
            new ForwardFailure(ForwardFailure.Reason.CLOSED, "forwarder shutting down"));
      }
    }
    return ex.result();
  }

  /** Queries in flight now. */
  public int inFlight() {
    return inFlight.get();
  }

  /** Upstream packets dropped because the question did not match (late, stray or spoofed). */
  public long droppedReplies() {
    return dropped.sum();
  }

  /** Queries refused because {@code max_concurrent} were in flight. */
  public long maxConcurrentRejects() {
    return rejected.sum();
  }

  /** Queries sent while every upstream was down. */
  public long healthcheckBroken() {
    return broken.sum();
  }

  /** Hedged tries sent. */
  public long hedgesSent() {
    return hedgesSent.sum();
  }

  /** Queries answered by their hedged try. */
  public long hedgeWins() {
    return hedgeWins.sum();
  }

  /** Hedges not sent because the budget was used up. */
  public long hedgesRefused() {
    return hedgesRefused.sum();
  }

  /** UDP tries still waiting for a reply, on every loop (read on each loop; for tests). */
  int pendingUdpTries() throws Exception {
    int n = 0;
    for (LoopConnections lc : conns.values()) {
      n += lc.loop().submit(lc::pendingUdp).get();
    }
    return n;
  }

  /** Stops taking queries and closes pooled connections; tries in flight finish on their own timers. */
  @Override
  public void close() {
    closed = true;
    for (LoopConnections lc : conns.values()) {
      if (!lc.loop().isShuttingDown()) {
        lc.loop().execute(lc::close); // a loop already shutting down closes its channels itself
      }
    }
  }

  /**
   * An error reply to {@code query}: same ID, opcode, RD and question; QR and RA set; the given rcode
   * (SERVFAIL when no upstream answered, REFUSED when overloaded). No OPT: the pipeline adds one when the
   * query had one.
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

  // ---------------------------------------------------------------- health checks

  /** Starts probing {@code up} unless health checking is off or a probe already runs. Any thread. */
  void startHealthCheck(Upstream up) {
    if (config.maxFails() == 0 || closed || !up.startProbing()) {
      return;
    }
    EventLoop loop = transport.group().next();
    loop.schedule(() -> probe(up, loop), config.healthCheck().toNanos(), TimeUnit.NANOSECONDS);
  }

  private void probe(Upstream up, EventLoop loop) {
    if (closed) {
      up.stopProbing();
      return;
    }
    Message ping = Message.newQuery(PROBE_QUESTION);
    long timeout = Math.min(PROBE_TIMEOUT.toNanos(), tryTimeoutNanos);
    Exchange ex = new Exchange(this, connections(loop), ping.toWire(), 0, PROBE_QUESTION,
        new Upstream[] {up}, config.forceTcp(), timeout, timeout, true);
    ex.result().whenComplete((reply, failure) -> {
      if (failure == null) {
        up.recordSuccess(); // any answer shows the upstream is there (CoreDNS checks for an error only)
        up.stopProbing();
      } else {
        up.recordFailure();
        up.series().healthcheckFailures.inc();
        loop.schedule(() -> probe(up, loop), config.healthCheck().toNanos(), TimeUnit.NANOSECONDS);
      }
    });
    ex.start();
  }

  // ---------------------------------------------------------------- package-private, for the carriers

  UpstreamTransport transport() {
    return transport;
  }

  Ticker connectionClock() {
    return connectionClock;
  }

  void countDropped() {
    dropped.increment();
  }

  /** {@code upstream}'s reply to {@code question} is the one passed on (for {@link AnswerTrace}). */
  void answered(Record question, Upstream upstream) {
    metrics.answers().answered(question, upstream);
  }

  void exchangeDone() {
    inFlight.decrementAndGet();
  }

  boolean hedging() {
    return hedge.enabled();
  }

  HedgeBudget hedgeBudget() {
    return hedgeBudget;
  }

  /**
   * How long a UDP try at {@code up} waits before it is hedged: the upstream's RTO (SRTT + 4·RTTVAR, what
   * TCP and Unbound wait before they consider a reply lost), within [min, max]; max while the upstream has
   * no sample, so an unknown upstream is not hedged early.
   */
  long hedgeDelayNanos(Upstream up) {
    long rto = up.rtt().rtoNanos();
    return rto < 0 ? hedgeMaxNanos : Math.max(hedgeMinNanos, Math.min(hedgeMaxNanos, rto));
  }

  void hedgeSent(Upstream to) {
    hedgesSent.increment();
    to.series().hedgesSent.inc();
  }

  void hedgeWon(Upstream to) {
    hedgeWins.increment();
    to.series().hedgesWon.inc();
  }

  void hedgeRefused() {
    hedgesRefused.increment();
    metrics.hedgeRefused();
  }

  /** A random 16-bit query ID. */
  static int randomId() {
    return IDS.get().nextInt(0x10000);
  }

  private LoopConnections connections(EventLoop loop) {
    LoopConnections lc = conns.get(loop);
    return lc != null ? lc : conns.computeIfAbsent(loop, l -> new LoopConnections(this, l, pool.size()));
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
