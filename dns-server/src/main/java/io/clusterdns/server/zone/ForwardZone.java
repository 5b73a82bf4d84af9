package io.clusterdns.server.zone;

import io.clusterdns.config.PodsMode;
import io.clusterdns.index.EndpointAddress;
import io.clusterdns.index.IpAddress;
import io.clusterdns.index.NamespaceView;
import io.clusterdns.index.PortInfo;
import io.clusterdns.index.ServiceInfo;
import io.clusterdns.index.ServiceKind;
import io.clusterdns.index.ServiceView;
import io.clusterdns.server.zone.Lookup.Kind;
import java.util.List;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * The cluster zone's name grammar (behaviours.md 1.2, after CoreDNS {@code parse.go}), read from the right:
 * apex; {@code dns-version}; {@code ns.dns}; {@code svc}, {@code <ns>.svc}, {@code <svc>.<ns>.svc},
 * {@code <endpoint>.<svc>.<ns>.svc}, {@code _<port>._<proto>.<svc>.<ns>.svc}; {@code pod}, {@code <ns>.pod},
 * {@code <dashed-ip>.<ns>.pod}. Anything else is NXDOMAIN. Each method decides NODATA vs NXDOMAIN for its
 * node (9.1, 9.2) and adds the records of the asked type. Immutable; called on event loops.
 */
final class ForwardZone {
  /** behaviours.md 2.1: the schema version this server implements. */
  private static final String SCHEMA_VERSION = "1.1.0";

  /** behaviours.md 2.1: TTL of the dns-version TXT record, in seconds (not the zone TTL). */
  private static final long SCHEMA_VERSION_TTL = 28800;

  private final long ttl;
  private final PodsMode pods;
  private final NameServers nameServers;

  ForwardZone(long ttl, PodsMode pods, NameServers nameServers) {
    this.ttl = ttl;
    this.pods = pods;
    this.nameServers = nameServers;
  }

  Kind lookup(Lookup q) {
    if (q.below == 0) {
      return apex(q);
    }
    String first = q.label(0);
    switch (first) {
      case "svc":
        return services(q);
      case "pod":
        return pods(q);
      case "dns-version":
        return dnsVersion(q);
      case "dns":
        return dns(q);
      default:
        return Kind.NXDOMAIN; // 1.2: any other first label is not part of the grammar
    }
  }

  // ------------------------------------------------------------------------------------------------ apex

  private Kind apex(Lookup q) {
    if (q.qtype == Type.NS) {
      return nameServers.apex(q, q.suffix()) ? Kind.FOUND : Kind.NODATA; // 9.4
    }
    // SOA at the apex is answered by ClusterZone (it owns the SOA); everything else is NODATA (9.1, 12.2).
    return Kind.NODATA;
  }

  /** 2.1, 12.1: {@code dns-version} exists; only TXT has data. */
  private Kind dnsVersion(Lookup q) {
    if (q.below != 1) {
      return Kind.NXDOMAIN;
    }
    if (q.qtype == Type.TXT) {
      q.answer.add(new TXTRecord(q.qname, DClass.IN, SCHEMA_VERSION_TTL, SCHEMA_VERSION));
      return Kind.FOUND;
    }
    return Kind.NODATA;
  }

  /**
   * 9.4: {@code ns.dns.<zone>} A/AAAA are the server's own addresses. {@code dns.<zone>} is the empty
   * non-terminal above it, so NODATA rather than NXDOMAIN (RFC 8020: NXDOMAIN would deny {@code ns.dns}).
   */
  private Kind dns(Lookup q) {
    if (q.below == 1) {
      return Kind.NODATA;
    }
    if (q.below != 2 || !"ns".equals(q.label(1))) {
      return Kind.NXDOMAIN;
    }
    if (q.qtype == Type.A || q.qtype == Type.AAAA) {
      nameServers.selfAddresses(q, q.qname, q.qtype == Type.AAAA, q.answer);
      return q.answer.isEmpty() ? Kind.NODATA : Kind.FOUND;
    }
    return Kind.NODATA;
  }

  // ------------------------------------------------------------------------------------------- services

  private Kind services(Lookup q) {
    if (q.below == 1) {
      return Kind.NODATA; // 9.1: svc.<zone> is an interior name
    }
    NamespaceView ns = q.snapshot.namespace(q.label(1));
    if (ns == null) {
      return Kind.NXDOMAIN; // 1.5: no Namespace object
    }
    q.view = ns;
    if (q.below == 2) {
      return Kind.NODATA; // 1.5: <ns>.svc exists even without services
    }
    ServiceView svc = ns.service(q.label(2));
    if (svc == null) {
      return Kind.NXDOMAIN;
    }
    switch (q.below) {
      case 3:
        return service(q, svc);
      case 4:
        return endpoint(q, svc, q.label(3));
      case 5:
        // 1.3: the two labels left of the service are port and protocol, each '_' optional.
        return port(q, svc, stripUnderscore(q.label(4)), stripUnderscore(q.label(3)));
      default:
        return Kind.NXDOMAIN; // 1.2: more labels than the grammar allows
    }
  }

  private Kind service(Lookup q, ServiceView svc) {
    ServiceInfo info = svc.info();
    switch (info.kind()) {
      case EXTERNAL_NAME:
        return externalName(q, svc);
      case HEADLESS:
        if (svc.endpoints().isEmpty()) {
          return Kind.NXDOMAIN; // 4.2: no ready endpoint is NXDOMAIN for every type
        }
        if (q.qtype == Type.A || q.qtype == Type.AAAA) {
          addEndpointAddresses(q, svc.endpoints(), q.qtype == Type.AAAA); // 4.1
        } else if (q.qtype == Type.SRV) {
          // 4.7: bare SRV on a headless service = ready endpoints x their (slice) ports; 4.6 port-less: NODATA.
          SrvSet srv = new SrvSet();
          addEndpointSrv(q, svc, svc.endpoints(), null, null, srv);
          srv.render(q.qname, ttl, q.answer, q.additional);
        }
        return found(q);
      default: // CLUSTER_IP
        if (q.qtype == Type.A || q.qtype == Type.AAAA) {
          // 3.1, 3.2: spec.clusterIPs of the asked family, whatever the endpoints.
          boolean v6 = q.qtype == Type.AAAA;
          for (IpAddress ip : info.clusterIps()) {
            if (ip.v6() == v6) {
              q.answer.add(SrvSet.address(q.qname, ttl, ip));
            }
          }
        } else if (q.qtype == Type.SRV) {
          // 3.6: the bare name lists every port, named or not.
          SrvSet srv = new SrvSet();
          addClusterIpSrv(q, svc, null, null, srv);
          srv.render(q.qname, ttl, q.answer, q.additional);
        }
        return found(q);
    }
  }

  /**
   * 6.1-6.3: A, AAAA, TXT and CNAME questions get the CNAME (ClusterZone follows the chain); other types are
   * NODATA. An externalName that is an IP literal (or empty) makes no record at all: CoreDNS's
   * {@code findServices} skips it and the name is NXDOMAIN.
   */
  private static Kind externalName(Lookup q, ServiceView svc) {
    Name target = externalTarget(svc.info().externalName());
    if (target == null) {
      return Kind.NXDOMAIN;
    }
    int t = q.qtype;
    if (t == Type.A || t == Type.AAAA || t == Type.TXT || t == Type.CNAME) {
      q.alias = target;
      return Kind.ALIAS;
    }
    return Kind.NODATA; // 6.3: SRV (and MX, HTTPS, ...) on an ExternalName name
  }

  /** {@code spec.externalName} as an absolute name (6.1), or null for an IP literal or a malformed name. */
  static Name externalTarget(String text) {
    if (text == null || text.isEmpty() || text.indexOf(':') >= 0 || IpAddress.parse(text) != null) {
      return null;
    }
    try {
      return Name.fromString(text, Name.root);
    } catch (TextParseException e) {
      return null;
    }
  }

  /** {@code <endpoint>.<svc>.<ns>.svc}: 3.7 (ClusterIP services), 4.4 (headless), 4.7 (SRV). */
  private Kind endpoint(Lookup q, ServiceView svc, String name) {
    if (svc.kind() == ServiceKind.EXTERNAL_NAME) {
      return Kind.NXDOMAIN; // 6.3: nothing exists below an ExternalName
    }
    List<EndpointAddress> named = svc.endpointsNamed(name);
    if (named.isEmpty()) {
      // An endpoint name never starts with '_', so _tcp.<svc> is the empty non-terminal above
      // _<port>._tcp.<svc>: NODATA if such an SRV name exists (RFC 8020; QNAME minimisation, RFC 9156).
      if (name.length() > 1 && name.charAt(0) == '_' && hasNamedPort(svc, name.substring(1))) {
        return Kind.NODATA;
      }
      return Kind.NXDOMAIN;
    }
    if (q.qtype == Type.A || q.qtype == Type.AAAA) {
      addEndpointAddresses(q, named, q.qtype == Type.AAAA);
    } else if (q.qtype == Type.SRV) {
      SrvSet srv = new SrvSet();
      addEndpointSrv(q, svc, named, null, null, srv);
      srv.render(q.qname, ttl, q.answer, q.additional);
    }
    return found(q);
  }

  /** {@code _<port>._<proto>.<svc>.<ns>.svc}: 3.3 (ClusterIP: Service port), 4.5 (headless: slice port). */
  private Kind port(Lookup q, ServiceView svc, String port, String protocol) {
    if (port.isEmpty() || protocol.isEmpty()) {
      return Kind.NXDOMAIN; // 1.6: an empty port or protocol label is no wildcard
    }
    SrvSet srv = new SrvSet();
    switch (svc.kind()) {
      case EXTERNAL_NAME:
        return Kind.NXDOMAIN; // 6.3
      case HEADLESS:
        addEndpointSrv(q, svc, svc.endpoints(), port, protocol, srv); // 4.2: no endpoints, no SRV name
        break;
      default:
        addClusterIpSrv(q, svc, port, protocol, srv);
        break;
    }
    if (srv.isEmpty()) {
      return Kind.NXDOMAIN; // 3.3, 4.6: unknown port, protocol mismatch, unnamed or no ports
    }
    if (q.qtype == Type.SRV) {
      srv.render(q.qname, ttl, q.answer, q.additional);
      return Kind.FOUND;
    }
    return Kind.NODATA; // 12.6: other types on an SRV name
  }

  /** ClusterIP SRV entries: (matching port x ClusterIP), target the service name, Service port (3.3-3.6). */
  private static void addClusterIpSrv(Lookup q, ServiceView svc, String port, String protocol, SrvSet srv) {
    ServiceInfo info = svc.info();
    Name target = null;
    for (PortInfo p : info.ports()) {
      if (port != null && !matches(p, port, protocol)) {
        continue;
      }
      if (target == null) {
        target = TargetName.service(info.name(), info.namespace(), q.suffix());
      }
      for (IpAddress ip : info.clusterIps()) {
        srv.add(target, p.port(), ip);
      }
    }
  }

  /**
   * Endpoint SRV entries: (endpoint x matching slice port), target the endpoint's name (4.5, 4.7). With
   * {@code port == null} every port matches (bare-name SRV).
   */
  private static void addEndpointSrv(
      Lookup q, ServiceView svc, List<EndpointAddress> endpoints, String port, String protocol, SrvSet srv) {
    ServiceInfo info = svc.info();
    for (EndpointAddress e : endpoints) {
      Name target = null;
      for (PortInfo p : e.ports()) {
        if (port != null && !matches(p, port, protocol)) {
          continue;
        }
        if (target == null) {
          target = TargetName.endpoint(e.name(), info.name(), info.namespace(), q.suffix());
        }
        srv.add(target, p.port(), e.address());
      }
    }
  }

  /** 3.3, 1.4: named ports only, name and protocol compared case-insensitively. */
  private static boolean matches(PortInfo p, String port, String protocol) {
    return p.name() != null && p.name().equalsIgnoreCase(port) && protocol.equalsIgnoreCase(p.protocol());
  }

  /** Whether some {@code _<port>._<protocol>} SRV name exists under this service. */
  private static boolean hasNamedPort(ServiceView svc, String protocol) {
    if (svc.kind() == ServiceKind.CLUSTER_IP) {
      for (PortInfo p : svc.info().ports()) {
        if (p.name() != null && !p.name().isEmpty() && protocol.equalsIgnoreCase(p.protocol())) {
          return true;
        }
      }
      return false;
    }
    for (EndpointAddress e : svc.endpoints()) {
      for (PortInfo p : e.ports()) {
        if (p.name() != null && !p.name().isEmpty() && protocol.equalsIgnoreCase(p.protocol())) {
          return true;
        }
      }
    }
    return false;
  }

  /** 4.1, 4.4: addresses of the family, each once. */
  private void addEndpointAddresses(Lookup q, List<EndpointAddress> endpoints, boolean v6) {
    int n = endpoints.size();
    for (int i = 0; i < n; i++) {
      IpAddress a = endpoints.get(i).address();
      if (a.v6() != v6 || seenBefore(endpoints, i, a)) {
        continue;
      }
      q.answer.add(SrvSet.address(q.qname, ttl, a));
    }
  }

  private static boolean seenBefore(List<EndpointAddress> endpoints, int index, IpAddress a) {
    for (int j = 0; j < index; j++) {
      if (endpoints.get(j).address().equals(a)) {
        return true;
      }
    }
    return false;
  }

  // ----------------------------------------------------------------------------------------------- pods

  /** 8.1-8.3. */
  private Kind pods(Lookup q) {
    if (q.below == 1) {
      return Kind.NODATA; // 9.1: pod.<zone> is an interior name
    }
    NamespaceView ns = q.snapshot.namespace(q.label(1));
    if (ns == null) {
      return Kind.NXDOMAIN; // 8.3: the namespace must exist in every mode
    }
    q.view = ns;
    if (q.below == 2) {
      return Kind.NODATA; // 8.3: <ns>.pod is NODATA, whatever the mode
    }
    if (q.below != 3 || pods == PodsMode.DISABLED) {
      return Kind.NXDOMAIN; // 1.2 too many labels; 8.3 disabled
    }
    IpAddress ip = PodLabel.parse(q.label(2));
    if (ip == null) {
      return Kind.NXDOMAIN; // 8.2
    }
    if (pods == PodsMode.VERIFIED && !ns.podIps().contains(ip)) {
      return Kind.NXDOMAIN; // 8.3: no non-terminating pod with that IP in the namespace
    }
    if ((q.qtype == Type.A && !ip.v6()) || (q.qtype == Type.AAAA && ip.v6())) {
      q.answer.add(SrvSet.address(q.qname, ttl, ip));
    }
    return found(q);
  }

  // -------------------------------------------------------------------------------------------- helpers

  private static Kind found(Lookup q) {
    return q.answer.isEmpty() ? Kind.NODATA : Kind.FOUND;
  }

  private static String stripUnderscore(String label) {
    return !label.isEmpty() && label.charAt(0) == '_' ? label.substring(1) : label;
  }
}
