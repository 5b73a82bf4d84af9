package io.clusterdns.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clusterdns.index.SnapshotPublisher;
import io.clusterdns.server.forward.KnotUpstream;
import io.clusterdns.server.query.QueryObserver;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Corefile as operators hand it over (the coredns ConfigMap), combined with flags as cli.md says, and a stub
 * domain answered by its own upstream (behaviours.md 11.3, the e2e "Change stubDomain" test).
 */
class CorefileIT {

  /** The kubeadm default Corefile (behaviours.md, top), with the forward pointed at {@code UPSTREAM}. */
  private static final String KUBEADM = String.join("\n",
      ".:53 {",
      "    errors",
      "    health {",
      "       lameduck 5s",
      "    }",
      "    ready",
      "    kubernetes cluster.local in-addr.arpa ip6.arpa {",
      "       pods insecure",
      "       fallthrough in-addr.arpa ip6.arpa",
      "       ttl 30",
      "    }",
      "    prometheus :9153",
      "    forward . UPSTREAM {",
      "       max_concurrent 1000",
      "    }",
      "    cache 30 {",
      "       disable success cluster.local",
      "       disable denial cluster.local",
      "    }",
      "    loop",
      "    reload",
      "    loadbalance",
      "}",
      "");

  private static ServerOptions options(String... args) {
    ServerOptions o = new ServerOptions();
    new picocli.CommandLine(o).parseArgs(args);
    return o;
  }

  @Test
  void kubeadmCorefileDescribesTheDefaultsAndFlagsWinOverIt(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("Corefile");
    Files.writeString(conf, KUBEADM.replace("UPSTREAM", "192.0.2.53"));
    EffectiveConfig fromFile = EffectiveConfig.resolve(options("--conf", conf.toString()));
    assertEquals(List.of(new io.clusterdns.config.HostPort("", 53)), fromFile.listen());
    assertEquals(30, fromFile.kubernetes().ttl());
    assertEquals(java.time.Duration.ofSeconds(5), fromFile.lameduck());
    assertEquals("192.0.2.53", fromFile.forwards().get(0).upstreams().get(0).host());
    assertTrue(fromFile.loopCheck());

    EffectiveConfig overridden = EffectiveConfig.resolve(options("--conf", conf.toString(),
        "--listen", "127.0.0.1:5353", "--upstream", "127.0.0.1:5399", "--ttl", "7", "--pods", "verified",
        "--ready", "127.0.0.1:18181"));
    assertEquals(List.of(new io.clusterdns.config.HostPort("127.0.0.1", 5353)), overridden.listen());
    assertEquals(List.of(new io.clusterdns.config.HostPort("127.0.0.1", 5399)),
        overridden.forwards().get(0).upstreams());
    assertEquals(7, overridden.kubernetes().ttl());
    assertEquals(io.clusterdns.config.PodsMode.VERIFIED, overridden.kubernetes().pods());
    assertTrue(overridden.watch().watchPods(), "pods verified watches Pods");
    assertEquals(new io.clusterdns.config.HostPort("127.0.0.1", 18181), overridden.ready());
  }

  @Test
  void checkConfigValidatesAndBadLinesFailStartupNamingTheLine(@TempDir Path dir) throws Exception {
    Path good = dir.resolve("Corefile");
    Files.writeString(good, KUBEADM.replace("UPSTREAM", "127.0.0.1:5399"));
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      assertEquals(0, Main.run("--conf", good.toString(), "--demo", "--check-config"));
      assertTrue(captured.toString(StandardCharsets.UTF_8).contains("configuration OK"), captured.toString());
      assertTrue(captured.toString(StandardCharsets.UTF_8).contains("forward [. -> [127.0.0.1:5399] (hedged)]"),
          "the summary says that tries are hedged, which CoreDNS does not do: " + captured);

      Path bad = dir.resolve("Corefile.bad");
      Files.writeString(bad, KUBEADM.replace("UPSTREAM", "127.0.0.1").replace("ttl 30", "upstream"));
      captured.reset();
      assertEquals(1, Main.run("--conf", bad.toString(), "--demo", "--check-config"));
      assertTrue(captured.toString(StandardCharsets.UTF_8).contains("Corefile.bad:10:8: unknown property 'upstream'"),
          captured.toString());

      captured.reset();
      assertEquals(2, Main.run("--ttl", "-1"));
      assertTrue(captured.toString(StandardCharsets.UTF_8).contains("--ttl"), captured.toString());
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  @Test
  void stubDomainBlockIsAnsweredByItsOwnUpstream(@TempDir Path dir) throws Exception {
    try (KnotUpstream knot = KnotUpstream.start()) {
      Path conf = dir.resolve("Corefile");
      // Everything else goes to a port nobody listens on: only the stub block can answer example.test.
      Files.writeString(conf, KUBEADM.replace("UPSTREAM", "127.0.0.1:1")
          + "example.test:53 {\n    forward . 127.0.0.1:" + knot.port() + "\n}\n");
      EffectiveConfig cfg = EffectiveConfig.resolve(options("--conf", conf.toString()));
      ClusterDnsServer server = new ClusterDnsServer(cfg.kubernetes(),
          SnapshotPublisher.ofSynced(TestCluster.build().build()), List.of(),
          Upstreams.factory(cfg.forwards(), cfg.cache(), new PrometheusRegistry(), cfg.serverLabel()),
          QueryObserver.NONE, 1);
      try {
        server.listen(List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
        InetSocketAddress addr = server.boundAddresses().get(0);
        assertEquals(List.of("192.0.2.10"), Dig.lines(Dig.run(addr, "+short", "www.example.test", "A")));
        assertTrue(Dig.run(addr, "other.invalid", "A").contains("status: SERVFAIL"));
        assertEquals(List.of("10.96.5.5"), Dig.lines(Dig.run(addr, "+short", "web.wire.svc.cluster.local")));
      } finally {
        server.close();
      }
    }
  }
}
