package io.clusterdns.k8s;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The CRUD mock with the API-server behaviour it lacks (dependencies.md §3): it never answers 410 Gone and
 * ignores resourceVersion on watch. Switches:
 * <ul>
 *   <li>{@link #goneWatches}: the next N watch requests for a resource get a 410 Gone ERROR event.
 *   <li>{@link #goneBeforeList}: a watch for a resource this server instance never listed answers 410, as a
 *       real API server does for a resourceVersion from before its restart (etcd compaction).
 *   <li>{@link #holdLists}: list requests of a resource wait until the latch opens (sync not yet done).
 * </ul>
 * It also counts list and watch requests per resource.
 */
final class FaultyCrudDispatcher extends KubernetesCrudDispatcher {
  final Map<String, AtomicInteger> goneWatches = new ConcurrentHashMap<>();
  final Map<String, AtomicInteger> lists = new ConcurrentHashMap<>();
  final Map<String, AtomicInteger> gonesServed = new ConcurrentHashMap<>();
  final Set<String> listed = ConcurrentHashMap.newKeySet();
  volatile boolean goneBeforeList;
  volatile String holdListsOf;
  final CountDownLatch holdLists = new CountDownLatch(1);

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

  int listsOf(String resource) {
    AtomicInteger n = lists.get(resource);
    return n == null ? 0 : n.get();
  }

  int gonesOf(String resource) {
    AtomicInteger n = gonesServed.get(resource);
    return n == null ? 0 : n.get();
  }
}
