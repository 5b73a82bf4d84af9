package io.clusterdns.k8s;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The CRUD mock with the API-server behaviour it lacks (dependencies.md §3): it never answers 410 Gone and
 * ignores resourceVersion on watch. Switches:
 * <ul>
 *   <li>{@link #goneWatches}: the next N watch requests for a resource get a 410 Gone ERROR event.
 *   <li>{@link #goneBeforeList}: a watch for a resource this server instance never listed answers 410, as a
 *       real API server does for a resourceVersion from before its restart (etcd compaction).
 *   <li>{@link #holdLists}: list requests of a resource wait until the latch opens (sync not yet done).
 *   <li>{@link #pageSize}: lists are served in pages of that many items with a {@code continue} token, as a
 *       real API server does for {@code limit} (the CRUD mock returns everything at once);
 *       {@link #expiredContinues}: the next N continued requests for a resource answer 410 Expired.
 * </ul>
 * It also counts list and watch requests per resource.
 */
public final class FaultyCrudDispatcher extends KubernetesCrudDispatcher {
  public final Map<String, AtomicInteger> goneWatches = new ConcurrentHashMap<>();
  public final Map<String, AtomicInteger> lists = new ConcurrentHashMap<>();
  public final Map<String, AtomicInteger> gonesServed = new ConcurrentHashMap<>();
  final Set<String> listed = ConcurrentHashMap.newKeySet();
  volatile boolean goneBeforeList;
  volatile String holdListsOf;
  final CountDownLatch holdLists = new CountDownLatch(1);
  volatile int pageSize;
  /** Lists of this resource send their headers, then their body only after {@link #stallMillis}. */
  volatile String stallListsOf;
  volatile long stallMillis;
  final Map<String, AtomicInteger> expiredContinues = new ConcurrentHashMap<>();
  final Map<String, AtomicInteger> expiredServed = new ConcurrentHashMap<>();
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    String path = request.getPath();
    int q = path.indexOf('?');
    String query = q < 0 ? "" : path.substring(q + 1);
    String base = q < 0 ? path : path.substring(0, q);
    String resource = base.substring(base.lastIndexOf('/') + 1);
    boolean get = "GET".equalsIgnoreCase(request.getMethod());
    boolean watch = get && query.contains("watch=true");
    boolean list = get && !watch && query.contains("limit=");
    if (list) {
      lists.computeIfAbsent(resource, k -> new AtomicInteger()).incrementAndGet();
      listed.add(resource);
      if (resource.equals(holdListsOf)) {
        try {
          holdLists.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    if (list && resource.equals(stallListsOf)) {
      return super.dispatch(request).setBodyDelay(stallMillis, TimeUnit.MILLISECONDS);
    }
    if (list && pageSize > 0) {
      return page(request, resource, query);
    }
    if (watch) {
      AtomicInteger n = goneWatches.get(resource);
      boolean expired = (n != null && n.getAndUpdate(v -> Math.max(0, v - 1)) > 0)
          || (goneBeforeList && !listed.contains(resource));
      if (expired) {
        gonesServed.computeIfAbsent(resource, k -> new AtomicInteger()).incrementAndGet();
        // As a real API server does: the watch is accepted, then its first event is an ERROR carrying a
        // 410 Status ("too old resource version"), and the client must relist.
        return new MockResponse().withWebSocketUpgrade(new WebSocketListener() {
          @Override
          public void onOpen(WebSocket ws, Response response) {
            ws.send("{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\","
                + "\"metadata\":{},\"status\":\"Failure\",\"message\":\"too old resource version\","
                + "\"reason\":\"Expired\",\"code\":410}}");
          }
        });
      }
    }
    return super.dispatch(request);
  }

  /** One page of the CRUD mock's whole list: the items from the continue token's offset on. */
  private MockResponse page(RecordedRequest request, String resource, String query) {
    String token = null;
    for (String kv : query.split("&")) {
      if (kv.startsWith("continue=")) {
        token = URLDecoder.decode(kv.substring("continue=".length()), StandardCharsets.UTF_8);
      }
    }
    if (token != null) {
      AtomicInteger n = expiredContinues.get(resource);
      if (n != null && n.getAndUpdate(v -> Math.max(0, v - 1)) > 0) {
        expiredServed.computeIfAbsent(resource, k -> new AtomicInteger()).incrementAndGet();
        return new MockResponse().setResponseCode(410).setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\","
            + "\"status\":\"Failure\",\"reason\":\"Expired\",\"code\":410,"
            + "\"message\":\"The provided continue parameter is too old\"}");
      }
    }
    MockResponse full = super.dispatch(request);
    if (full.code() != 200) {
      return full;
    }
    ObjectNode list = (ObjectNode) JSON.readTree(full.getBody().getBytes());
    ArrayNode items = (ArrayNode) list.get("items");
    int from = token == null ? 0 : Integer.parseInt(token);
    int to = Math.min(items.size(), from + pageSize);
    ArrayNode page = JSON.createArrayNode();
    for (int i = from; i < to; i++) {
      page.add(items.get(i));
    }
    list.set("items", page);
    JsonNode meta = list.get("metadata");
    ObjectNode m = meta instanceof ObjectNode o ? o : list.putObject("metadata");
    if (to < items.size()) {
      m.put("continue", Integer.toString(to));
    }
    return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
        .setBody(JSON.writeValueAsString(list));
  }

  int expiredOf(String resource) {
    AtomicInteger n = expiredServed.get(resource);
    return n == null ? 0 : n.get();
  }

  int listsOf(String resource) {
    AtomicInteger n = lists.get(resource);
    return n == null ? 0 : n.get();
  }

  int gonesOf(String resource) {
    AtomicInteger n = gonesServed.get(resource);
    return n == null ? 0 : n.get();
  }
}
