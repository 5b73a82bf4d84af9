package io.clusterdns.server.query;

import io.clusterdns.server.cache.ResponseCache;
import io.clusterdns.server.forward.LoopDetector;
import io.clusterdns.server.zone.Answer;
import io.clusterdns.server.zone.ClusterZone;
import io.clusterdns.server.zone.SearchList;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/**
 * The query path, one step per owner: decode ({@link QueryDecoder}) → route by zone (the cluster zones or
 * the upstream) → answer ({@link ClusterZone} synchronously, or {@link UpstreamPath} asynchronously) → encode
 * ({@link ResponseEncoder}). Also the front door: the checks every query needs once, before any zone sees it
 * (behaviours.md 10.3 BADVERS, 10.5 non-IN classes).
 *
 * <p>Threads: called on the Netty event loop that read the packet; cluster answers are written before
 * {@link #handle} returns, forwarded ones from the forwarder's completion. Holds no per-query state and no
 * locks. Nothing thrown inside reaches Netty: an unexpected exception becomes SERVFAIL and is counted.
 */
public final class QueryPipeline {
  /** No EDNS TCP keepalive to signal: UDP, or a TCP connection without one. */
  public static final int NO_KEEPALIVE = -1;

  /** Highest EDNS version understood (RFC 6891 6.1.3): any other gets BADVERS. */
  private static final int EDNS_VERSION = 0;

  /** Header flags of an upstream reply that the client's reply carries over. */
  private static final int[] UPSTREAM_FLAGS = {Flags.AA, Flags.TC, Flags.RA, Flags.AD};

  private final ClusterZone zone;
  private final UpstreamPath upstream;
  private final QueryObserver observer;
  private final LoopDetector loop;
  private final boolean loadbalance;
  private final LongAdder dropped = new LongAdder();
  private final LongAdder failures = new LongAdder();
  /** Encoded cluster replies, or null to build every reply (the reference the fast path is tested against). */
  private final ClusterReplies replies;
  /** Cache hits of forwarded names as bytes; null without a cache or without {@link #replies}. */
  private final ForwardedReplies forwarded;
  /**
   * Each query's server block and its {@code rewrite}, {@code acl}, {@code template} and {@code hosts}, chosen
   * once from the client's name; null when no block has any of them (the kubeadm Corefile). Without an
   * {@code acl} no query reads the client's address.
   */
  private final Router router;
  /** Short names expanded as in a pod (the dev command's {@code --search}); null in the server. */
  private final SearchList search;
  /**
   * Zones of further clusters (the dev command's second and later {@code --context}), each tried before
   * {@link #zone} since one may lie below it ({@code b.cluster.local}); null in the server.
   */
  private final ClusterZone[] others;
  /** Server-side search path completion ({@code autopath @kubernetes}, issue 22); null when off (the default). */
  private final Autopath autopath;

  /**
   * @param loop the start-up loop check that watches incoming names (behaviours.md 11.6)
   * @param loadbalance shuffle A/AAAA/MX records in every answer (CoreDNS {@code loadbalance}, 11.5)
   */
  public QueryPipeline(
      ClusterZone zone, UpstreamPath upstream, QueryObserver observer, LoopDetector loop, boolean loadbalance) {
    this(zone, upstream, observer, loop, loadbalance, new ClusterReplies(zone, loadbalance,
        ClusterReplies.DEFAULT_MAX_BYTES));
  }

  /** @param replies encoded cluster replies, or null to build every reply from dnsjava records */
  public QueryPipeline(ClusterZone zone, UpstreamPath upstream, QueryObserver observer, LoopDetector loop,
      boolean loadbalance, ClusterReplies replies) {
    this(zone, upstream, observer, loop, loadbalance, replies, Stages.NONE);
  }

  /** @param stages the plugins that may claim a query before the cluster zone and the upstream */
  public QueryPipeline(ClusterZone zone, UpstreamPath upstream, QueryObserver observer, LoopDetector loop,
      boolean loadbalance, Stages stages) {
    this(zone, upstream, observer, loop, loadbalance, new ClusterReplies(zone, loadbalance,
        ClusterReplies.DEFAULT_MAX_BYTES, stages.autopath()), stages);
  }

  /**
   * @param replies encoded cluster replies made with the same {@code stages.autopath()}, or null to build every
   *     reply (the reference the fast path is tested against)
   */
  public QueryPipeline(ClusterZone zone, UpstreamPath upstream, QueryObserver observer, LoopDetector loop,
      boolean loadbalance, ClusterReplies replies, Stages stages) {
    this.router = stages.router();
    this.search = stages.search();
    this.others = stages.others().isEmpty() ? null : stages.others().toArray(new ClusterZone[0]);
    this.autopath = stages.autopath();
    this.zone = zone;
    this.upstream = upstream;
    this.observer = observer;
    this.loop = loop;
    this.loadbalance = loadbalance;
    this.replies = replies;
    ResponseCache cache = upstream.cache();
    this.forwarded = replies == null || cache == null ? null : new ForwardedReplies(cache, loadbalance);
  }

  /** The answer cache in front of the upstreams, or null when none is configured (for {@code explain}). */
  public ResponseCache cache() {
    return upstream.cache();
  }

  /** Packets that got no reply at all (shorter than a header, or responses). */
  public long droppedPackets() {
    return dropped.sum();
  }

  /** Queries that hit an unexpected internal error and were answered SERVFAIL. */
  public long internalFailures() {
    return failures.sum();
  }

  /**
   * For callers that know no client address (tests, benchmarks): the {@code acl} is not consulted.
   *
   * @param ipv6 the client's address family (CoreDNS's {@code family} label)
   * @return false when the packet was dropped without a reply; else {@code sink} gets exactly one reply
   */
  public boolean handle(byte[] packet, boolean tcp, boolean ipv6, ReplySink sink) {
    return handle(packet, tcp, ipv6, NO_KEEPALIVE, null, sink);
  }

  /**
   * @param keepalive over TCP, the connection's idle timeout in units of 100 ms, signalled to a client that asks
   *     with EDNS TCP keepalive (RFC 7828); {@link #NO_KEEPALIVE} for none (and always over UDP)
   * @param client the query's source address (the {@code acl} judges it; CoreDNS's {@code family} label)
   * @return false when the packet was dropped without a reply; else {@code sink} gets exactly one reply
   */
  public boolean handle(byte[] packet, boolean tcp, int keepalive, InetSocketAddress client, ReplySink sink) {
    InetAddress a = client.getAddress();
    byte[] source = router == null || !router.judgesClients() ? null
        : a == null ? new byte[4] : a.getAddress(); // Netty always resolves
    return handle(packet, tcp, a instanceof java.net.Inet6Address, keepalive, source, sink);
  }

  /** @param source the client's address bytes when some block has an {@code acl}, else null */
  private boolean handle(byte[] packet, boolean tcp, boolean ipv6, int keepalive, byte[] source, ReplySink sink) {
    long start = System.nanoTime();
    // A query with EDNS options (keepalive among them) never takes the fast path: WireQuery reads bare OPTs only.
    if (replies != null && answerFromBytes(packet, tcp, ipv6, source, sink, start)) {
      return true;
    }
    Decoded d = QueryDecoder.decode(packet);
    if (d instanceof Decoded.Drop drop) {
      dropped.increment();
      observer.dropped(drop.reason(), tcp, ipv6);
      return false;
    }
    if (d instanceof Decoded.Reject reject) {
      observer.rejected(packet.length, reject.reply(), tcp, ipv6);
      sink.send(reject.reply());
      return true;
    }
    Message query = ((Decoded.Query) d).message();
    int ka = tcp ? keepalive : NO_KEEPALIVE;
    TimedSink timed = new TimedSink(query, tcp, ka, ipv6, start, packet.length, sink);
    try {
      answer(query, tcp, source, timed);
    } catch (RuntimeException e) {
      timed.failed(e);
      return true;
    }
    return !timed.noReply;
  }

  /**
   * The fast path: a plain query answered from encoded bytes, without dnsjava objects: a cluster name from
   * {@link ClusterReplies}, any other name from a fresh entry of the answer cache. The name is routed once,
   * here. While the start-up loop check runs, forwarded names take the full path, which counts the probe.
   */
  private boolean answerFromBytes(byte[] packet, boolean tcp, boolean ipv6, byte[] client, ReplySink sink,
      long start) {
    byte[] reply;
    WireQuery q;
    Source source;
    int verdict = AccessControl.UNCHECKED;
    Router.Route route = null;
    try {
      q = WireQuery.read(packet);
      if (q == null || (search != null && search.claimsWire(q.name))
          || (others != null && otherZone(q.name) != null)) {
        return false;
      }
      route = router == null ? null : router.route(q.name);
      if (route != null) {
        if (route.claims(q.name, q.qtype)) {
          return false;
        }
        if (route.acl() != null && client != null) {
          // Only allowed queries are answered here; the full path answers the others and counts them once.
          verdict = route.acl().decide(q.name, q.qtype, client);
          if (AccessControl.action(verdict) != AccessControl.ALLOW) {
            return false;
          }
        }
      }
      if (zone.coversWire(q.name)) {
        source = Source.CLUSTER;
        reply = replies.reply(q, tcp);
      } else if (forwarded != null && !loop.checking()) {
        source = Source.FORWARD;
        reply = forwarded.reply(q, tcp);
      } else {
        return false;
      }
    } catch (RuntimeException e) {
      return false; // the full path answers, and counts a failure if it has one too
    }
    if (reply == null) {
      return false;
    }
    if (verdict != AccessControl.UNCHECKED) {
      route.acl().count(verdict);
    }
    sink.send(reply);
    observer.answered(q.qtype, q.dnssecOk, tcp, ipv6, reply[3] & 0xf, source, packet.length, reply.length,
        System.nanoTime() - start);
    return true;
  }

  private void answer(Message query, boolean tcp, byte[] client, TimedSink sink) {
    // Routed once, on the client's own name: a rewritten name stays with the block that rewrote it (CoreDNS).
    Router.Route route = router == null ? null : router.route(query.getQuestion().getName());
    if (route != null && route.rewrite() != null) {
      QueryRewrite.Rewritten rw;
      try {
        rw = route.rewrite().apply(query);
      } catch (QueryRewrite.InvalidName e) {
        observer.failed(query, Rcode.SERVFAIL, e);
        sink.reply(query, ResponseEncoder.replyTo(query), Rcode.SERVFAIL, Source.SERVER);
        return;
      }
      if (rw != null) {
        sink.rewritten = rw;
        query = rw.query();
      }
    }
    OPTRecord opt = query.getOPT();
    if (opt != null && opt.getVersion() > EDNS_VERSION) {
      sink.reply(query, ResponseEncoder.replyTo(query), Rcode.BADVERS, Source.SERVER);
      return;
    }
    if (tcp && opt != null && ResponseEncoder.keepaliveWithTimeout(opt)) {
      // RFC 7828 3.2.1: a client's keepalive option has OPTION-LENGTH 0, no TIMEOUT; one with a TIMEOUT is
      // malformed (FORMERR, as Unbound answers). Over UDP the option is ignored whatever it holds (3.3.1).
      sink.reply(query, ResponseEncoder.replyTo(query), Rcode.FORMERR, Source.SERVER);
      return;
    }
    Record q = query.getQuestion();
    if (q.getDClass() != DClass.IN) {
      // No chaos plugin: version.bind CH TXT and friends are refused (behaviours.md 10.5).
      sink.reply(query, ResponseEncoder.replyTo(query), Rcode.REFUSED, Source.SERVER);
      return;
    }
    if (route != null && route.acl() != null && client != null && judged(route.acl(), query, q, client, sink)) {
      return;
    }
    loop.observe(q.getName());
    if (route != null && route.templates() != null) {
      Message fromTemplate = route.templates().answer(query);
      if (fromTemplate != null) {
        sink.reply(query, fromTemplate, fromTemplate.getRcode(), Source.TEMPLATE);
        return;
      }
    }
    if (route != null && route.hosts() != null) {
      Message fromHosts = route.hosts().answer(query);
      if (fromHosts != null) {
        sink.reply(query, fromHosts, fromHosts.getRcode(), Source.HOSTS);
        return;
      }
    }
    ClusterZone z = others == null ? zone : zoneFor(q.getName());
    if (!z.covers(q.getName())) {
      Message fromSearch = search == null ? null : search.answer(query);
      if (fromSearch != null) {
        sink.reply(query, fromSearch, fromSearch.getRcode(), Source.CLUSTER);
        return;
      }
      forward(query, tcp, sink);
      return;
    }
    Answer a = z.answer(q.getName(), q.getType());
    if (autopath != null && a instanceof Answer.NxDomain && z == zone) {
      Name[] walk = autopath.walk(q.getName());
      if (walk != null) {
        autopathWalk(query, tcp, route, a, walk, sink);
        return;
      }
    }
    Message reply = authoritative(query, a, loadbalance);
    if (reply != null) {
      sink.reply(query, reply, reply.getRcode(), Source.CLUSTER);
      return;
    }
    reply = ResponseEncoder.replyTo(query);
    // Java 17 has no pattern switch; with authoritative() this covers every permitted subtype of Answer.
    if (a instanceof Answer.External e) {
      resolveExternal(query, tcp, e, sink);
    } else if (a instanceof Answer.FallThrough) {
      forward(query, tcp, sink);
    } else if (a instanceof Answer.Refused) {
      sink.reply(query, reply, Rcode.REFUSED, Source.CLUSTER);
    } else {
      // Answer.NotSynced: SERVFAIL, never NXDOMAIN, until the first sync (behaviours.md 9.7).
      sink.reply(query, reply, Rcode.SERVFAIL, Source.CLUSTER);
    }
  }

  /** The other cluster zone that covers a wire-form name, or null. */
  private ClusterZone otherZone(byte[] name) {
    for (ClusterZone o : others) {
      if (o.coversWire(name)) {
        return o;
      }
    }
    return null;
  }

  /** The zone that answers {@code name}: another cluster's that covers it, else the primary one. */
  private ClusterZone zoneFor(org.xbill.DNS.Name name) {
    for (ClusterZone o : others) {
      if (o.covers(name)) {
        return o;
      }
    }
    return zone;
  }

  /**
   * Applies the {@code acl} to the (rewritten) question: true when it answered ({@code block}: REFUSED,
   * {@code filter}: NOERROR with no records, as CoreDNS's {@code SetRcode} replies) or dropped the query, false when
   * the query goes on. CoreDNS also attaches an extended DNS error (RFC 8914 codes 15 and 17) in a forced OPT RR;
   * clusterdns adds an OPT only when the query had one and carries no EDE.
   */
  private static boolean judged(AccessControl acl, Message query, Record q, byte[] client, TimedSink sink) {
    int verdict = acl.decide(q.getName().toWireCanonical(), q.getType(), client);
    acl.count(verdict);
    switch (AccessControl.action(verdict)) {
      case AccessControl.BLOCK -> sink.reply(query, ResponseEncoder.replyTo(query), Rcode.REFUSED, Source.ACL);
      case AccessControl.FILTER -> sink.reply(query, ResponseEncoder.replyTo(query), Rcode.NOERROR, Source.ACL);
      case AccessControl.DROP -> sink.noReply = true; // coredns_acl_dropped_requests_total counts it
      default -> {
        return false;
      }
    }
    return true;
  }

  /**
   * The reply to a cluster answer that is complete by itself (found, NODATA, NXDOMAIN: AA set, the SOA in
   * authority for the negative ones, rcode in the header), or null for the outcomes that need the upstream or
   * an error. The one place these replies are built, for every query and for {@link ClusterReplies}.
   */
  public static Message authoritative(Message query, Answer a, boolean loadbalance) {
    Message reply;
    if (a instanceof Answer.Found f) {
      reply = ResponseEncoder.replyTo(query);
      add(reply, f.answer(), Section.ANSWER, loadbalance);
      add(reply, f.additional(), Section.ADDITIONAL, loadbalance);
    } else if (a instanceof Answer.NoData n) {
      reply = ResponseEncoder.replyTo(query);
      reply.addRecord(n.soa(), Section.AUTHORITY);
    } else if (a instanceof Answer.NxDomain n) {
      reply = ResponseEncoder.replyTo(query);
      reply.addRecord(n.soa(), Section.AUTHORITY);
      reply.getHeader().setRcode(Rcode.NXDOMAIN);
    } else {
      return null;
    }
    reply.getHeader().setFlag(Flags.AA);
    return reply;
  }

  /** Names outside the cluster zones, and reverse misses that fall through (behaviours.md 11.1, 7.4). */
  private void forward(Message query, boolean tcp, TimedSink sink) {
    CompletableFuture<Message> f;
    try {
      f = upstream.forward(withoutKeepalive(query), tcp);
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.whenComplete((upstreamReply, err) -> {
      // On the forwarder's thread: an exception here would vanish into the future and leave the client (and a
      // TCP connection's in-flight count) waiting for ever, so it becomes a counted SERVFAIL.
      try {
        if (err != null || upstreamReply == null) {
          observer.failed(query, failureRcode(err), err);
          sink.reply(query, ResponseEncoder.replyTo(query), failureRcode(err), Source.FORWARD);
          return;
        }
        sink.reply(query, forwarded(query, upstreamReply, loadbalance), upstreamReply.getRcode(), Source.FORWARD);
      } catch (RuntimeException e) {
        sink.failed(e);
      }
    });
  }

  /**
   * The client's reply to a forwarded query: its header with the upstream's AA, TC, RA and AD, and the
   * upstream's records less any OPT (the encoder adds the server's own). The one place these replies are
   * built, for every query and for {@link ForwardedReplies}.
   */
  static Message forwarded(Message query, Message upstreamReply, boolean loadbalance) {
    Message reply = ResponseEncoder.replyTo(query);
    for (int flag : UPSTREAM_FLAGS) {
      if (upstreamReply.getHeader().getFlag(flag)) {
        reply.getHeader().setFlag(flag);
      }
    }
    add(reply, upstreamReply.getSection(Section.ANSWER), Section.ANSWER, loadbalance);
    add(reply, upstreamReply.getSection(Section.AUTHORITY), Section.AUTHORITY, loadbalance);
    add(reply, upstreamReply.getSection(Section.ADDITIONAL), Section.ADDITIONAL, loadbalance);
    return reply;
  }

  /**
   * {@code query} as it goes upstream: without an edns-tcp-keepalive option, which speaks of the client's
   * connection to this server only, and which the forwarder must not send over UDP (RFC 7828 3.2.1); the same
   * object when there is none (every query of the fast path's shape).
   */
  static Message withoutKeepalive(Message query) {
    OPTRecord opt = query.getOPT();
    if (opt == null || opt.getOptions(EDNSOption.Code.TCP_KEEPALIVE).isEmpty()) {
      return query;
    }
    List<EDNSOption> rest = new java.util.ArrayList<>();
    for (EDNSOption o : opt.getOptions()) {
      if (o.getCode() != EDNSOption.Code.TCP_KEEPALIVE) {
        rest.add(o);
      }
    }
    Message copy = query.clone();
    copy.removeRecord(opt, Section.ADDITIONAL);
    copy.addRecord(new OPTRecord(opt.getPayloadSize(), opt.getExtendedRcode(), opt.getVersion(), opt.getFlags(),
        rest), Section.ADDITIONAL);
    return copy;
  }

  /**
   * ExternalName: the CNAME chain first, then the target's records from the upstream; the rcode is that of
   * the chain's end (behaviours.md 6.2, 12.4; RFC 6604). Over UDP a truncated upstream reply is fetched again
   * over TCP, since the merged answer must be complete before it is sized for the client.
   */
  private void resolveExternal(Message query, boolean tcp, Answer.External e, TimedSink sink) {
    external(query, tcp, e).whenComplete((reply, err) -> {
      // On the forwarder's thread, as in forward(): an exception becomes a counted SERVFAIL, never silence.
      try {
        if (err != null) {
          Message partial = ResponseEncoder.replyTo(query);
          partial.getHeader().setFlag(Flags.AA);
          add(partial, e.cnames(), Section.ANSWER);
          observer.failed(query, Rcode.SERVFAIL, err);
          sink.reply(query, partial, Rcode.SERVFAIL, Source.CLUSTER);
          return;
        }
        sink.reply(query, reply, reply.getRcode(), Source.CLUSTER);
      } catch (RuntimeException ex) {
        sink.failed(ex);
      }
    });
  }

  /**
   * The reply to {@code query} for an ExternalName with an outside target: AA, the CNAME chain, then the target's
   * records from the upstream (its authority when it has none), the upstream's rcode in the header; exceptionally
   * when the upstream gave no reply.
   */
  private CompletableFuture<Message> external(Message query, boolean tcp, Answer.External e) {
    Record q = query.getQuestion();
    Message targetQuery = Message.newQuery(Record.newRecord(e.target(), q.getType(), DClass.IN));
    return upstream.forward(targetQuery, tcp)
        .thenCompose(r -> !tcp && r.getHeader().getFlag(Flags.TC)
            ? upstream.forward(targetQuery, true)
            : CompletableFuture.completedFuture(r))
        .thenApply(r -> {
          if (r == null) {
            throw new IllegalStateException("no upstream reply for " + e.target());
          }
          Message reply = ResponseEncoder.replyTo(query);
          reply.getHeader().setFlag(Flags.AA);
          add(reply, e.cnames(), Section.ANSWER);
          add(reply, r.getSection(Section.ANSWER), Section.ANSWER);
          if (r.getSection(Section.ANSWER).isEmpty()) {
            add(reply, r.getSection(Section.AUTHORITY), Section.AUTHORITY);
          }
          reply.getHeader().setRcode(headerRcode(r));
          return reply;
        });
  }

  /**
   * {@code autopath}: the rest of the pod's search path walked for a first expansion that is NXDOMAIN
   * ({@link Autopath}); every step through {@link #stepReply}. All NXDOMAIN: the asked name's own NXDOMAIN.
   */
  private void autopathWalk(Message query, boolean tcp, Router.Route route, Answer nxdomain, Name[] walk,
      TimedSink sink) {
    Message plain = withoutKeepalive(query);
    autopath.walk(plain, walk, step -> stepReply(step, tcp, route)).whenComplete((found, err) -> {
      try {
        if (err != null) {
          int rcode = failureRcode(err);
          observer.failed(query, rcode, err);
          sink.reply(query, ResponseEncoder.replyTo(query), rcode, Source.CLUSTER);
        } else if (found == null) {
          Message reply = authoritative(query, nxdomain, loadbalance);
          sink.reply(query, reply, reply.getRcode(), Source.CLUSTER);
        } else {
          sink.reply(query, found, found.getRcode(), Source.CLUSTER);
        }
      } catch (RuntimeException e) {
        sink.failed(e);
      }
    });
  }

  /**
   * The reply this server gives to {@code step} (one name of an autopath walk), rcode in the header, as the query
   * path answers any name: the client's block's {@code template} and {@code hosts}, then the cluster zone, else
   * the upstream through the answer cache (CoreDNS runs the steps through the plugins after autopath).
   */
  private CompletableFuture<Message> stepReply(Message step, boolean tcp, Router.Route route) {
    if (route != null && route.templates() != null) {
      Message m = route.templates().answer(step);
      if (m != null) {
        return CompletableFuture.completedFuture(m);
      }
    }
    if (route != null && route.hosts() != null) {
      Message m = route.hosts().answer(step);
      if (m != null) {
        return CompletableFuture.completedFuture(m);
      }
    }
    Record q = step.getQuestion();
    if (zone.covers(q.getName())) {
      Answer a = zone.answer(q.getName(), q.getType());
      Message m = authoritative(step, a, loadbalance);
      if (m != null) {
        return CompletableFuture.completedFuture(m);
      }
      if (a instanceof Answer.External e) {
        return external(step, tcp, e);
      }
      if (!(a instanceof Answer.FallThrough)) {
        Message m2 = ResponseEncoder.replyTo(step);
        m2.getHeader().setRcode(a instanceof Answer.Refused ? Rcode.REFUSED : Rcode.SERVFAIL);
        return CompletableFuture.completedFuture(m2);
      }
    }
    return upstream.forward(step, tcp).thenApply(r -> {
      if (r == null) {
        throw new IllegalStateException("no upstream reply for " + q.getName());
      }
      Message m = forwarded(step, r, loadbalance);
      m.getHeader().setRcode(headerRcode(r));
      return m;
    });
  }

  /** An upstream reply's rcode for a header: an extended one (RFC 6891, never asked for here) is a SERVFAIL. */
  private static int headerRcode(Message r) {
    int rcode = r.getRcode();
    return rcode <= 0xF ? rcode : Rcode.SERVFAIL;
  }

  /** REFUSED when the forwarder shed load (max_concurrent, behaviours.md 11.2), else SERVFAIL. */
  private static int failureRcode(Throwable err) {
    Throwable t = err instanceof java.util.concurrent.CompletionException && err.getCause() != null
        ? err.getCause() : err;
    return t instanceof io.clusterdns.server.forward.ForwardFailure f ? f.rcode() : Rcode.SERVFAIL;
  }

  private void add(Message m, List<Record> records, int section) {
    add(m, records, section, loadbalance);
  }

  private static void add(Message m, List<Record> records, int section, boolean loadbalance) {
    if (loadbalance && section == Section.ANSWER && records.size() > 1) {
      List<Record> shuffled = new java.util.ArrayList<>(records);
      RoundRobin.shuffle(shuffled);
      records = shuffled;
    }
    for (Record r : records) {
      if (section == Section.ADDITIONAL && r.getType() == org.xbill.DNS.Type.OPT) {
        continue;
      }
      m.addRecord(r, section);
    }
  }

  /** Which part of the server produced a reply, for metrics (CoreDNS's {@code plugin} label). */
  public enum Source {
    SERVER,
    CLUSTER,
    FORWARD,
    HOSTS,
    TEMPLATE,
    ACL
  }

  /** Encodes, sends and reports one reply; created once per query. */
  private final class TimedSink {
    private final Message query;
    private final boolean tcp;
    private final int keepalive;
    private final boolean ipv6;
    private final long startNanos;
    private final int requestSize;
    private final ReplySink sink;

    TimedSink(Message query, boolean tcp, int keepalive, boolean ipv6, long startNanos, int requestSize,
        ReplySink sink) {
      this.query = query;
      this.tcp = tcp;
      this.keepalive = keepalive;
      this.ipv6 = ipv6;
      this.startNanos = startNanos;
      this.requestSize = requestSize;
      this.sink = sink;
    }

    /** The rewrite applied to this query, whose reply gets the client's question back; null when none. */
    QueryRewrite.Rewritten rewritten;

    /** Whether the reply went out (at most one per query). */
    volatile boolean sent;
    /** Set when the query gets no reply at all ({@code acl} drop): a TCP connection then has no reply to wait for. */
    boolean noReply;

    /**
     * An unexpected error: counted, and answered SERVFAIL to the client's own question unless the reply already
     * went out (one reply per query: a TCP connection counts its replies against its in-flight limit).
     */
    void failed(RuntimeException e) {
      failures.increment();
      observer.failed(query, Rcode.SERVFAIL, e);
      if (!sent) {
        sent = true;
        sink.send(ResponseEncoder.encode(query, ResponseEncoder.replyTo(query), Rcode.SERVFAIL, tcp, keepalive));
      }
    }

    void reply(Message q, Message reply, int rcode, Source source) {
      byte[] wire;
      try {
        if (rewritten != null) {
          reply = rewritten.revert(reply);
        }
        wire = ResponseEncoder.encode(q, reply, rcode, tcp, keepalive);
      } catch (RuntimeException e) {
        failures.increment();
        observer.failed(q, Rcode.SERVFAIL, e);
        rcode = Rcode.SERVFAIL;
        wire = ResponseEncoder.encode(q, ResponseEncoder.replyTo(q), rcode, tcp, keepalive);
      }
      sent = true;
      sink.send(wire);
      OPTRecord opt = query.getOPT();
      boolean dnssecOk = opt != null && (opt.getFlags() & ExtendedFlags.DO) != 0;
      observer.answered(query.getQuestion().getType(), dnssecOk, tcp, ipv6, rcode, source, requestSize,
          wire.length, System.nanoTime() - startNanos);
    }
  }
}
