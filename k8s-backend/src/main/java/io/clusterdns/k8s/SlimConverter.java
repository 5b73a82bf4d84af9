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
 * manifest loader and the informers call it, so a static snapshot and a live cluster answer identically.
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
    List<PortInfo> ports = servicePorts(spec.getPorts());
    if (EXTERNAL_NAME.equals(spec.getType())) {
      String target = spec.getExternalName();
      if (target == null || target.isBlank()) {
        throw new ConversionException("spec.externalName", "is missing for a Service of type ExternalName");
      }
      return new ServiceInfo(m.getNamespace(), m.getName(), ServiceKind.EXTERNAL_NAME, List.of(), ports, target);
    }
    List<String> texts;
    String field;
    if (spec.getClusterIPs() != null && !spec.getClusterIPs().isEmpty()) {
      texts = spec.getClusterIPs();
      field = "spec.clusterIPs";
    } else if (spec.getClusterIP() != null && !spec.getClusterIP().isEmpty()) {
      texts = List.of(spec.getClusterIP());
      field = null;
    } else {
      // A real API server always allocates one; a hand-written manifest may omit it (answers NODATA).
      texts = List.of();
      field = null;
    }
    if (!texts.isEmpty() && HEADLESS.equals(texts.get(0))) {
      return new ServiceInfo(m.getNamespace(), m.getName(), ServiceKind.HEADLESS, List.of(), ports, null);
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
    return new ServiceInfo(m.getNamespace(), m.getName(), ServiceKind.CLUSTER_IP, ips, ports, null);
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
        if (ep == null || ep.getAddresses() == null) {
          continue;
        }
        List<IpAddress> addresses = new ArrayList<>(ep.getAddresses().size());
        for (String a : ep.getAddresses()) {
          IpAddress ip = IpAddress.parse(a);
          if (ip != null) { // FQDN-type slices hold names, which DNS does not serve
            addresses.add(ip);
          }
        }
        if (addresses.isEmpty()) {
          continue;
        }
        EndpointConditions c = ep.getConditions();
        boolean ready = c == null || c.getReady() == null || c.getReady();
        ObjectReference ref = ep.getTargetRef();
        String target = ref != null && "Pod".equals(ref.getKind()) ? ref.getName() : null;
        String hostname = ep.getHostname() == null || ep.getHostname().isEmpty() ? null : ep.getHostname();
        endpoints.add(new EndpointInfo(addresses, hostname, ready, target));
      }
    }
    List<PortInfo> ports = new ArrayList<>();
    if (slice.getPorts() != null) {
      for (EndpointPort p : slice.getPorts()) {
        if (p == null || p.getPort() == null) {
          continue; // a nil port means "all ports": nothing an SRV record can name
        }
        ports.add(new PortInfo(emptyToNull(p.getName()), protocol(p.getProtocol()), p.getPort()));
      }
    }
    return new EndpointSliceInfo(m.getNamespace(), m.getName(), service, endpoints, ports);
  }

  /** A Pod: {@code status.podIPs}, else {@code status.podIP}; terminating once a deletion timestamp is set. */
  public static PodInfo pod(Pod pod) {
    ObjectMeta m = meta(pod, true);
    List<IpAddress> ips = new ArrayList<>(2);
    PodStatus st = pod.getStatus();
    if (st != null) {
      if (st.getPodIPs() != null && !st.getPodIPs().isEmpty()) {
        for (PodIP p : st.getPodIPs()) {
          IpAddress ip = p == null ? null : IpAddress.parse(p.getIp());
          if (ip != null && !ips.contains(ip)) {
            ips.add(ip);
          }
        }
      } else {
        IpAddress ip = IpAddress.parse(st.getPodIP());
        if (ip != null) {
          ips.add(ip);
        }
      }
    }
    return new PodInfo(m.getNamespace(), m.getName(), ips, m.getDeletionTimestamp() != null);
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
  public static long triggerTimeMillis(EndpointSlice slice) {
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

  private static List<PortInfo> servicePorts(List<ServicePort> ports) {
    if (ports == null || ports.isEmpty()) {
      return List.of();
    }
    List<PortInfo> out = new ArrayList<>(ports.size());
    for (int i = 0; i < ports.size(); i++) {
      ServicePort p = ports.get(i);
      if (p == null || p.getPort() == null) {
        throw new ConversionException("spec.ports[" + i + "].port", "is missing");
      }
      if (p.getPort() < 1 || p.getPort() > 65535) {
        throw new ConversionException("spec.ports[" + i + "].port", p.getPort() + " is outside 1-65535");
      }
      out.add(new PortInfo(emptyToNull(p.getName()), protocol(p.getProtocol()), p.getPort()));
    }
    return out;
  }

  private static ObjectMeta meta(HasMetadata o, boolean namespaced) {
    ObjectMeta m = o.getMetadata();
    if (m == null || m.getName() == null || m.getName().isEmpty()) {
      throw new ConversionException("metadata.name", "is missing");
    }
    if (namespaced && (m.getNamespace() == null || m.getNamespace().isEmpty())) {
      throw new ConversionException("metadata.namespace", "is missing");
    }
    return m;
  }

  /** Kubernetes defaults an unset protocol to TCP; the index keeps it upper-case. */
  private static String protocol(String p) {
    return p == null || p.isEmpty() ? DEFAULT_PROTOCOL : p.toUpperCase(Locale.ROOT);
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
