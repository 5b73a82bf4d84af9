package io.clusterdns.index;

import java.util.List;
import java.util.Objects;

/**
 * The slim form of a discovery.k8s.io/v1 EndpointSlice. A class rather than a record so that its one endpoint
 * (the usual case) is held without a list ({@link OneOrMany}); equality is by value.
 */
public final class EndpointSliceInfo {
  private final String namespace;
  private final String name;
  private final String serviceName;
  private final Object endpoints;
  private final List<PortInfo> ports;

  /**
   * @param serviceName the {@code kubernetes.io/service-name} label; slices without it belong to no service
   * @param ports the slice's ports: the target ports that headless SRV answers use (behaviours.md 4.5)
   */
  public EndpointSliceInfo(String namespace, String name, String serviceName, List<EndpointInfo> endpoints,
      List<PortInfo> ports) {
    this.namespace = Interner.name(namespace);
    this.name = name;
    this.serviceName = Interner.name(serviceName);
    this.endpoints = OneOrMany.of(endpoints);
    this.ports = PortInfo.listOf(ports);
  }

  public String namespace() {
    return namespace;
  }

  public String name() {
    return name;
  }

  public String serviceName() {
    return serviceName;
  }

  public List<EndpointInfo> endpoints() {
    return OneOrMany.list(endpoints);
  }

  public List<PortInfo> ports() {
    return ports;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EndpointSliceInfo e && Objects.equals(name, e.name) && Objects.equals(namespace, e.namespace)
        && Objects.equals(serviceName, e.serviceName) && endpoints.equals(e.endpoints) && ports.equals(e.ports);
  }

  @Override
  public int hashCode() {
    return Objects.hash(namespace, name, serviceName, endpoints, ports);
  }

  @Override
  public String toString() {
    return "EndpointSliceInfo[namespace=" + namespace + ", name=" + name + ", serviceName=" + serviceName
        + ", endpoints=" + endpoints() + ", ports=" + ports + "]";
  }
}
