package io.clusterdns.index;

import java.util.List;
import java.util.Objects;

/**
 * The slim form of a Service: only what DNS needs. A new field must be justified by memory at 100,000
 * services (the watch keeps one of these per Service, never the fabric8 object). A class rather than a record
 * so that its one ClusterIP is held without a list ({@link OneOrMany}); equality is by value.
 */
public final class ServiceInfo {
  private final String namespace;
  private final String name;
  private final ServiceKind kind;
  private final Object clusterIps;
  private final List<PortInfo> ports;
  private final String externalName;

  /**
   * @param clusterIps {@code spec.clusterIPs} (or {@code spec.clusterIP}); empty for headless and ExternalName
   * @param externalName {@code spec.externalName} for {@link ServiceKind#EXTERNAL_NAME}, else null
   */
  public ServiceInfo(String namespace, String name, ServiceKind kind, List<IpAddress> clusterIps,
      List<PortInfo> ports, String externalName) {
    this.namespace = Interner.name(namespace);
    // The slices' service-name labels are interned (EndpointSliceInfo): one string per service name, not two.
    this.name = Interner.name(name);
    this.kind = kind;
    this.clusterIps = OneOrMany.of(clusterIps);
    this.ports = PortInfo.listOf(ports);
    this.externalName = externalName;
  }

  public String namespace() {
    return namespace;
  }

  public String name() {
    return name;
  }

  public ServiceKind kind() {
    return kind;
  }

  public List<IpAddress> clusterIps() {
    return OneOrMany.list(clusterIps);
  }

  public List<PortInfo> ports() {
    return ports;
  }

  public String externalName() {
    return externalName;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ServiceInfo s && Objects.equals(name, s.name) && Objects.equals(namespace, s.namespace) && kind == s.kind
        && clusterIps.equals(s.clusterIps) && ports.equals(s.ports) && Objects.equals(externalName, s.externalName);
  }

  @Override
  public int hashCode() {
    return Objects.hash(namespace, name, kind, clusterIps, ports, externalName);
  }

  @Override
  public String toString() {
    return "ServiceInfo[namespace=" + namespace + ", name=" + name + ", kind=" + kind + ", clusterIps="
        + clusterIps() + ", ports=" + ports + ", externalName=" + externalName + "]";
  }
}
