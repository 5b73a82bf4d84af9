package io.clusterdns.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * A watch storm while serving (issue 20): the API server pushes Service events down the watch at 10,000 a
 * second (10,000 adds, then 5,000 address changes, then 2,500 deletes) while a client keeps asking a name the
 * storm does not touch. Every answer during the storm is right, the process stays up, and afterwards every
 * storm name answers the API's final state. The mock's CRUD path takes ~500 writes a second, so the events are
 * written straight into the Services watch clusterdns holds open (a WebSocket, as with a real API server);
 * lists and the other watches are the CRUD mock's.
 */
class WatchStormIT {
  private static final int SERVICES = 10_000;

  /** Events a second the storm is paced at. */
  private static final int RATE = 10_000;

  /** Bound for the first sync, for the storm to be sent, and for the answers to converge after it. */
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  /** The CRUD mock with the cluster-wide Services watch held by the test. */
  private static final class StormDispatcher extends KubernetesCrudDispatcher {
    final Set<WebSocket> serviceWatches = ConcurrentHashMap.newKeySet();

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      String path = request.getPath();
      if (path.startsWith("/api/v1/services?") && path.contains("watch=true")) {
        return new MockResponse().withWebSocketUpgrade(new WebSocketListener() {
          @Override
          public void onOpen(WebSocket ws, Response response) {
            serviceWatches.add(ws);
          }

          @Override
          public void onClosed(WebSocket ws, int code, String reason) {
            serviceWatches.remove(ws);
          }

          @Override
          public void onFailure(WebSocket ws, Throwable t, Response response) {
            serviceWatches.remove(ws);
          }
        });
      }
      return super.dispatch(request);
    }
  }

  private static String address(int i, int version) {
    return "10." + (100 + version) + "." + (i / 256) + "." + (i % 256);
  }

  private static String event(String type, int i, int version, long resourceVersion) {
    String ip = address(i, version);
    return "{\"type\":\"" + type + "\",\"object\":{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{"
        + "\"name\":\"s" + i + "\",\"namespace\":\"storm\",\"uid\":\"storm-" + i + "\",\"resourceVersion\":\""
        + resourceVersion + "\"},\"spec\":{\"type\":\"ClusterIP\",\"clusterIP\":\"" + ip + "\",\"clusterIPs\":[\""
        + ip + "\"],\"ports\":[{\"name\":\"http\",\"port\":80,\"protocol\":\"TCP\"}]}}}";
  }

  /** The storm: every service added, every second one moved, every fourth deleted, paced at {@link #RATE}. */
  private static List<String> storm() {
    List<String> events = new ArrayList<>();
    long rv = 1_000_000;
    for (int i = 0; i < SERVICES; i++) {
      events.add(event("ADDED", i, 1, rv++));
    }
    for (int i = 0; i < SERVICES; i += 2) {
      events.add(event("MODIFIED", i, 2, rv++));
    }
    for (int i = 0; i < SERVICES; i += 4) {
      events.add(event("DELETED", i, 2, rv++));
    }
    return events;
  }

  private static String expected(int i) {
    return i % 4 == 0 ? "NXDOMAIN" : address(i, i % 2 == 0 ? 2 : 1);
  }

  private static String answer(SimpleResolver r, String name) throws IOException {
    Message reply = r.send(Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN)));
    List<Record> answer = reply.getSection(Section.ANSWER);
    if (reply.getRcode() == Rcode.NXDOMAIN) {
      return "NXDOMAIN";
    }
    return answer.isEmpty() ? Rcode.string(reply.getRcode()) + " empty" : answer.get(0).rdataToString();
  }

  private static List<String> mismatches(SimpleResolver r) throws IOException {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < SERVICES; i++) {
      String got = answer(r, "s" + i + ".storm.svc.cluster.local.");
      if (!got.equals(expected(i))) {
        out.add("s" + i + ": " + got + ", API " + expected(i));
      }
    }
    return out;
  }

  @Test
  void tenThousandEventsASecondWhileServing(@TempDir Path dir) throws Exception {
    StormDispatcher dispatcher = new StormDispatcher();
    KubernetesMockServer api = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        dispatcher, false);
    api.init(InetAddress.getLoopbackAddress(), 0);
    try (KubernetesClient client = api.createClient()) {
      for (String ns : List.of("default", "storm")) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
            .create();
      }
      client.services().inNamespace("default").resource(new ServiceBuilder()
          .withNewMetadata().withName("kubernetes").withNamespace("default").endMetadata()
          .withNewSpec().withClusterIP("10.96.0.1").withClusterIPs("10.96.0.1")
          .addNewPort().withName("https").withPort(443).withProtocol("TCP").endPort().endSpec().build()).create();
      Path kubeconfig = TestKubeconfig.write(dir, "http://127.0.0.1:" + api.getPort(), "dummy");
      try (ServerProcess server = ServerProcess.start(List.of("-Xmx256m"), Map.of(),
          ports -> List.of("--kubeconfig", kubeconfig.toString(), "--upstream", "127.0.0.1:1"))) {
        server.awaitReady(DEADLINE);
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (dispatcher.serviceWatches.isEmpty()) {
          assertTrue(System.nanoTime() < end, "no Services watch opened:\n" + server.output());
          Thread.sleep(20);
        }
        WebSocket watch = dispatcher.serviceWatches.iterator().next();

        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong answered = new AtomicLong();
        ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
        Thread reader = new Thread(() -> {
          try {
            SimpleResolver r = new SimpleResolver(server.dns());
            r.setTimeout(Duration.ofSeconds(5));
            for (int i = 0; i < 1_000_000 && !stop.get(); i++) {
              String got = answer(r, "kubernetes.default.svc.cluster.local.");
              if (!got.equals("10.96.0.1")) {
                wrong.add(got);
              }
              answered.incrementAndGet();
            }
          } catch (IOException e) {
            wrong.add(e.toString());
          }
        }, "storm-reader");
        reader.setDaemon(true);
        reader.start();

        List<String> events = storm();
        long t0 = System.nanoTime();
        for (int n = 0; n < events.size(); ) {
          // Paced: event n goes out at n / RATE seconds after the start; whatever is due, every 0.2 ms or so
          // (a spinning sender would take one of the machine's cores away from the server).
          long due = Math.min(events.size(), (System.nanoTime() - t0) * RATE / 1_000_000_000L + 1);
          for (; n < due; n++) {
            assertTrue(watch.send(events.get(n)), "the watch closed during the storm:\n" + server.output());
          }
          LockSupport.parkNanos(200_000);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long duringStorm = answered.get();

        // The last event (a delete) visible in DNS, then every name.
        SimpleResolver r = new SimpleResolver(server.dns());
        r.setTimeout(Duration.ofSeconds(5));
        long converge = System.nanoTime() + DEADLINE.toNanos();
        int lastDeleted = (SERVICES - 1) / 4 * 4;
        while (!answer(r, "s" + lastDeleted + ".storm.svc.cluster.local.").equals("NXDOMAIN")
            && System.nanoTime() < converge) {
          Thread.sleep(5);
        }
        double lastVisibleAfter = (System.nanoTime() - t0) / 1e9 - seconds;
        List<String> mismatches = mismatches(r);
        while (!mismatches.isEmpty() && System.nanoTime() < converge) {
          Thread.sleep(100);
          mismatches = mismatches(r);
        }
        stop.set(true);
        reader.join(TimeUnit.SECONDS.toMillis(30));
        System.out.printf("watch storm: %d events in %.2f s (%.0f/s); %d queries answered meanwhile; the last "
            + "event in DNS %.2f s after it was sent, all %d names checked right after it%n", events.size(), seconds,
            events.size() / seconds, duringStorm, lastVisibleAfter, SERVICES);

        assertEquals(List.of(), mismatches.subList(0, Math.min(20, mismatches.size())),
            mismatches.size() + " storm names disagree with the API after " + DEADLINE.toSeconds() + " s");
        assertTrue(duringStorm > 0, "the client was answered during the storm");
        assertEquals(List.of(), new ArrayList<>(wrong), "every answer during the storm was right");
        assertTrue(server.process().isAlive(), server.output());
      }
    } finally {
      MockApiServers.stop(api);
    }
  }
}
