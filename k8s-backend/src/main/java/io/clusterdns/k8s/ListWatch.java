package io.clusterdns.k8s;

import io.clusterdns.index.EndpointSliceInfo;
import io.clusterdns.index.NamespaceInfo;
import io.clusterdns.index.PodInfo;
import io.clusterdns.index.ServiceInfo;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.Watchable;
import io.fabric8.kubernetes.client.dsl.internal.AbstractWatchManager;
import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Lists and then watches one kind on the API server, as client-go's reflector does, and hands what it learns
 * to a {@link Sink}.
 *
 * <p>Why not a fabric8 informer (issue 17): an informer decodes each list page into objects on the HTTP
 * client's one event loop, keeps a store keyed by every object, and checks every key of a relist in a skip
 * list; at 100,000 Services + EndpointSlices + Pods its first sync took 12-14 s while the bench's API server
 * served the same 295 MB in under 1.3 s (conformance/bench/RESULTS.md). Here:
 * <ul>
 *   <li><b>List:</b> paged GETs ({@value #PAGE} items, {@code continue}) through the API client's own HTTP
 *       client, so credentials, TLS and retries are the kubeconfig's; each response is read from its stream
 *       ({@link BodyStream}: a response that stalls fails after the request timeout) as
 *       {@link JsonListTokens} by {@link ManifestReader#readListPage} on this kind's own thread straight into
 *       slim records (no model object, no data binding). The kinds list in parallel.
 *   <li><b>No store:</b> the indexer's state is the only copy. The sink hears where a list starts and ends,
 *       so objects deleted while nothing watched are removed at its end; objects listed again unchanged change
 *       nothing there (the state compares slim records).
 *   <li><b>Watch:</b> fabric8's watch over the slim classes, from the list's resourceVersion with bookmarks;
 *       fabric8 reconnects it from the last version it saw. When fabric8 ends it (410 Gone: the version was
 *       compacted; or an event it cannot read) this lists again.
 *   <li><b>Failures:</b> a failed list or watch start is reported to the sink and retried after a backoff
 *       doubling from {@value #MIN_BACKOFF_MS} ms to {@value #MAX_BACKOFF_MS} ms; the last data keeps
 *       serving meanwhile (behaviours.md 9.7).
 * </ul>
 *
 * <p>Threads: one daemon thread per kind ({@code clusterdns-list-<kind>}) runs list, watch, relist; watch
 * events reach the sink on fabric8's watch thread for this kind, one at a time and in order.
 */
final class ListWatch<T extends HasMetadata> implements AutoCloseable {
  /**
   * Items per list page, as client-go's reflectors ask (with the informers a tenfold page saved ~10 % of the
   * sync and held ~75 MB more, RESULTS.md "list page size").
   */
  static final int PAGE = 500;

  static final long MIN_BACKOFF_MS = 800;
  static final long MAX_BACKOFF_MS = 30_000;

  /** What a list-watch delivers. */
  interface Sink<T> {
    /** A list starts (again, when its continue token expired): its pages follow (list thread). */
    void listStarted();

    /** A page of the current list, in order (list thread). */
    void page(ManifestReader.ListPage page);

    /** The current list is complete: objects its pages did not have are gone (list thread). */
    void listed();

    /**
     * After a list, the watch that follows it was opened, or failed to open and will be retried (list thread):
     * a change made after this is seen, or will be once the watch opens from the list's version.
     */
    void watchStarted();

    /** A watch event: ADDED, MODIFIED or DELETED (fabric8's watch thread). */
    void event(Watcher.Action action, T object);

    /** A list or watch failed; it is retried (list thread). */
    void failed(Throwable cause);
  }

  private final String name;
  private final HttpClient http;
  private final String listUrl;
  private final String kind;
  private final String apiVersion;
  private final Watchable<T> watchable;
  private final Sink<T> sink;
  private final long requestTimeoutMs;
  private final Thread thread;
  private volatile Watch watch;
  private volatile boolean closed;

  /**
   * @param masterUrl the API server's base URL
   * @param path the kind's cluster-wide collection, e.g. {@code api/v1/services}
   * @param labelSelector or null
   * @param kind, apiVersion what the list's items are
   * @param watchable the same collection (and selector) on a client that decodes into the slim classes
   */
  ListWatch(String name, HttpClient http, String masterUrl, String path, String labelSelector, String kind,
      String apiVersion, Watchable<T> watchable, long requestTimeoutMs, Sink<T> sink) {
    this.name = name;
    this.http = http;
    String base = masterUrl.endsWith("/") ? masterUrl : masterUrl + "/";
    this.listUrl = base + path + "?limit=" + PAGE
        + (labelSelector == null ? "" : "&labelSelector=" + encode(labelSelector));
    this.kind = kind;
    this.apiVersion = apiVersion;
    this.watchable = watchable;
    this.requestTimeoutMs = requestTimeoutMs;
    this.sink = sink;
    this.thread = new Thread(this::run, "clusterdns-list-" + name);
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** True while a watch is open (after the first list, and not while fabric8 reconnects it). */
  boolean watching() {
    Watch w = watch;
    return w instanceof AbstractWatchManager<?> m ? m.isWatching() : w != null;
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    Watch w = watch;
    if (w != null) {
      w.close();
    }
    try {
      thread.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---------------------------------------------------------------------------------------------- loop

  private void run() {
    long backoff = MIN_BACKOFF_MS;
    String version = null; // where a new watch starts; null: list first
    while (!closed) {
      try {
        boolean listed = false;
        if (version == null) {
          version = list();
          listed = true;
        }
        Ended ended = new Ended();
        try {
          watch = watchable.watch(new ListOptionsBuilder().withResourceVersion(version)
              .withAllowWatchBookmarks(true).build(), ended);
        } finally {
          if (listed) {
            sink.watchStarted();
          }
        }
        backoff = MIN_BACKOFF_MS;
        // Until fabric8 gives the watch up: 410 Gone (relist at once, as client-go does), an event it could
        // not read (relist after a pause), or close().
        WatcherException end = ended.future.get();
        watch = null;
        version = null;
        if (end != null && !end.isHttpGone() && !closed) {
          sink.failed(end);
          Thread.sleep(backoff);
          backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException | IOException | ExecutionException e) {
        if (closed) {
          return;
        }
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof KubernetesClientException k && k.getCode() == HttpURLConnection.HTTP_GONE) {
          version = null;
        }
        watch = null;
        sink.failed(cause);
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException ie) {
          return;
        }
        backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
      }
    }
  }

  /** Lists every page; returns the list's resourceVersion, for the watch. */
  private String list() throws IOException, InterruptedException, ExecutionException {
    String token = null;
    sink.listStarted();
    while (true) {
      String url = token == null ? listUrl : listUrl + "&continue=" + encode(token);
      BodyStream stream = new BodyStream(requestTimeoutMs);
      HttpResponse<AsyncBody> response = http.consumeBytes(http.newHttpRequestBuilder().uri(url)
          .timeout(requestTimeoutMs, TimeUnit.MILLISECONDS).build(), stream).get();
      stream.start(response);
      ManifestReader.ListPage page;
      try (InputStream body = stream) {
        if (response.code() == HttpURLConnection.HTTP_GONE && token != null) {
          // The continue token expired (the list took longer than etcd keeps versions): start over.
          token = null;
          sink.listStarted();
          continue;
        }
        if (!response.isSuccessful()) {
          throw new KubernetesClientException("listing " + name + ": HTTP " + response.code() + " "
              + firstLine(body), response.code(), null);
        }
        try {
          page = ManifestReader.readListPage(new JsonListTokens(body), kind, apiVersion);
        } catch (UncheckedIOException e) {
          throw e.getCause(); // the body's own failure (a stall, a reset)
        } catch (IllegalArgumentException e) {
          throw new IOException("listing " + name + ": unreadable response: " + e.getMessage(), e);
        }
      }
      sink.page(page);
      if (closed) {
        throw new InterruptedException();
      }
      if (page.continueToken == null || page.continueToken.isEmpty()) {
        sink.listed();
        return page.resourceVersion;
      }
      token = page.continueToken;
    }
  }

  /** The namespace a slim record belongs to: a Namespace's own name, else its namespace. */
  static String namespaceOf(Object record) {
    if (record instanceof NamespaceInfo n) {
      return n.name();
    }
    if (record instanceof ServiceInfo s) {
      return s.namespace();
    }
    if (record instanceof EndpointSliceInfo e) {
      return e.namespace();
    }
    if (record instanceof PodInfo p) {
      return p.namespace();
    }
    throw new IllegalArgumentException("not a slim record: " + record);
  }

  private static String firstLine(InputStream body) throws IOException {
    byte[] b = body.readNBytes(300);
    String s = new String(b, StandardCharsets.UTF_8);
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** Passes events on; completes when fabric8 ends the watch for good. */
  private final class Ended implements Watcher<T> {
    /** The cause fabric8 ended the watch with; null when closed on purpose. */
    final CompletableFuture<WatcherException> future = new CompletableFuture<>();

    @Override
    public void eventReceived(Action action, T resource) {
      if (action != Action.BOOKMARK) { // fabric8 keeps the bookmark's version for its reconnects
        sink.event(action, resource);
      }
    }

    @Override
    public boolean reconnecting() {
      return true; // fabric8 resumes a dropped watch from the last version; only 410 and such end it
    }

    @Override
    public void onClose(WatcherException cause) {
      future.complete(cause);
    }

    @Override
    public void onClose() {
      future.complete(null);
    }
  }
}
