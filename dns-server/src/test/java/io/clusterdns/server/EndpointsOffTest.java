package io.clusterdns.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.clusterdns.config.HostPort;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code --health}, {@code --ready} and {@code --metrics} take an address or {@code off} (README "Hardening"). */
class EndpointsOffTest {
  private static EffectiveConfig resolve(String... args) throws Exception {
    Main main = new Main();
    List<String> all = new ArrayList<>(List.of("--demo", "--upstream", "127.0.0.1:1"));
    all.addAll(List.of(args));
    new CommandLine(main).parseArgs(all.toArray(String[]::new));
    return EffectiveConfig.resolve(main.options);
  }

  @Test
  void defaultsServeEveryEndpointOnAllAddresses() throws Exception {
    EffectiveConfig c = resolve();
    assertEquals(new HostPort("", 8080), c.health());
    assertEquals(new HostPort("", 8181), c.ready());
    assertEquals(new HostPort("", 9153), c.metrics());
  }

  @Test
  void eachEndpointCanBeBoundToAnAddressOrTurnedOff() throws Exception {
    EffectiveConfig c = resolve("--health", "127.0.0.1:18080", "--ready", "off", "--metrics", "OFF");
    assertEquals(new HostPort("127.0.0.1", 18080), c.health());
    assertNull(c.ready());
    assertNull(c.metrics());
  }

  @Test
  void offWinsOverTheCorefilesPlugins(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("Corefile");
    Files.writeString(conf, ".:53 {\n    health :8080\n    ready\n    prometheus :9153\n"
        + "    kubernetes cluster.local\n    forward . 127.0.0.1:1\n}\n");
    EffectiveConfig c = resolve("--conf", conf.toString(), "--metrics", "off", "--health", "127.0.0.1:18080");
    assertEquals(new HostPort("127.0.0.1", 18080), c.health());
    assertEquals(8181, c.ready().port());
    assertNull(c.metrics());
  }

  @Test
  void offIsNotAListenAddress() {
    Main main = new Main();
    org.junit.jupiter.api.Assertions.assertThrows(CommandLine.ParameterException.class,
        () -> new CommandLine(main).parseArgs("--listen", "off"));
  }
}
