package io.clusterdns.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clusterdns.config.HostPort;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where {@code clusterdns dev} finds the kubeconfig and the laptop's resolvers (issue 21). */
class DevCommandTest {
  @Test
  void theFlagWinsOverKubeconfigAndHome(@TempDir Path dir) throws Exception {
    Path flag = dir.resolve("flag");
    assertEquals(flag, DevCommand.kubeconfig(flag, dir.resolve("env").toString(), dir.resolve("home")));
  }

  @Test
  void kubeconfigTakesItsFirstExistingFile(@TempDir Path dir) throws Exception {
    Path second = Files.writeString(dir.resolve("second"), "");
    String env = dir.resolve("missing") + File.pathSeparator + second;
    assertEquals(second, DevCommand.kubeconfig(null, env, dir.resolve("home")));
  }

  @Test
  void homeKubeconfigWhenKubeconfigIsUnset(@TempDir Path dir) throws Exception {
    Path home = Files.writeString(dir.resolve("config"), "");
    assertEquals(home, DevCommand.kubeconfig(null, null, home));
    assertEquals(home, DevCommand.kubeconfig(null, " ", home));
  }

  @Test
  void noKubeconfigAnywhereIsNamedNotReplacedByInCluster(@TempDir Path dir) {
    Main.StartupException e = assertThrows(Main.StartupException.class,
        () -> DevCommand.kubeconfig(null, null, dir.resolve("config")));
    assertTrue(e.getMessage().contains("no kubeconfig: pass --kubeconfig FILE, set KUBECONFIG, or create"),
        e.getMessage());
  }

  @Test
  void resolvConfNameserversAreTheUpstreams(@TempDir Path dir) throws Exception {
    Path rc = Files.writeString(dir.resolve("resolv.conf"), "nameserver 192.168.1.1\nnameserver 192.168.1.2\n");
    assertEquals(List.of(new HostPort("192.168.1.1", 53), new HostPort("192.168.1.2", 53)),
        DevCommand.laptopResolvers(rc, dir.resolve("absent")));
  }

  /** Forwarding to 127.0.0.53 would loop once systemd-resolved sends ~cluster.local here. */
  @Test
  void systemdResolvedsStubIsReplacedByItsOwnUpstreams(@TempDir Path dir) throws Exception {
    Path rc = Files.writeString(dir.resolve("resolv.conf"), "nameserver 127.0.0.53\noptions edns0 trust-ad\n");
    Path real = Files.writeString(dir.resolve("real"), "# systemd-resolved\nnameserver 10.0.0.1\n");
    assertEquals(List.of(new HostPort("10.0.0.1", 53)), DevCommand.laptopResolvers(rc, real));
    assertEquals(List.of(new HostPort("127.0.0.53", 53)), DevCommand.laptopResolvers(rc, dir.resolve("absent")),
        "without systemd-resolved's own list the stub is all there is");
  }
}
