package io.clusterdns.k8s;

import io.clusterdns.index.EndpointInfo;
import io.clusterdns.index.EndpointSliceInfo;
import io.clusterdns.index.IpAddress;
import io.clusterdns.index.NamespaceInfo;
import io.clusterdns.index.PodInfo;
import io.clusterdns.index.PortInfo;
import io.clusterdns.index.ServiceInfo;
import io.clusterdns.index.ServiceKind;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one place where fabric8 model objects become the slim records of {@code io.clusterdns.index}. Both the
 * manifest loader, the watch's lists and its events call it, so a static snapshot and a live cluster answer identically.
 *
 * <p>Only fields DNS answers depend on are read; nothing of the fabric8 object survives the call. Invalid
 * values DNS needs (a ClusterIP that is not an address, a missing name) throw {@link ConversionException}
 * naming the field; values a real cluster legitimately carries but DNS cannot use (an FQDN-type slice's
 * addresses, an endpoint port without a number) are skipped silently.
 *
 * <p>Threads: stateless, callable from any thread.
 */
public final class SlimConverter {
  /** The label that joins an EndpointSlice to its Service (behaviours.md 5.1). */
  public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

  /** EndpointSlice annotation the programming-latency histogram starts from (behaviours.md 14). */
  public static final String TRIGGER_TIME_ANNOTATION = "endpoints.kubernetes.io/last-change-trigger-time";

  private static final String HEADLESS = "None";
  private static final String EXTERNAL_NAME = "ExternalName";
  private static final String DEFAULT_PROTOCOL = "TCP";

  private SlimConverter() {}

  public static NamespaceInfo namespace(Namespace ns) {
    ObjectMeta m = meta(ns, false);
    Map<String, String> labels = m.getLabels();
    return new NamespaceInfo(m.getName(), labels == null ? Map.of() : labels);
  }

  /**
   * Service kinds (Kubernetes DNS spec 2.3-2.5): {@code type: ExternalName} is a CNAME; {@code clusterIP:
   * None} is headless; anything else answers with {@code spec.clusterIPs}, or {@code spec.clusterIP} when
   * the plural field is absent (objects written before dual-stack).
   */
  public static ServiceInfo service(Service svc) {
    ObjectMeta m = meta(svc, true);
    ServiceSpec spec = svc.getSpec();
    if (spec == null) {
      throw new ConversionException("spec", "is missing");
    }
    List<ServicePort> specPorts = spec.getPorts() == null ? List.of() : spec.getPorts();
    List<PortInfo> ports = new ArrayList<>(specPorts.size());
    for (int i = 0; i < specPorts.size(); i++) {
      ServicePort p = specPorts.get(i);
      ports.add(p == null ? servicePort(i, null, null, null) : servicePort(i, p.getName(), p.getProtocol(), p.getPort()));
    }
    return service(m.getNamespace(), m.getName(), spec.getType(), spec.getExternalName(), spec.getClusterIPs(),
        spec.getClusterIP(), ports);
  }

  /**
   * A Service from its fields (the manifest reader's way in; {@link #service(Service)} is the model's).
   *
   * @param ports converted by {@link #servicePort}, in order
   */
  public static ServiceInfo service(String namespace, String name, String type, String externalName,
      List<String> clusterIPs, String clusterIP, List<PortInfo> ports) {
    if (EXTERNAL_NAME.equals(type)) {
      if (externalName == null || externalName.isBlank()) {
        throw new ConversionException("spec.externalName", "is missing for a Service of type ExternalName");
      }
      return new ServiceInfo(namespace, name, ServiceKind.EXTERNAL_NAME, List.of(), ports, externalName);
    }
    List<String> texts;
    String field;
    if (clusterIPs != null && !clusterIPs.isEmpty()) {
      texts = clusterIPs;
      field = "spec.clusterIPs";
    } else if (clusterIP != null && !clusterIP.isEmpty()) {
      texts = List.of(clusterIP);
      field = null;
    } else {
      // A real API server always allocates one; a hand-written manifest may omit it (answers NODATA).
      texts = List.of();
      field = null;
    }
    if (!texts.isEmpty() && HEADLESS.equals(texts.get(0))) {
      return new ServiceInfo(namespace, name, ServiceKind.HEADLESS, List.of(), ports, null);
    }
    List<IpAddress> ips = new ArrayList<>(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      IpAddress ip = IpAddress.parse(texts.get(i));
      if (ip == null) {
        String where = field == null ? "spec.clusterIP" : field + "[" + i + "]";
        throw new ConversionException(where, "'" + texts.get(i) + "' is not an IP address");
      }
      ips.add(ip);
    }
    return new ServiceInfo(namespace, name, ServiceKind.CLUSTER_IP, ips, ports, null);
  }

  /** Port {@code index} of {@code spec.ports}: the number is required and within 1-65535. */
  public static PortInfo servicePort(int index, String name, String protocol, Integer port) {
    if (port == null) {
      throw new ConversionException("spec.ports[" + index + "].port", "is missing");
    }
    if (port < 1 || port > 65535) {
      throw new ConversionException("spec.ports[" + index + "].port", port + " is outside 1-65535");
    }
    return new PortInfo(emptyToNull(name), protocol(protocol), port);
  }

  /**
   * A discovery.k8s.io/v1 EndpointSlice. Readiness: {@code conditions.ready} unset counts as ready;
   * {@code serving} and {@code terminating} are ignored (behaviours.md 5.2).
   */
  public static EndpointSliceInfo endpointSlice(EndpointSlice slice) {
    ObjectMeta m = meta(slice, true);
    Map<String, String> labels = m.getLabels();
    String service = labels == null ? null : labels.get(SERVICE_NAME_LABEL);
    List<EndpointInfo> endpoints = new ArrayList<>();
    if (slice.getEndpoints() != null) {
      for (Endpoint ep : slice.getEndpoints()) {
        if (ep == null) {
          continue;
        }
        EndpointConditions c = ep.getConditions();
        ObjectReference ref = ep.getTargetRef();
        EndpointInfo e = endpoint(ep.getAddresses(), ep.getHostname(), c == null ? null : c.getReady(),
            ref == null ? null : ref.getKind(), ref == null ? null : ref.getName());
        if (e != null) {
          endpoints.add(e);
        }
      }
    }
    List<PortInfo> ports = new ArrayList<>();
    if (slice.getPorts() != null) {
      for (EndpointPort p : slice.getPorts()) {
        PortInfo port = p == null ? null : endpointPort(p.getName(), p.getProtocol(), p.getPort());
        if (port != null) {
          ports.add(port);
        }
      }
    }
    return new EndpointSliceInfo(m.getNamespace(), m.getName(), service, endpoints, ports);
  }

  /**
   * One endpoint of a slice, or null when it has no IP address (FQDN-type slices hold names, which DNS does
   * not serve). {@code ready} null counts as ready.
   */
  public static EndpointInfo endpoint(List<String> addressTexts, String hostname, Boolean ready, String targetKind,
      String targetName) {
    if (addressTexts == null) {
      return null;
    }
    List<IpAddress> addresses = new ArrayList<>(addressTexts.size());
    for (String a : addressTexts) {
      IpAddress ip = IpAddress.parse(a);
      if (ip != null) {
        addresses.add(ip);
      }
    }
    if (addresses.isEmpty()) {
      return null;
    }
    String target = "Pod".equals(targetKind) ? targetName : null;
    return new EndpointInfo(addresses, emptyToNull(hostname), ready == null || ready, target);
  }

  /** A slice port, or null without a number (a nil port means "all ports": nothing an SRV record can name). */
  public static PortInfo endpointPort(String name, String protocol, Integer port) {
    return port == null ? null : new PortInfo(emptyToNull(name), protocol(protocol), port);
  }

  /** A Pod: {@code status.podIPs}, else {@code status.podIP}; terminating once a deletion timestamp is set. */
  public static PodInfo pod(Pod pod) {
    ObjectMeta m = meta(pod, true);
    PodStatus st = pod.getStatus();
    List<String> podIPs = null;
    if (st != null && st.getPodIPs() != null) {
      podIPs = new ArrayList<>(st.getPodIPs().size());
      for (PodIP p : st.getPodIPs()) {
        podIPs.add(p == null ? null : p.getIp());
      }
    }
    return pod(m.getNamespace(), m.getName(), podIPs, st == null ? null : st.getPodIP(),
        m.getDeletionTimestamp() != null);
  }

  /** A Pod from its fields: {@code status.podIPs[*].ip} (null entries allowed), else {@code status.podIP}. */
  public static PodInfo pod(String namespace, String name, List<String> podIPs, String podIP, boolean terminating) {
    List<IpAddress> ips = new ArrayList<>(2);
    if (podIPs != null && !podIPs.isEmpty()) {
      for (String p : podIPs) {
        IpAddress ip = IpAddress.parse(p);
        if (ip != null && !ips.contains(ip)) {
          ips.add(ip);
        }
      }
    } else {
      IpAddress ip = IpAddress.parse(podIP);
      if (ip != null) {
        ips.add(ip);
      }
    }
    return new PodInfo(namespace, name, ips, terminating);
  }

  // ------------------------------------------------------------------------ the watch's slim classes

  static NamespaceInfo namespace(SlimResources.SlimNamespace ns) {
    ObjectMeta m = meta(ns, false);
    Map<String, String> labels = m.getLabels();
    return new NamespaceInfo(m.getName(), labels == null ? Map.of() : labels);
  }

  static ServiceInfo service(SlimResources.SlimService svc) {
    ObjectMeta m = meta(svc, true);
    SlimResources.ServiceSpec spec = svc.spec;
    if (spec == null) {
      throw new ConversionException("spec", "is missing");
    }
    List<SlimResources.Port> specPorts = spec.ports == null ? List.of() : spec.ports;
    List<PortInfo> ports = new ArrayList<>(specPorts.size());
    for (int i = 0; i < specPorts.size(); i++) {
      SlimResources.Port p = specPorts.get(i);
      ports.add(p == null ? servicePort(i, null, null, null) : servicePort(i, p.name, p.protocol, p.port));
    }
    return service(m.getNamespace(), m.getName(), spec.type, spec.externalName, spec.clusterIPs, spec.clusterIP,
        ports);
  }

  static boolean hasSelector(SlimResources.SlimService svc) {
    return svc.spec != null && svc.spec.selector != null && !svc.spec.selector.isEmpty();
  }

  static EndpointSliceInfo endpointSlice(SlimResources.SlimEndpointSlice slice) {
    ObjectMeta m = meta(slice, true);
    Map<String, String> labels = m.getLabels();
    String service = labels == null ? null : labels.get(SERVICE_NAME_LABEL);
    List<EndpointInfo> endpoints = new ArrayList<>();
    if (slice.endpoints != null) {
      for (SlimResources.Endpoint ep : slice.endpoints) {
        if (ep == null) {
          continue;
        }
        EndpointInfo e = endpoint(ep.addresses, ep.hostname, ep.conditions == null ? null : ep.conditions.ready,
            ep.targetRef == null ? null : ep.targetRef.kind, ep.targetRef == null ? null : ep.targetRef.name);
        if (e != null) {
          endpoints.add(e);
        }
      }
    }
    List<PortInfo> ports = new ArrayList<>();
    if (slice.ports != null) {
      for (SlimResources.Port p : slice.ports) {
        PortInfo port = p == null ? null : endpointPort(p.name, p.protocol, p.port);
        if (port != null) {
          ports.add(port);
        }
      }
    }
    return new EndpointSliceInfo(m.getNamespace(), m.getName(), service, endpoints, ports);
  }

  static PodInfo pod(SlimResources.SlimPod pod) {
    ObjectMeta m = meta(pod, true);
    SlimResources.PodStatus st = pod.status;
    List<String> podIPs = null;
    if (st != null && st.podIPs != null) {
      podIPs = new ArrayList<>(st.podIPs.size());
      for (SlimResources.PodIP p : st.podIPs) {
        podIPs.add(p == null ? null : p.ip);
      }
    }
    return pod(m.getNamespace(), m.getName(), podIPs, st == null ? null : st.podIP, m.getDeletionTimestamp() != null);
  }

  /**
   * Whether a Service has a selector, for the {@code service_kind} label of the programming-latency
   * histogram ({@code headless_with_selector} vs {@code headless_without_selector}).
   */
  public static boolean hasSelector(Service svc) {
    return svc.getSpec() != null && svc.getSpec().getSelector() != null && !svc.getSpec().getSelector().isEmpty();
  }

  /**
   * The {@code endpoints.kubernetes.io/last-change-trigger-time} annotation in epoch milliseconds, or -1
   * when absent or not an RFC 3339 time.
   */
  public static long triggerTimeMillis(HasMetadata slice) {
    Map<String, String> a = slice.getMetadata() == null ? null : slice.getMetadata().getAnnotations();
    String t = a == null ? null : a.get(TRIGGER_TIME_ANNOTATION);
    if (t == null) {
      return -1;
    }
    try {
      return Instant.parse(t).toEpochMilli();
    } catch (DateTimeParseException e) {
      return -1;
    }
  }

  // ------------------------------------------------------------------------------------------- internals

  private static ObjectMeta meta(HasMetadata o, boolean namespaced) {
    ObjectMeta m = o.getMetadata();
    checkMeta(m == null ? null : m.getName(), m == null ? null : m.getNamespace(), namespaced);
    return m;
  }

  /** Throws when the name, or for a namespaced kind the namespace, is missing or empty. */
  public static void checkMeta(String name, String namespace, boolean namespaced) {
    if (name == null || name.isEmpty()) {
      throw new ConversionException("metadata.name", "is missing");
    }
    if (namespaced && (namespace == null || namespace.isEmpty())) {
      throw new ConversionException("metadata.namespace", "is missing");
    }
  }

  /** Kubernetes defaults an unset protocol to TCP; the index keeps it upper-case. */
  private static String protocol(String p) {
    return p == null || p.isEmpty() ? DEFAULT_PROTOCOL : p.toUpperCase(Locale.ROOT);
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
