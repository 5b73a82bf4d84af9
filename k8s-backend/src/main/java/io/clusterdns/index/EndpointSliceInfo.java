package io.clusterdns.index;

import java.util.List;

/**
 * The slim form of a discovery.k8s.io/v1 EndpointSlice.
 *
 * @param serviceName the {@code kubernetes.io/service-name} label; slices without it belong to no service
 * @param ports the slice's ports: the target ports that headless SRV answers use (behaviours.md 4.5)
 */
public record EndpointSliceInfo(
    String namespace, String name, String serviceName, List<EndpointInfo> endpoints, List<PortInfo> ports) {
  public EndpointSliceInfo {
    namespace = Interner.name(namespace);
    serviceName = Interner.name(serviceName);
    endpoints = List.copyOf(endpoints);
    ports = PortInfo.listOf(ports);
  }
}
