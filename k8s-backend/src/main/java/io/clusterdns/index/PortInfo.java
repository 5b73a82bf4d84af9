package io.clusterdns.index;

/**
 * One port of a Service or an EndpointSlice. {@code name} is null for an unnamed port; {@code protocol} is
 * the upper-case Kubernetes protocol (TCP, UDP, SCTP).
 */
public record PortInfo(String name, String protocol, int port) {}
