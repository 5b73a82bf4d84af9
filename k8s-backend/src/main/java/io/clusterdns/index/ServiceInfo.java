package io.clusterdns.index;

import java.util.List;

/**
 * The slim form of a Service: only what DNS needs. A new field must be justified by memory at 100,000
 * services (the watch keeps one of these per Service, never the fabric8 object).
 *
 * @param clusterIps {@code spec.clusterIPs} (or {@code spec.clusterIP}); empty for headless and ExternalName
 * @param externalName {@code spec.externalName} for {@link ServiceKind#EXTERNAL_NAME}, else null
 */
public record ServiceInfo(
    String namespace,
    String name,
    ServiceKind kind,
    List<IpAddress> clusterIps,
    List<PortInfo> ports,
    String externalName) {

  public ServiceInfo {
    namespace = Interner.name(namespace);
    // The slices' service-name labels are interned (EndpointSliceInfo): one string per service name, not two.
    name = Interner.name(name);
    clusterIps = List.copyOf(clusterIps);
    ports = PortInfo.listOf(ports);
  }
}
