package io.clusterdns.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No kubeconfig credential is ever printed (README "Hardening"): start-ups that fail with a kubeconfig full of
 * distinctive secrets (token, basic-auth password, client key and certificate) are run as the real jar, and their
 * whole output, stdout and stderr, must not contain any of them, as given or base64-encoded.
 */
class SecretsNeverPrintedIT {
  private static final Path JAR = Path.of("target", "clusterdns.jar");

  /** Bound on one start-up that fails: a second of start-up timeout, plus a JVM on a busy machine. */
  private static final int EXIT_WAIT_SECONDS = 60;

  private static final String TOKEN = "tok-S3CRET-q7xv1";
  private static final String PASSWORD = "pw-S3CRET-q7xv2";
  private static final String KEY_MATERIAL = "S3CRETKEYq7xv3";
  private static final String CERT_MATERIAL = "CERTq7xv4";

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.US_ASCII));
  }

  private static final String KEY_DATA =
      b64("-----BEGIN RSA PRIVATE KEY-----\n" + KEY_MATERIAL + "\n-----END RSA PRIVATE KEY-----\n");
  private static final String CERT_DATA =
      b64("-----BEGIN CERTIFICATE-----\n" + CERT_MATERIAL + "\n-----END CERTIFICATE-----\n");

  private static Path kubeconfig(Path dir, String server, boolean clientCert) throws Exception {
    List<String> lines = new ArrayList<>(List.of(
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: c",
        "  cluster: {server: '" + server + "'}",
        "users:",
        "- name: u",
        "  user:",
        "    token: " + TOKEN,
        "    username: admin",
        "    password: " + PASSWORD));
    if (clientCert) {
      lines.add("    client-key-data: " + KEY_DATA);
      lines.add("    client-certificate-data: " + CERT_DATA);
    }
    lines.addAll(List.of(
        "contexts:",
        "- name: c",
        "  context: {cluster: c, user: u}",
        "current-context: c",
        ""));
    Path f = dir.resolve("kubeconfig");
    Files.writeString(f, String.join("\n", lines));
    return f;
  }

  /** Runs the jar to its exit and returns stdout and stderr together. */
  private static String runToExit(int expectedStatus, List<String> args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", JAR.toString()));
    cmd.addAll(args);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try {
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(EXIT_WAIT_SECONDS, TimeUnit.SECONDS), "exits");
      assertEquals(expectedStatus, p.exitValue(), out);
      return out;
    } finally {
      ServerProcess.kill(p.toHandle());
    }
  }

  private static void assertNoSecret(String out) {
    for (String secret : List.of(TOKEN, PASSWORD, KEY_MATERIAL, CERT_MATERIAL, KEY_DATA, CERT_DATA,
        b64(TOKEN), b64(PASSWORD), b64("admin:" + PASSWORD))) {
      assertFalse(out.contains(secret), "'" + secret + "' printed:\n" + out);
    }
  }

  /** A client key that cannot be read: the client is never built and start-up fails at once. */
  @Test
  void unreadableClientKeyFailsStartupWithoutPrintingIt(@TempDir Path dir) throws Exception {
    Path kc = kubeconfig(dir, "https://127.0.0.1:1", true);
    for (String format : List.of("text", "json")) {
      String out = runToExit(1, List.of("--kubeconfig", kc.toString(), "--listen", "127.0.0.1:0",
          "--health", "off", "--ready", "off", "--metrics", "off", "--upstream", "127.0.0.1:1",
          "--startup-timeout", "1", "--log-format", format));
      assertTrue(out.contains("cannot set up the Kubernetes client"), out);
      assertNoSecret(out);
    }
  }

  /**
   * An API server that refuses connections, then a DNS port already taken: the watch has tried (and said so)
   * with the token and password in hand before start-up fails.
   */
  @Test
  void refusedApiServerThenTakenPortFailsStartupWithoutPrintingCredentials(@TempDir Path dir) throws Exception {
    int closed = ServerProcess.freePorts(1)[0];
    Path kc = kubeconfig(dir, "http://127.0.0.1:" + closed, false);
    try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      String out = runToExit(1, List.of("--kubeconfig", kc.toString(),
          "--listen", "127.0.0.1:" + taken.getLocalPort(), "--health", "off", "--ready", "off", "--metrics", "off",
          "--upstream", "127.0.0.1:1", "--startup-timeout", "1"));
      assertTrue(out.contains("connection refused"), "the watch tried the API server:\n" + out);
      assertTrue(out.contains("address already in use"), out);
      assertNoSecret(out);
    }
  }
}
