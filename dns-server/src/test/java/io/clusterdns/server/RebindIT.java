package io.clusterdns.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.clusterdns.config.KubernetesConfig;
import io.clusterdns.config.PodsMode;
import io.clusterdns.server.query.QueryObserver;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * A reload that moves the listen address (issue 18): the new address answers, the old one is closed, an
 * unchanged one keeps its sockets; and {@link ClusterDnsServer#reconfigure} puts a new TTL in force on the same
 * listener.
 */
class RebindIT {
  private static long ttl(InetSocketAddress at, boolean tcp) throws IOException {
    SimpleResolver r = new SimpleResolver(at);
    r.setTCP(tcp);
    r.setTimeout(Duration.ofSeconds(10));
    Message reply = r.send(Message.newQuery(Record.newRecord(
        Name.fromString("kubernetes.default.svc.cluster.local."), Type.A, DClass.IN)));
    return reply.getSection(org.xbill.DNS.Section.ANSWER).get(0).getTTL();
  }

  @Test
  void changedAddressIsReboundAndNewSettingsServedOnTheSameSockets() throws Exception {
    try (ClusterDnsServer server = TestCluster.startServer()) {
      InetSocketAddress first = server.boundAddresses().get(0);
      assertEquals(30, ttl(first, false));

      int[] free = ServerProcess.freePorts(1);
      InetSocketAddress second = new InetSocketAddress(InetAddress.getLoopbackAddress(), free[0]);
      server.rebind(List.of(second));
      assertEquals(List.of(second), server.boundAddresses());
      assertEquals(30, ttl(second, false));
      assertEquals(30, ttl(second, true));
      assertThrows(IOException.class, () -> new Socket(first.getAddress(), first.getPort()).close(),
          "the old address is closed");

      server.reconfigure(KubernetesConfig.kubeadm("cluster.local", PodsMode.INSECURE, 9),
          loops -> (q, tcp) -> CompletableFuture.failedFuture(new IllegalStateException("no upstream")),
          QueryObserver.NONE, false, null, ClusterDnsServer.Plugins.NONE);
      assertEquals(9, ttl(second, false));
      assertEquals(9, ttl(second, true));
    }
  }

  /** An upstream path that records its close, as the forwarders' sockets would be released. */
  static final class ClosingUpstream implements io.clusterdns.server.query.UpstreamPath, AutoCloseable {
    volatile boolean closed;

    @Override
    public CompletableFuture<Message> forward(Message query, boolean tcp) {
      return CompletableFuture.failedFuture(new IllegalStateException("no upstream"));
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  /**
   * A reload that fails after its configuration was built (its new address cannot be bound) drops what it built,
   * upstream sockets included, and the running configuration keeps serving unchanged.
   */
  @Test
  void aDiscardedReloadClosesWhatItBuiltAndChangesNothingServing() throws Exception {
    try (ClusterDnsServer server = TestCluster.startServer()) {
      InetSocketAddress at = server.boundAddresses().get(0);
      ClosingUpstream upstream = new ClosingUpstream();
      ClusterDnsServer.Prepared built = server.prepare(KubernetesConfig.kubeadm("cluster.local", PodsMode.INSECURE,
          9), loops -> upstream, QueryObserver.NONE, false, null, ClusterDnsServer.Plugins.NONE);
      assertEquals(30, ttl(at, false), "prepared is not in force");
      server.discard(built);
      assertEquals(true, upstream.closed, "the discarded configuration's upstream path is closed");
      assertEquals(30, ttl(at, false));
      assertEquals(30, ttl(at, true));
    }
  }
}
