package io.clusterdns.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An API server that cannot be used is named with its cause before the start-up timeout ends (issue 18): a
 * refused connection, a TLS failure, rejected credentials (401) and an RBAC denial (403) each give one line with
 * the API server's address, before the watch's "not synced" warning and before the server starts listening; the
 * token never appears.
 */
class ApiServerFailureIT {
  private static final String TOKEN = "s3cr3t-token-never-logged";

  private static Path kubeconfig(Path dir, String url) throws Exception {
    return TestKubeconfig.write(dir, url, TOKEN);
  }

  private static void assertNamedBeforeListening(ServerProcess server, String expected) {
    List<String> lines = server.output().lines().toList();
    int cause = -1;
    int listening = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (cause < 0 && lines.get(i).contains(expected)) {
        cause = i;
      }
      if (listening < 0 && lines.get(i).contains("listening on")) {
        listening = i;
      }
    }
    String out = String.join("\n", lines);
    assertTrue(cause >= 0 && cause < listening, "'" + expected + "' logged before listening (within the 5 s "
        + "start-up timeout):\n" + out);
    assertTrue(lines.get(cause).contains("[ERROR]"), out);
    assertTrue(!out.contains(TOKEN), "the token is never logged:\n" + out);
  }

  @Test
  void refusedConnectionIsNamedWithTheAddress(@TempDir Path dir) throws Exception {
    int port = ServerProcess.freePorts(1)[0];
    String url = "http://127.0.0.1:" + port;
    Path kc = kubeconfig(dir, url);
    try (ServerProcess server = ServerProcess.start(List.of("-Xmx128m"), Map.of(),
        p -> List.of("--kubeconfig", kc.toString(), "--upstream", "127.0.0.1:1"))) {
      assertNamedBeforeListening(server, "cannot reach the API server at " + url + "/: connection refused");
    }
  }

  /** A loopback HTTP server answering every request with {@code code} and a Kubernetes Status body. */
  private static HttpServer statusServer(int code, String reason, String message) throws Exception {
    HttpServer api = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    api.createContext("/", ex -> {
      byte[] body = ("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":\""
          + message + "\",\"reason\":\"" + reason + "\",\"code\":" + code + "}").getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(code, body.length);
      try (OutputStream o = ex.getResponseBody()) {
        o.write(body);
      }
    });
    api.start();
    return api;
  }

  private static void assertNamed(HttpServer api, String scheme, Path dir, String expected) throws Exception {
    try {
      String url = scheme + "://127.0.0.1:" + api.getAddress().getPort();
      Path kc = kubeconfig(dir, url);
      try (ServerProcess server = ServerProcess.start(List.of("-Xmx128m"), Map.of(),
          p -> List.of("--kubeconfig", kc.toString(), "--upstream", "127.0.0.1:1"))) {
        assertNamedBeforeListening(server, expected.replace("URL", url + "/"));
      }
    } finally {
      api.stop(0);
    }
  }

  @Test
  void rbacDenialIsNamedWithWhatWasDenied(@TempDir Path dir) throws Exception {
    assertNamed(statusServer(403, "Forbidden", "namespaces is forbidden: User \\\"system:serviceaccount:"
        + "kube-system:coredns\\\" cannot list resource"), "http", dir,
        "the API server at URL denied listing namespaces (403 Forbidden");
  }

  @Test
  void rejectedCredentialsAreNamed(@TempDir Path dir) throws Exception {
    assertNamed(statusServer(401, "Unauthorized", "Unauthorized"), "http", dir,
        "the API server at URL rejected the credentials (401 Unauthorized)");
  }

  /**
   * An https URL whose server answers in plain HTTP (a wrong port or scheme in the kubeconfig): the handshake
   * fails, and the log says it was TLS.
   */
  @Test
  void aTlsFailureIsNamedAsTls(@TempDir Path dir) throws Exception {
    try (ServerSocket plain = new ServerSocket(0, 16, InetAddress.getLoopbackAddress())) {
      Thread answering = new Thread(() -> {
        // Bounded: the probe and the watch connect a few dozen times within the test.
        for (int i = 0; i < 1_000 && !plain.isClosed(); i++) {
          try (Socket s = plain.accept()) {
            s.getOutputStream().write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
          } catch (IOException closed) {
            return;
          }
        }
      }, "plain-http");
      answering.setDaemon(true);
      answering.start();
      String url = "https://127.0.0.1:" + plain.getLocalPort();
      Path kc = kubeconfig(dir, url);
      try (ServerProcess server = ServerProcess.start(List.of("-Xmx128m"), Map.of(),
          p -> List.of("--kubeconfig", kc.toString(), "--upstream", "127.0.0.1:1"))) {
        assertNamedBeforeListening(server, "cannot reach the API server at " + url + "/: TLS error");
      }
    }
  }
}
