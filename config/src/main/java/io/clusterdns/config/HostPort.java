package io.clusterdns.config;

/**
 * A listen or upstream address as written by the operator: {@code HOST:PORT}, {@code [V6]:PORT}, or
 * {@code :PORT} (all addresses). Parsing never resolves names.
 *
 * @param host literal host, or empty for "all addresses"
 */
public record HostPort(String host, int port) {

  public HostPort {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is outside 0-65535");
    }
  }

  /**
   * Parses {@code HOST:PORT}; {@code defaultPort} applies when the text has no port (a bare host or IPv6
   * literal).
   */
  public static HostPort parse(String text, int defaultPort) {
    String t = text.trim();
    if (t.isEmpty()) {
      throw new IllegalArgumentException("empty address");
    }
    String host;
    String port = null;
    if (t.startsWith("[")) {
      int end = t.indexOf(']');
      if (end < 0) {
        throw new IllegalArgumentException("'" + text + "': missing ']' after the IPv6 address");
      }
      host = t.substring(1, end);
      String rest = t.substring(end + 1);
      if (!rest.isEmpty()) {
        if (!rest.startsWith(":")) {
          throw new IllegalArgumentException("'" + text + "': expected ':PORT' after ']'");
        }
        port = rest.substring(1);
      }
    } else if (t.indexOf(':') != t.lastIndexOf(':')) {
      host = t; // a bare IPv6 literal
    } else if (t.indexOf(':') >= 0) {
      host = t.substring(0, t.indexOf(':'));
      port = t.substring(t.indexOf(':') + 1);
    } else {
      host = t;
    }
    int p = defaultPort;
    if (port != null) {
      try {
        p = Integer.parseInt(port);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("'" + text + "': port '" + port + "' is not a number");
      }
      if (p < 0 || p > 65535) {
        throw new IllegalArgumentException("'" + text + "': port " + p + " is outside 0-65535");
      }
    }
    return new HostPort(host, p);
  }

  @Override
  public String toString() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
