package io.clusterdns.server.explain;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.clusterdns.server.forward.AnswerTrace;
import io.clusterdns.server.ops.OpsServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;

/**
 * {@code GET /explain?name=NAME[&type=TYPE]} on the running server (issue 22; off unless {@code --explain} gives
 * it an address): the {@link Explanation} as JSON, which {@code clusterdns explain --server} prints.
 *
 * <p>The reply explained is the server's own: the endpoint asks the server's DNS listener over loopback, so
 * hosts, template, rewrite, the cache and the forwarder all take part exactly as for a client (the query is
 * counted in the DNS metrics and logged by {@code log} like any other). The cache's state is read before the
 * query, without counting a hit. Runs on the ops HTTP thread, never on an event loop.
 */
public final class ExplainEndpoint implements HttpHandler {
  /** Longer than the forwarder's 5 s budget, so an upstream outage still shows as SERVFAIL, not as a timeout. */
  static final Duration ASK_TIMEOUT = Duration.ofSeconds(7);

  /** Explanations worked on at once; more get 503 at once rather than queue behind a slow upstream. */
  public static final int CONCURRENT = 2;

  private final Semaphore running = new Semaphore(CONCURRENT);

  private final Supplier<Explainer> explainer;
  private final Supplier<InetSocketAddress> dns;
  private final BiFunction<Name, Integer, String> cacheState;
  private final AnswerTrace answers;

  /**
   * @param explainer the explainer of the configuration in force (a reload may change it)
   * @param dns one of the server's bound DNS addresses; a wildcard address is asked on loopback
   * @param cacheState the answer cache's state for a question, e.g. {@code "hit, 23 s left"}
   * @param answers where the forwarders say which upstream answered
   */
  public ExplainEndpoint(Supplier<Explainer> explainer, Supplier<InetSocketAddress> dns,
      BiFunction<Name, Integer, String> cacheState, AnswerTrace answers) {
    this.explainer = explainer;
    this.dns = dns;
    this.cacheState = cacheState;
    this.answers = answers;
  }

  @Override
  public void handle(HttpExchange ex) throws IOException {
    if (!"GET".equals(ex.getRequestMethod())) {
      OpsServer.respond(ex, 405, "text/plain", "GET only\n");
      return;
    }
    Map<String, String> params = params(ex.getRequestURI().getRawQuery());
    String nameText = params.get("name");
    String typeText = params.getOrDefault("type", "A");
    if (nameText == null || nameText.isEmpty()) {
      OpsServer.respond(ex, 400, "text/plain", "usage: /explain?name=NAME[&type=TYPE]\n");
      return;
    }
    int type = Explainer.type(typeText);
    Name name;
    try {
      name = Explainer.name(nameText);
    } catch (TextParseException e) {
      OpsServer.respond(ex, 400, "text/plain", "not a DNS name: " + nameText + " (" + e.getMessage() + ")\n");
      return;
    }
    if (type < 0) {
      OpsServer.respond(ex, 400, "text/plain", "not a DNS type: " + typeText + "\n");
      return;
    }
    if (!running.tryAcquire()) {
      OpsServer.respond(ex, 503, "text/plain",
          CONCURRENT + " explanations are already being worked on; try again\n");
      return;
    }
    try {
      String cache = cacheState.apply(name, type);
      CompletableFuture<String> upstream = answers.expect(name, type);
      Message reply;
      try {
        reply = ask(name, type);
      } catch (IOException e) {
        OpsServer.respond(ex, 502, "text/plain", "the server's DNS listener at " + dns.get() + " did not answer: "
            + e.getMessage() + "\n");
        return;
      } finally {
        answers.forget(name, type);
      }
      // The forwarder completes the trace before the pipeline sends the reply, so it is done by now if any
      // upstream was asked.
      String answeredBy = upstream.getNow(null);
      OpsServer.respond(ex, 200, "application/json",
          ExplanationText.json(explainer.get().fromServer(name, type, reply, cache, answeredBy)));
    } finally {
      running.release();
    }
  }

  private Message ask(Name name, int type) throws IOException {
    InetSocketAddress target = dns.get();
    InetAddress host = target.getAddress();
    if (host.isAnyLocalAddress()) {
      host = InetAddress.getLoopbackAddress();
    }
    SimpleResolver r = new SimpleResolver(new InetSocketAddress(host, target.getPort()));
    r.setTimeout(ASK_TIMEOUT);
    r.setEDNS(0, 1232, 0); // the DNS Flag Day 2020 size, as most stub resolvers ask; a larger reply comes over TCP
    return r.send(Message.newQuery(Record.newRecord(name, type, DClass.IN)));
  }

  private static Map<String, String> params(String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw == null) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return out;
  }
}
