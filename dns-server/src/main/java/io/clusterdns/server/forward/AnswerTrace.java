package io.clusterdns.server.forward;

import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;

/**
 * Which upstream answered a question, for {@code clusterdns explain} (issue 22): the explain endpoint registers the
 * question before it asks the server, and the forwarder completes the registration with the upstream whose reply
 * it passes on. One per process, shared by every forwarder a reload builds. While nothing is registered (always,
 * unless an explanation is being worked on), a forwarded reply costs one volatile read here.
 *
 * <p>Another client asking the same question at the same moment may complete the registration first; the upstream
 * named then still answered that question just then.
 */
public final class AnswerTrace {
  private final ConcurrentHashMap<String, CompletableFuture<String>> waiting = new ConcurrentHashMap<>();
  private volatile boolean any;

  /** Starts watching for the upstream that answers {@code name}/{@code type}; pair with {@link #forget}. */
  public synchronized CompletableFuture<String> expect(Name name, int type) {
    CompletableFuture<String> f = waiting.computeIfAbsent(key(name, type), k -> new CompletableFuture<>());
    any = true;
    return f;
  }

  public synchronized void forget(Name name, int type) {
    waiting.remove(key(name, type));
    any = !waiting.isEmpty();
  }

  /** Called by an exchange, on its event loop, when {@code upstream}'s reply to {@code question} wins. */
  void answered(Record question, Upstream upstream) {
    if (!any) {
      return;
    }
    CompletableFuture<String> f = waiting.get(key(question.getName(), question.getType()));
    if (f != null) {
      f.complete(upstream.toString());
    }
  }

  private static String key(Name name, int type) {
    return name.toString().toLowerCase(Locale.ROOT) + '/' + type;
  }
}
