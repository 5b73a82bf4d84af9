package io.clusterdns.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ForwardConfigTest {

  @TempDir Path dir;

  @Test
  void readsNameserversOfResolvConfInOrderSkippingComments() throws Exception {
    Path f = dir.resolve("resolv.conf");
    Files.writeString(f, """
        # generated
        search default.svc.cluster.local svc.cluster.local
        nameserver 10.0.0.10
        ; nameserver 10.9.9.9
        options ndots:5
        nameserver   2001:db8::53
        nameserver 192.0.2.1
        """);
    assertEquals(List.of(new HostPort("10.0.0.10", 53), new HostPort("2001:db8::53", 53),
        new HostPort("192.0.2.1", 53)), ForwardConfig.readResolvConf(f));
  }

  @Test
  void keepsAtMostFifteenNameservers() throws Exception {
    Path f = dir.resolve("resolv.conf");
    List<String> lines = new ArrayList<>();
    for (int i = 1; i <= 20; i++) {
      lines.add("nameserver 192.0.2." + i);
    }
    Files.write(f, lines);
    List<HostPort> got = ForwardConfig.readResolvConf(f);
    assertEquals(ForwardConfig.MAX_UPSTREAMS, got.size());
    assertEquals(new HostPort("192.0.2.15", 53), got.get(14));
  }

  @Test
  void resolvConfWithoutNameserverIsAnError() throws Exception {
    Path f = dir.resolve("resolv.conf");
    Files.writeString(f, "search cluster.local\n");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ForwardConfig.readResolvConf(f));
    assertTrue(e.getMessage().contains("no nameserver"));
  }

  @Test
  void defaultsAreCoreDnsForwardDefaults() {
    ForwardConfig c = ForwardConfig.defaults(List.of(new HostPort("192.0.2.1", 53)));
    assertEquals(".", c.zone());
    assertEquals(ForwardPolicy.RANDOM, c.policy());
    assertEquals(2000, c.tryTimeout().toMillis());
    assertEquals(2, c.maxFails());
    assertEquals(500, c.healthCheck().toMillis());
    assertEquals(1000, c.maxConcurrent());
  }

  @Test
  void moreThanFifteenUpstreamsIsAnError() {
    List<HostPort> many = Collections.nCopies(16, new HostPort("192.0.2.1", 53));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ForwardConfig.defaults(many));
    assertTrue(e.getMessage().contains("at most 15"));
  }

  @ParameterizedTest
  @CsvSource({"random,RANDOM", "ROUND_ROBIN,ROUND_ROBIN", "sequential,SEQUENTIAL"})
  void parsesPolicies(String text, ForwardPolicy expected) {
    assertEquals(expected, ForwardPolicy.parse(text));
  }
}
