package io.clusterdns.bench.watch;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * A read-only API server for a large cluster: cluster-wide LISTs of Namespaces, Services, EndpointSlices and
 * Pods are answered from pre-built pages ({@value #PAGE} items, {@code metadata.continue} and
 * {@code resourceVersion} set as a real API server does), and WATCHes are accepted and held open without
 * events. {@link #forceRelist()} sends every held watch a {@code 410 Gone} ERROR event (as ClusterWatchTest's
 * FaultyCrudDispatcher does), after which clusterdns relists; the relist's last pages carry one marker
 * object per kind, so the benchmark can see when the relist has been applied. Anything else goes to the CRUD
 * dispatcher. The CRUD mock's create path scans every object (~400/s), far too slow for 300,000 objects.
 * Called on the mock web server's threads.
 */
final class PagedListDispatcher extends KubernetesCrudDispatcher {
  /** Items per page; clusterdns asks for 500 (ListWatch.PAGE). */
  static final int PAGE = 500;

  private static final String GONE = "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\","
      + "\"metadata\":{},\"status\":\"Failure\",\"message\":\"too old resource version\","
      + "\"reason\":\"Expired\",\"code\":410}}";

  /** One listed resource: its pages for the first list and the relist's last page. */
  static final class Resource {
    final String name;
    final List<byte[]> pages = new ArrayList<>();
    byte[] relistLastPage;
    final AtomicInteger pagesServed = new AtomicInteger();
    final AtomicInteger lastPagesServed = new AtomicInteger();
    final AtomicInteger watchesOpened = new AtomicInteger();
    /** When the first page and the last page of the latest list were served (System.nanoTime), 0 before. */
    volatile long firstPageNanos;
    volatile long lastPageNanos;
    /** When the first watch after the latest list's last page was opened (System.nanoTime), 0 before. */
    volatile long watchOpenNanos;
    final Set<WebSocket> watches = ConcurrentHashMap.newKeySet();
    long bytes;

    Resource(String name) {
      this.name = name;
    }
  }

  private final Map<String, Resource> byPath = new ConcurrentHashMap<>();
  private final Set<String> otherLimits = ConcurrentHashMap.newKeySet();
  private volatile boolean relist;

  PagedListDispatcher(SyntheticCluster c) {
    add("/api/v1/namespaces", "namespaces", "NamespaceList", "v1", c.namespaces, c::namespace);
    add("/api/v1/services", "services", "ServiceList", "v1", c.services, c::service);
    add("/apis/discovery.k8s.io/v1/endpointslices", "endpointslices", "EndpointSliceList", "discovery.k8s.io/v1",
        c.services, c::endpointSlice);
    add("/api/v1/pods", "pods", "PodList", "v1", c.pods, c::pod);
  }

  private void add(String path, String name, String listKind, String apiVersion, int count,
      BiConsumer<StringBuilder, Integer> item) {
    Resource r = new Resource(name);
    int pages = Math.max(1, (count + PAGE - 1) / PAGE);
    for (int p = 0; p < pages; p++) {
      r.pages.add(page(name, listKind, apiVersion, count, item, p, pages, "9000000", false));
    }
    r.relistLastPage = page(name, listKind, apiVersion, count, item, pages - 1, pages, "9000001", true);
    for (byte[] b : r.pages) {
      r.bytes += b.length;
    }
    byPath.put(path, r);
  }

  private static byte[] page(String name, String listKind, String apiVersion, int count,
      BiConsumer<StringBuilder, Integer> item, int p, int pages, String rv, boolean marker) {
    StringBuilder b = new StringBuilder(PAGE * 1200);
    b.append("{\"apiVersion\":\"").append(apiVersion).append("\",\"kind\":\"").append(listKind)
        .append("\",\"metadata\":{\"resourceVersion\":\"").append(rv).append('"');
    int end = Math.min(count, (p + 1) * PAGE);
    if (p + 1 < pages) {
      b.append(",\"continue\":\"page-").append(p + 1).append("\",\"remainingItemCount\":").append(count - end);
    }
    b.append("},\"items\":[");
    boolean first = true;
    for (int i = p * PAGE; i < end; i++) {
      if (!first) {
        b.append(',');
      }
      first = false;
      item.accept(b, i);
    }
    if (marker) {
      if (!first) {
        b.append(',');
      }
      SyntheticCluster.marker(b, name);
    }
    b.append("]}");
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    String path = request.getPath();
    int q = path.indexOf('?');
    String query = q < 0 ? "" : path.substring(q + 1);
    Resource r = byPath.get(q < 0 ? path : path.substring(0, q));
    if (r == null || !"GET".equalsIgnoreCase(request.getMethod())) {
      return super.dispatch(request);
    }
    Map<String, String> params = new java.util.HashMap<>();
    for (String kv : query.split("&")) {
      int eq = kv.indexOf('=');
      if (eq > 0) {
        params.put(kv.substring(0, eq), java.net.URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    if ("true".equals(params.get("watch"))) {
      r.watchesOpened.incrementAndGet();
      return new MockResponse().withWebSocketUpgrade(new WebSocketListener() {
        @Override
        public void onOpen(WebSocket ws, Response response) {
          r.watches.add(ws);
          if (r.watchOpenNanos == 0 && r.lastPageNanos != 0) {
            r.watchOpenNanos = System.nanoTime();
          }
        }

        @Override
        public void onClosed(WebSocket ws, int code, String reason) {
          r.watches.remove(ws);
        }

        @Override
        public void onFailure(WebSocket ws, Throwable t, Response response) {
          r.watches.remove(ws);
        }
      });
    }
    String limit = params.get("limit");
    if (limit != null && !limit.equals(Integer.toString(PAGE))) {
      otherLimits.add(r.name + " limit=" + limit);
    }
    String cont = params.get("continue");
    int p = cont == null ? 0 : Integer.parseInt(cont.substring("page-".length()));
    boolean last = p == r.pages.size() - 1;
    byte[] body = last && relist ? r.relistLastPage : r.pages.get(p);
    r.pagesServed.incrementAndGet();
    if (p == 0) {
      r.firstPageNanos = System.nanoTime();
    }
    if (last) {
      r.lastPagesServed.incrementAndGet();
      r.lastPageNanos = System.nanoTime();
    }
    return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json").setBody(body);
  }

  /** Sends 410 Gone on every held watch; the following lists are the relist (with markers). */
  int forceRelist() {
    relist = true;
    int sent = 0;
    for (Resource r : byPath.values()) {
      for (WebSocket ws : List.copyOf(r.watches)) {
        if (ws.send(GONE)) {
          sent++;
        }
        r.watches.remove(ws);
      }
    }
    return sent;
  }

  /** Back to the first generation for the next clusterdns process. */
  void startOver() {
    relist = false;
    for (Resource r : byPath.values()) {
      r.watches.clear();
      r.pagesServed.set(0);
      r.lastPagesServed.set(0);
      r.watchesOpened.set(0);
      r.firstPageNanos = 0;
      r.lastPageNanos = 0;
      r.watchOpenNanos = 0;
    }
  }

  /** Whether every resource has served its last page {@code n} times and opened a watch after it. */
  boolean listedAndWatching(int n) {
    for (Resource r : byPath.values()) {
      if (r.lastPagesServed.get() < n || r.watches.isEmpty()) {
        return false;
      }
    }
    return true;
  }

  Map<String, Resource> resources() {
    return byPath;
  }

  Set<String> unexpectedLimits() {
    return otherLimits;
  }
}
