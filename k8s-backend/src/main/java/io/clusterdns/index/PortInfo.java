package io.clusterdns.index;

/**
 * One port of a Service or an EndpointSlice. {@code name} is null for an unnamed port; {@code protocol} is
 * the upper-case Kubernetes protocol (TCP, UDP, SCTP).
 */
public record PortInfo(String name, String protocol, int port) {
  public PortInfo {
    name = Interner.name(name);
    protocol = Interner.name(protocol);
  }

  /** One shared instance per distinct port (most services repeat a few: http/TCP/80, dns/UDP/53, ...). */
  public static PortInfo of(String name, String protocol, int port) {
    return Interner.share(new PortInfo(name, protocol, port));
  }

  /** One shared immutable list per distinct port list. */
  public static java.util.List<PortInfo> listOf(java.util.List<PortInfo> ports) {
    return Interner.share(java.util.List.copyOf(ports));
  }
}
