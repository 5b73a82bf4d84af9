package io.clusterdns.k8s;

import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import javax.net.ssl.SSLException;

/**
 * Says why the API server cannot be used, within seconds (issue 18): fabric8's own retries (10, with backoff)
 * hide a refused connection, a TLS error, a 401 or a 403 for about 100 s, and the watch only ever says "not
 * synced". This asks the API server the same questions the watch does (list Namespaces, Services and
 * EndpointSlices, one item each) with a client of its own that never retries and times out in
 * {@value #TIMEOUT_MS} ms, and logs the cause with the API server's address (never the credentials). It asks
 * again with a backoff doubling from 1 s to {@value #MAX_BACKOFF_MS} ms until every question is answered, then
 * logs once that the API server is usable, and stops.
 *
 * <p>Threads: one daemon thread of its own; {@link #close()} stops it.
 */
public final class ApiServerProbe implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger("io.clusterdns.k8s.ApiServerProbe");

  /** Connect and request timeout of one probe, milliseconds. */
  static final int TIMEOUT_MS = 3000;

  /** Longest wait between probes, milliseconds. */
  static final long MAX_BACKOFF_MS = 30_000;

  private final Thread thread;
  private final WatchListener listener;
  private volatile boolean closed;

  private ApiServerProbe(Config base, WatchListener listener) {
    this.listener = listener;
    Config config = new ConfigBuilder(base).withRequestRetryBackoffLimit(0).withConnectionTimeout(TIMEOUT_MS)
        .withRequestTimeout(TIMEOUT_MS).build();
    String server = base.getMasterUrl();
    thread = new Thread(() -> run(config, server), "api-server-probe");
    thread.setDaemon(true);
  }

  /** Starts probing the API server of {@code client}'s configuration. */
  public static ApiServerProbe start(KubernetesClient client) {
    return start(client, WatchListener.NONE);
  }

  /** Starts probing, telling {@code listener} each cause it logs and the end of the problems. */
  public static ApiServerProbe start(KubernetesClient client, WatchListener listener) {
    ApiServerProbe p = new ApiServerProbe(client.getConfiguration(), listener);
    p.thread.start();
    return p;
  }

  /** True until the probe found the API server usable (or was closed). */
  boolean running() {
    return thread.isAlive();
  }

  private void run(Config config, String server) {
    long backoff = 1000;
    boolean failed = false;
    String last = null;
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
      while (!closed) {
        String problem = check(client, server);
        if (problem == null) {
          if (failed) {
            LOG.info("the API server at " + server + " answers the watch's requests now");
          }
          listener.apiUsable(failed);
          return;
        }
        failed = true;
        if (!problem.equals(last)) {
          listener.apiProblem(problem);
        }
        if (!problem.equals(last) || backoff >= MAX_BACKOFF_MS) {
          LOG.severe(problem + "; retrying in " + TimeUnit.MILLISECONDS.toSeconds(backoff) + " s");
        }
        last = problem;
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException e) {
          return;
        }
        backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
      }
    } catch (RuntimeException e) {
      LOG.severe("cannot check the API server at " + server + ": " + e.getMessage());
    }
  }

  /** Null when the watch's list requests succeed, else the cause as one line naming the server. */
  static String check(KubernetesClient client, String server) {
    String what = "namespaces";
    try {
      client.namespaces().list(new ListOptionsBuilder().withLimit(1L).build());
      what = "services";
      client.services().inAnyNamespace().list(new ListOptionsBuilder().withLimit(1L).build());
      what = "endpointslices";
      client.discovery().v1().endpointSlices().inAnyNamespace().list(new ListOptionsBuilder().withLimit(1L)
          .build());
      return null;
    } catch (KubernetesClientException e) {
      return describe(e, server, what);
    } catch (RuntimeException e) {
      return "cannot use the API server at " + server + ": " + cause(e);
    }
  }

  static String describe(KubernetesClientException e, String server, String what) {
    int code = e.getCode();
    if (code == 401) {
      return "the API server at " + server + " rejected the credentials (401 Unauthorized): check the token or "
          + "client certificate of the kubeconfig or service account";
    }
    if (code == 403) {
      return "the API server at " + server + " denied listing " + what + " (403 Forbidden, RBAC): the service "
          + "account needs list and watch on namespaces, services, endpointslices.discovery.k8s.io (and pods for "
          + "pods verified)";
    }
    if (code > 0) {
      return "the API server at " + server + " answered " + code + " to listing " + what + ": "
          + firstLine(e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
          : e.getMessage());
    }
    return "cannot reach the API server at " + server + ": " + cause(e);
  }

  /** The innermost cause in words an operator recognises. */
  static String cause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
      if (t instanceof ConnectException) {
        return "connection refused";
      }
      if (t instanceof SSLException) {
        return "TLS error: " + firstLine(t.getMessage());
      }
      if (t instanceof UnknownHostException) {
        return "unknown host " + t.getMessage();
      }
      if (t instanceof NoRouteToHostException) {
        return "no route to host";
      }
      if (t instanceof SocketTimeoutException || t instanceof java.util.concurrent.TimeoutException) {
        return "no answer within " + TIMEOUT_MS + " ms";
      }
    }
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : firstLine(t.getMessage());
    return m.toLowerCase(Locale.ROOT).contains("connection refused") ? "connection refused" : m;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
  }
}
