package io.clusterdns.server;

import static io.clusterdns.server.RewriteIT.answers;
import static io.clusterdns.server.RewriteIT.query;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/**
 * Server block routing against the built jar, as an operator with a stub-domain block would see it: each query
 * goes to the block with the longest zone containing its name, and only that block's {@code rewrite},
 * {@code acl}, {@code template} and {@code hosts} apply (CoreDNS's server selection). The root block's template
 * matches a name of the stub block's zone and must not answer it; the stub block's hosts, rewrite and acl work
 * there and nowhere else.
 */
class RoutingIT {
  private static final String COREFILE = """
      .:53 {
          ready
          template IN A . {
              match "^(x\\.corp|y\\.other)\\.example\\.$"
              answer "{{ .Name }} 60 IN A 192.0.2.99"
              fallthrough
          }
          kubernetes cluster.local in-addr.arpa ip6.arpa {
              pods insecure
          }
          forward . 127.0.0.1:1
      }
      corp.example:53 {
          hosts {
              192.0.2.10 db.corp.example
          }
          rewrite name exact alias.corp.example kubernetes.default.svc.cluster.local answer auto
          acl {
              block type TXT
          }
          forward . 127.0.0.1:1
      }
      """;

  @Test
  void eachBlocksPluginsSeeOnlyTheQueriesRoutedToIt(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("Corefile");
    Files.writeString(conf, COREFILE);
    try (ServerProcess server = ServerProcess.start(List.of("-Xmx128m"), Map.of(),
        p -> List.of("--conf", conf.toString(), "--demo"))) {
      server.awaitReady(ServerProcess.START_DEADLINE);
      for (boolean tcp : new boolean[] {false, true}) {
        String via = tcp ? " (TCP)" : " (UDP)";
        assertEquals(List.of("y.other.example. A 192.0.2.99"), answers(query(server, "y.other.example.", Type.A, tcp)),
            "the root block's template answers its own names" + via);
        Message stubName = query(server, "x.corp.example.", Type.A, tcp);
        assertEquals(List.of(), answers(stubName), "the root block's template must not answer a name of the "
            + "corp.example block" + via);

        assertEquals(List.of("db.corp.example. A 192.0.2.10"), answers(query(server, "db.corp.example.", Type.A, tcp)),
            "hosts of a stub-domain block" + via);
        assertEquals(List.of("alias.corp.example. A 10.96.0.1"),
            answers(query(server, "alias.corp.example.", Type.A, tcp)), "rewrite of a stub-domain block" + via);

        assertEquals(Rcode.REFUSED, query(server, "db.corp.example.", Type.TXT, tcp).getRcode(),
            "the stub block's acl judges its names" + via);
        assertNotEquals(Rcode.REFUSED,
            query(server, "kubernetes.default.svc.cluster.local.", Type.TXT, tcp).getRcode(),
            "and no name of the root block" + via);
      }
    }
  }
}
