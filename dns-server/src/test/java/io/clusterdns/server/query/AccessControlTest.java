package io.clusterdns.server.query;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.clusterdns.config.corefile.AclPlugin;
import io.clusterdns.config.corefile.Corefile;
import io.clusterdns.config.corefile.CorefileParser;
import io.clusterdns.config.corefile.ServerBlock;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

/**
 * The acl's verdicts as a table: (name, type, client) → action, against one Corefile with the shapes of CoreDNS's
 * README and acl_test.go (first match wins, a more specific allow first, several acl directives, zones, IPv6, a
 * second server block without acl). Adding a case is one row.
 */
class AccessControlTest {

  static final String COREFILE = """
      .:53 {
          acl {
              allow net 127.0.0.2 10.1.0.0/16
              block type AAAA net 127.0.0.0/8
              filter type A MX net 127.0.0.0/8 fd00::/8
              drop net 192.0.2.0/24 2001:db8::/32
          }
          acl secret.example.org {
              block net *
          }
          acl {
              block type TXT
          }
          kubernetes cluster.local
      }
      stub.example.org:53 {
          forward . 127.0.0.1
      }
      """;

  static Stream<Arguments> verdicts() {
    return Stream.of(
        row("a.default.svc.cluster.local.", "AAAA", "127.0.0.1", "BLOCK"),
        row("a.default.svc.cluster.local.", "A", "127.0.0.1", "FILTER"),
        row("a.default.svc.cluster.local.", "MX", "127.0.0.1", "FILTER"),
        row("a.default.svc.cluster.local.", "SRV", "127.0.0.1", "ALLOW"),
        // the more specific allow comes first and wins
        row("a.default.svc.cluster.local.", "AAAA", "127.0.0.2", "ALLOW"),
        row("example.com.", "AAAA", "10.1.200.3", "ALLOW"),
        row("example.com.", "AAAA", "10.2.0.1", "ALLOW"),
        row("example.com.", "A", "192.0.2.77", "DROP"),
        row("example.com.", "A", "192.0.3.1", "ALLOW"),
        row("example.com.", "A", "fd12::1", "FILTER"),
        row("example.com.", "AAAA", "fd12::1", "ALLOW"),
        row("example.com.", "A", "2001:db8:1::5", "DROP"),
        row("example.com.", "A", "2001:db9::5", "ALLOW"),
        // an IPv4 prefix never matches an IPv6 client; an IPv4-mapped one is an IPv4 client (as Go's To4 sees it)
        row("example.com.", "AAAA", "::1", "ALLOW"),
        row("example.com.", "AAAA", "::ffff:7f00:1", "BLOCK"),
        // no policy of the first acl matches: the second (its zone) and the third are tried
        row("secret.example.org.", "A", "10.9.9.9", "BLOCK"),
        row("x.secret.example.org.", "SRV", "10.9.9.9", "BLOCK"),
        row("notsecret.example.org.", "SRV", "10.9.9.9", "ALLOW"),
        row("example.com.", "TXT", "10.9.9.9", "BLOCK"),
        // allow in the first acl ends every acl of the block
        row("secret.example.org.", "A", "10.1.0.9", "ALLOW"),
        // names of the stub block are not judged by the root block's acl
        row("a.stub.example.org.", "AAAA", "127.0.0.1", "UNCHECKED"));
  }

  static Arguments row(String name, String type, String client, String action) {
    return Arguments.of(name, type, client, action);
  }

  @ParameterizedTest(name = "{0} {1} from {2}: {3}")
  @MethodSource("verdicts")
  void firstMatchingPolicyDecides(String name, String type, String client, String expected) throws Exception {
    int verdict = decide(router(COREFILE, AccessControl.Counters.NONE), name, Type.value(type),
        InetAddress.getByName(client).getAddress());
    String actual = verdict == AccessControl.UNCHECKED ? "UNCHECKED"
        : AclPlugin.Action.values()[AccessControl.action(verdict)].name();
    assertEquals(expected, actual);
  }

  @Test
  void countsLandOnCoreDnsLabels() throws Exception {
    Map<String, Integer> counts = new TreeMap<>();
    AccessControl.Counters counters = (action, server, zone) -> {
      String key = action + " " + server + " " + zone;
      return () -> counts.merge(key, 1, Integer::sum);
    };
    Router router = router(COREFILE, counters);
    AccessControl acl = router.route(wire(".")).acl();
    byte[] local = InetAddress.getByName("127.0.0.1").getAddress();
    acl.count(decide(router, "a.cluster.local.", Type.AAAA, local));
    acl.count(decide(router, "a.cluster.local.", Type.AAAA, local));
    acl.count(decide(router, "x.secret.example.org.", Type.SRV, new byte[] {10, 0, 0, 1}));
    acl.count(decide(router, "example.com.", Type.A, new byte[] {(byte) 192, 0, 2, 1}));
    acl.count(decide(router, "example.com.", Type.SRV, local));
    acl.count(decide(router, "a.stub.example.org.", Type.SRV, local)); // UNCHECKED: counts nothing
    assertEquals(Map.of(
        "BLOCK dns://:53 .", 2,
        "BLOCK dns://:53 secret.example.org.", 1,
        "DROP dns://:53 .", 1,
        "ALLOW dns://:53 null", 1), counts);
  }

  @Test
  void zonesMatchAtLabelBoundaries() throws Exception {
    assertEquals(true, io.clusterdns.server.zone.WireName.under(wire("a.b.example."), wire("b.example.")));
    assertEquals(true, io.clusterdns.server.zone.WireName.under(wire("b.example."), wire("b.example.")));
    assertEquals(false, io.clusterdns.server.zone.WireName.under(wire("ab.example."), wire("b.example.")));
    assertEquals(true, io.clusterdns.server.zone.WireName.under(wire("anything."), wire(".")));
  }

  /** The verdict the query path reaches: the name's block, then that block's acl if it has one. */
  static int decide(Router router, String name, int type, byte[] client) throws Exception {
    Router.Route route = router.route(wire(name));
    return route == null || route.acl() == null ? AccessControl.UNCHECKED
        : route.acl().decide(wire(name), type, client);
  }

  static Router router(String corefile, AccessControl.Counters counters) throws Exception {
    Corefile c = CorefileParser.parse(corefile, "Corefile");
    List<Router.Block> blocks = new ArrayList<>();
    for (ServerBlock b : c.serverBlocks()) {
      blocks.add(new Router.Block(b.zones(), b.serverLabel(), null, List.of(), null, b.acl()));
    }
    return Router.of(blocks, counters, new ArrayList<>());
  }

  static byte[] wire(String name) throws Exception {
    return Name.fromString(name).toWireCanonical();
  }
}
