package io.clusterdns.server.zone;

import io.clusterdns.index.IpAddress;
import io.clusterdns.index.PtrTarget;
import io.clusterdns.server.zone.Lookup.Kind;
import java.util.List;
import java.util.Locale;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Type;

/**
 * PTR answers in reverse zones (behaviours.md 7.1-7.5, after CoreDNS {@code reverse.go}): a complete reverse
 * name of a ClusterIP names the service; of a ready endpoint address, the endpoint under each service that
 * selects it; a ClusterIP owner hides endpoint owners. Pod IPs get nothing (8.4). Everything else is a miss,
 * which ClusterZone turns into NXDOMAIN or a fall-through. Immutable; called on event loops.
 */
final class ReverseZone {
  private final long ttl;
  /** 7.3: PTR targets live in the primary cluster zone, lowercase, whatever the question's case. */
  private final Name primary;
  private final NameServers nameServers;

  ReverseZone(long ttl, Name primary, NameServers nameServers) {
    this.ttl = ttl;
    this.primary = primary;
    this.nameServers = nameServers;
  }

  /** The outcome for a name below the apex; the apex itself is handled by ClusterZone. */
  Kind lookup(Lookup q) {
    IpAddress ip = ReverseName.parse(q.qname);
    if (ip == null) {
      return Kind.NXDOMAIN; // 7.5: partial or malformed reverse names are misses
    }
    List<PtrTarget> targets = q.snapshot.ptr(ip);
    if (targets.isEmpty()) {
      return Kind.NXDOMAIN; // 7.4: unknown addresses, pod IPs, not-ready endpoints
    }
    if (q.qtype != Type.PTR) {
      return Kind.NODATA; // 9.1: the name exists
    }
    // The index lists ClusterIP owners first; when there are any they hide the endpoint owners (7.2).
    boolean clusterIp = targets.get(0).isClusterIp();
    for (PtrTarget t : targets) {
      if (t.isClusterIp() != clusterIp) {
        break;
      }
      String ns = t.namespace().toLowerCase(Locale.ROOT);
      String svc = t.service().toLowerCase(Locale.ROOT);
      Name target = clusterIp
          ? TargetName.service(svc, ns, primary)
          : TargetName.endpoint(t.endpoint().toLowerCase(Locale.ROOT), svc, ns, primary);
      if (target != null) {
        q.answer.add(new PTRRecord(q.qname, DClass.IN, ttl, target));
      }
    }
    return q.answer.isEmpty() ? Kind.NODATA : Kind.FOUND;
  }

  /** NS at a reverse apex names the same server as the cluster zone (9.4). */
  boolean apexNs(Lookup q) {
    return nameServers.apex(q, primary);
  }
}
