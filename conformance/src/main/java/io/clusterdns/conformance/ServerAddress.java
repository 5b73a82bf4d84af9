package io.clusterdns.conformance;

/** A DNS server's address as dig needs it. Immutable. */
public record ServerAddress(String host, int port) {

  /** Parses {@code HOST:PORT}, {@code [V6]:PORT} or a bare host (port 53). */
  public static ServerAddress parse(String s) {
    if (s.startsWith("[")) {
      int close = s.indexOf(']');
      String host = s.substring(1, close);
      int port = close + 1 < s.length() ? Integer.parseInt(s.substring(close + 2)) : 53;
      return new ServerAddress(host, port);
    }
    int colon = s.lastIndexOf(':');
    if (colon < 0 || s.indexOf(':') != colon) {
      return new ServerAddress(s, 53);
    }
    return new ServerAddress(s.substring(0, colon), Integer.parseInt(s.substring(colon + 1)));
  }

  @Override
  public String toString() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
