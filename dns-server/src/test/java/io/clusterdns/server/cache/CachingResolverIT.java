package io.clusterdns.server.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clusterdns.config.CacheConfig;
import io.clusterdns.config.ForwardConfig;
import io.clusterdns.config.HostPort;
import io.clusterdns.server.forward.FakeUpstream;
import io.clusterdns.server.forward.ForwardFailure;
import io.clusterdns.server.forward.ForwardRoutes;
import io.clusterdns.server.forward.Forwarder;
import io.clusterdns.server.forward.KnotUpstream;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Cache in front of the forwarder: hits, prefetch, serve_stale, against a fake upstream and Knot. TTLs run on
 * a {@link FakeTicker}; "at once" means the reply's future is already complete when resolve returns; waits
 * for background work are bounded polls of {@link #WAIT_SECONDS}.
 */
class CachingResolverIT {

  /** Longest a test waits for a reply or for background work, seconds. */
  private static final int WAIT_SECONDS = 15;

  /** How early a reply may seem to come before a timeout it waited for, ms (timer and clock granularity). */
  private static final long SLACK_MILLIS = 100;

  private static EventLoopGroup group;
  private final FakeTicker ticker = new FakeTicker();
  private ResponseCache cache;

  @BeforeAll
  static void start() {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  }

  @AfterAll
  static void stop() throws InterruptedException {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  private CachingResolver resolver(CacheConfig config, ForwardConfig fwd) {
    cache = new ResponseCache(config, CacheMetrics.unregistered(), "dns://:53", ticker, Runnable::run);
    return new CachingResolver(cache, ForwardRoutes.of(List.of(new Forwarder(fwd, group))));
  }

  /** Files the fake upstream's answer to {@code q} (A 192.0.2.1, TTL 60), as a forwarded query would. */
  private void cacheAnAnswerTo(Message q) throws Exception {
    cache.store(q, new Message(FakeUpstream.answering().answer(q, false).get(0)));
  }

  private static Message get(CompletableFuture<Message> f) throws Exception {
    return f.get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  private static long ttl(Message m) {
    return m.getSection(Section.ANSWER).get(0).getTTL();
  }

  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for: " + what);
      }
      Thread.sleep(5);
    }
  }

  @Test
  void aSecondQueryIsAnsweredFromTheCacheWithItsTtlCountedDown() throws Exception {
    try (FakeUpstream up = new FakeUpstream(FakeUpstream.answering())) {
      CachingResolver r = resolver(CacheConfig.of(30), ForwardConfig.defaults(List.of(up.hostPort())));
      Message q = ResponseCacheTest.query("www.example.com.", Type.A);
      assertEquals(30, ttl(get(r.resolve(q, false)))); // upstream TTL 60, capped at 30 on the way back
      ticker.advance(Duration.ofSeconds(12));
      Message again = ResponseCacheTest.query("WWW.example.com.", Type.A);
      Message hit = get(r.resolve(again, false));
      assertEquals(18, ttl(hit));
      assertEquals(again.getHeader().getID(), hit.getHeader().getID());
      assertEquals(1, up.udpQueries());
    }
  }

  @Test
  void aPopularEntryIsPrefetchedBeforeItExpires() throws Exception {
    try (FakeUpstream up = new FakeUpstream(FakeUpstream.answering())) {
      CachingResolver r = resolver(CacheConfig.of(30).withPrefetch(2, Duration.ofMinutes(1), 10),
          ForwardConfig.defaults(List.of(up.hostPort())));
      Message q = ResponseCacheTest.query("popular.example.com.", Type.A);
      get(r.resolve(q, false));
      get(r.resolve(q, false)); // hit 1
      ticker.advance(Duration.ofSeconds(28)); // 2 s left: within 10 % of 30 s
      assertEquals(2, ttl(get(r.resolve(q, false)))); // hit 2: popular and nearly expired -> refresh
      await("the background prefetch reaches the upstream", () -> up.udpQueries() == 2);
      await("the refreshed entry is filed", () -> {
        try {
          return ttl(get(r.resolve(q, false))) == 30;
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      });
      ticker.advance(Duration.ofSeconds(10)); // the old entry would be gone by now
      assertEquals(20, ttl(get(r.resolve(q, false))));
      assertEquals(2, up.udpQueries());
    }
  }

  // The three tests below start from an answer already cached (filing through the forwarder is the first
  // test's), so the only upstream exchange is with a dead upstream and its timeouts can be short.

  @Test
  void serveStaleAnswersAtOnceWhileTheUpstreamIsDownAndRefreshesInTheBackground() throws Exception {
    try (FakeUpstream up = new FakeUpstream(FakeUpstream.silent())) {
      CachingResolver r = resolver(CacheConfig.of(30).withServeStale(Duration.ofHours(1), false),
          ForwardConfig.defaults(List.of(up.hostPort())));
      Message q = ResponseCacheTest.query("www.example.com.", Type.A);
      cacheAnAnswerTo(q);
      ticker.advance(Duration.ofSeconds(45));
      CompletableFuture<Message> reply = r.resolve(q, false);
      assertTrue(reply.isDone(), "answered at once, without waiting for the upstream");
      Message stale = get(reply);
      assertEquals(0, ttl(stale));
      assertEquals("192.0.2.1", stale.getSection(Section.ANSWER).get(0).rdataToString());
      await("a background refresh was tried", () -> up.udpQueries() == 1);
    }
  }

  @Test
  void serveStaleVerifyAsksUpstreamFirstAndFallsBackToStale() throws Exception {
    try (FakeUpstream up = new FakeUpstream(FakeUpstream.silent())) {
      ForwardConfig fwd = ForwardConfig.defaults(List.of(up.hostPort()))
          .withTimeouts(Duration.ofMillis(500), Duration.ofMillis(500));
      CachingResolver r = resolver(CacheConfig.of(30).withServeStale(Duration.ofHours(1), true), fwd);
      Message q = ResponseCacheTest.query("www.example.com.", Type.A);
      cacheAnAnswerTo(q);
      ticker.advance(Duration.ofSeconds(45));
      long t0 = System.nanoTime();
      Message stale = get(r.resolve(q, false));
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertEquals(0, ttl(stale));
      assertEquals("192.0.2.1", stale.getSection(Section.ANSWER).get(0).rdataToString());
      assertTrue(ms >= fwd.tryTimeout().toMillis() - SLACK_MILLIS,
          "the stale answer came only after the upstream's try timed out: " + ms + " ms");
      await("the upstream was asked", () -> up.udpQueries() == 1);
    }
  }

  @Test
  void withoutServeStaleADeadUpstreamMeansServfail() throws Exception {
    try (FakeUpstream up = new FakeUpstream(FakeUpstream.silent())) {
      ForwardConfig fwd = ForwardConfig.defaults(List.of(up.hostPort()))
          .withTimeouts(Duration.ofMillis(100), Duration.ofMillis(200));
      CachingResolver r = resolver(CacheConfig.of(30), fwd);
      Message q = ResponseCacheTest.query("www.example.com.", Type.A);
      cacheAnAnswerTo(q);
      ticker.advance(Duration.ofSeconds(31));
      ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
          () -> get(r.resolve(q, false)));
      assertEquals(Rcode.SERVFAIL, assertInstanceOf(ForwardFailure.class, e.getCause()).rcode());
    }
  }

  @Test
  void knotsNxdomainIsCachedWithItsSoaMinimum() throws Exception {
    try (KnotUpstream knot = KnotUpstream.start()) {
      CachingResolver r = resolver(CacheConfig.of(3600), ForwardConfig.defaults(List.of(knot.hostPort())));
      Message q = ResponseCacheTest.query("nope.example.test.", Type.A);
      Message first = get(r.resolve(q, false));
      assertEquals(Rcode.NXDOMAIN, first.getRcode());
      ticker.advance(Duration.ofSeconds(20));
      Message cached = get(r.resolve(q, true));
      assertEquals(Rcode.NXDOMAIN, cached.getRcode());
      Record soa = cached.getSection(Section.AUTHORITY).get(0);
      assertEquals(Type.SOA, soa.getType());
      assertEquals(40, soa.getTTL(), "Knot's SOA MINIMUM 60 is the negative TTL, 20 s have passed");
    }
  }

  @Test
  void namesInAnExceptZoneAreNotForwarded() throws Exception {
    try (FakeUpstream up = new FakeUpstream(FakeUpstream.answering())) {
      CachingResolver r = resolver(CacheConfig.of(30),
          ForwardConfig.defaults(List.of(new HostPort("127.0.0.1", up.hostPort().port())))
              .withExcept(List.of("internal.example.")));
      ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
          () -> get(r.resolve(ResponseCacheTest.query("db.internal.example.", Type.A), false)));
      assertEquals(ForwardFailure.Reason.NO_ROUTE, assertInstanceOf(ForwardFailure.class, e.getCause()).reason());
      assertEquals(0, up.udpQueries());
    }
  }
}
