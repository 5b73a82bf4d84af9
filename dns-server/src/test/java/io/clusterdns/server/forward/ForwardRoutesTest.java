package io.clusterdns.server.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.clusterdns.config.ForwardConfig;
import io.clusterdns.config.HostPort;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.xbill.DNS.Name;

/** Stub-domain selection: the most specific forward zone wins; except zones are not forwarded (11.3). */
class ForwardRoutesTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "www.google.com.,           .",
      "example.local.,            example.local.",
      "a.b.EXAMPLE.local.,        example.local.",
      "db.corp.example.local.,    corp.example.local.",
      "x.internal.corp.example.local., none",
      "notexample.local.,         .",
      "local.,                    .",
      "cluster.local.,            none",
      "svc.cluster.local.,        none",
  })
  void mostSpecificZoneWinsAndExceptZonesAreNotForwarded(String qname, String expected) throws Exception {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      ForwardConfig root = ForwardConfig.defaults(List.of(new HostPort("192.0.2.1", 53)))
          .withExcept(List.of("cluster.local"));
      ForwardRoutes<Forwarder> routes = ForwardRoutes.of(List.of(
          new Forwarder(root, group),
          new Forwarder(root.withZone("corp.example.local", List.of(new HostPort("192.0.2.3", 53)))
              .withExcept(List.of("internal.corp.example.local")), group),
          new Forwarder(root.withZone("example.local", List.of(new HostPort("192.0.2.2", 53)))
              .withExcept(List.of()), group)));
      Forwarder f = routes.select(Name.fromString(qname));
      if (expected.equals("none")) {
        assertNull(f);
      } else {
        assertEquals(expected, f.config().zone());
      }
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }
}
