package io.clusterdns.server.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The HTTP side an orchestrator and Prometheus use: {@code GET /health} (200 {@code OK} while the process
 * runs; behaviours.md 13.1), {@code GET /ready} (200 {@code OK} once every part that reports readiness is
 * ready, else 503 with the names of those that are not; 13.3) and {@code GET /metrics} (Prometheus text).
 * Each endpoint has its own address (cli.md defaults :8080, :8181, :9153); endpoints given the same address
 * share one listener. Served by the JDK's HTTP server on one small thread of its own, off the DNS event loops.
 */
public final class OpsServer implements AutoCloseable {
  private final List<HttpServer> servers = new ArrayList<>();

  /**
   * @param health, ready, metrics where to serve each endpoint; null = not served (no such Corefile plugin)
   * @param notReady returns the names of the parts that are not ready yet (empty when ready), e.g.
   *     {@code ["kubernetes"]} before the first sync
   * @param explain where {@code explainHandler} serves {@code GET /explain} (issue 22); null for none (the
   *     default: it shows the cluster's names to whoever reaches the address)
   * @param explainConcurrency how many requests {@code explainHandler} works on at once (it refuses more)
   */
  public static OpsServer start(
      InetSocketAddress health, InetSocketAddress ready, InetSocketAddress metrics,
      Supplier<List<String>> notReady, PrometheusRegistry registry,
      InetSocketAddress explain, HttpHandler explainHandler, int explainConcurrency) throws IOException {
    Map<InetSocketAddress, Map<String, HttpHandler>> byAddress = new LinkedHashMap<>();
    if (health != null) {
      byAddress.computeIfAbsent(health, a -> new LinkedHashMap<>()).put("/health", ex -> text(ex, 200, "OK"));
    }
    if (ready != null) {
      byAddress.computeIfAbsent(ready, a -> new LinkedHashMap<>()).put("/ready", ex -> {
        List<String> waiting = notReady.get();
        if (waiting.isEmpty()) {
          text(ex, 200, "OK");
        } else {
          text(ex, 503, String.join(",", waiting));
        }
      });
    }
    if (metrics != null) {
      byAddress.computeIfAbsent(metrics, a -> new LinkedHashMap<>()).put("/metrics", new MetricsHandler(registry));
    }
    if (explain != null) {
      byAddress.computeIfAbsent(explain, a -> new LinkedHashMap<>()).put("/explain", explainHandler);
    }
    OpsServer ops = new OpsServer();
    try {
      for (Map.Entry<InetSocketAddress, Map<String, HttpHandler>> e : byAddress.entrySet()) {
        HttpServer s;
        try {
          s = HttpServer.create(e.getKey(), 64);
        } catch (IOException ex) {
          throw new java.net.BindException("cannot listen on " + e.getKey() + " for "
              + String.join(", ", e.getValue().keySet()) + ": " + ex.getMessage());
        }
        e.getValue().forEach(s::createContext);
        // /explain waits on a DNS reply (up to the forward budget) and takes at most explainConcurrency
        // threads, so a listener it shares with /health or /ready keeps a thread free for the probes.
        int threads = e.getValue().containsKey("/explain") ? explainConcurrency + 1 : 1;
        s.setExecutor(Executors.newFixedThreadPool(threads, r -> {
          Thread t = new Thread(r, "ops-http");
          t.setDaemon(true);
          return t;
        }));
        s.start();
        ops.servers.add(s);
      }
    } catch (IOException | RuntimeException ex) {
      ops.close();
      throw ex;
    }
    return ops;
  }

  /** Bound addresses, in the order health, ready, metrics (shared addresses appear once). */
  public List<InetSocketAddress> addresses() {
    return servers.stream().map(HttpServer::getAddress).toList();
  }

  private static void text(HttpExchange ex, int status, String body) throws IOException {
    respond(ex, status, "text/plain", body);
  }

  /** Sends {@code body} as UTF-8 of media type {@code type} with {@code status}, and closes the exchange. */
  public static void respond(HttpExchange ex, int status, String type, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
    ex.sendResponseHeaders(status, b.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(b);
    }
  }

  @Override
  public void close() {
    for (HttpServer s : servers) {
      s.stop(0);
      if (s.getExecutor() instanceof java.util.concurrent.ExecutorService es) {
        es.shutdownNow();
      }
    }
    servers.clear();
  }
}
