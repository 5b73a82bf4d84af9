package io.clusterdns.server.zone;

import io.clusterdns.index.EndpointAddress;
import io.clusterdns.index.IpAddress;
import io.clusterdns.index.NamespaceView;
import io.clusterdns.index.PtrTarget;
import io.clusterdns.index.ServiceInfo;
import io.clusterdns.index.ServiceKind;
import io.clusterdns.index.ServiceView;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.DClass;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;

/**
 * The zone's NS answer (behaviours.md 9.4, after CoreDNS {@code ns.go}): if one of the server's own addresses
 * is a ready endpoint of a service, the NS names that service ({@code kube-dns.kube-system.svc.<zone>.}) with
 * its ClusterIPs as glue (a headless service: the endpoint name and the own address); otherwise
 * {@code ns.dns.<zone>.} with the server's own addresses as glue. Immutable; called on event loops.
 */
final class NameServers {
  /** The relative name {@code ns.dns} that CoreDNS uses when its own service is unknown. */
  private static final Name NS_DNS = Name.fromConstantString("ns.dns");

  private final long ttl;
  private final List<IpAddress> self;

  NameServers(long ttl, List<InetAddress> selfAddresses) {
    this.ttl = ttl;
    List<IpAddress> own = new ArrayList<>();
    for (InetAddress a : selfAddresses) {
      // 9.4: the server's non-loopback addresses; a wildcard bind address is no address at all.
      if (a == null || a.isLoopbackAddress() || a.isAnyLocalAddress()) {
        continue;
      }
      IpAddress ip = IpAddress.ofBytes(a.getAddress());
      if (!own.contains(ip)) {
        own.add(ip);
      }
    }
    this.self = List.copyOf(own);
  }

  /** Adds NS records owned by the question name, with glue; {@code suffix} is the zone the names live in. */
  boolean apex(Lookup q, Name suffix) {
    List<Name> names = new ArrayList<>(2);
    for (IpAddress own : self) {
      for (PtrTarget t : q.snapshot.ptr(own)) {
        if (t.isClusterIp()) {
          continue;
        }
        NamespaceView ns = q.snapshot.namespace(t.namespace());
        ServiceView svc = ns == null ? null : ns.service(t.service());
        if (svc == null) {
          continue;
        }
        ServiceInfo info = svc.info();
        if (info.kind() == ServiceKind.CLUSTER_IP) {
          Name name = TargetName.service(info.name(), info.namespace(), suffix);
          if (name != null && !names.contains(name)) {
            names.add(name);
            for (IpAddress ip : info.clusterIps()) {
              q.additional.add(SrvSet.address(name, ttl, ip));
            }
          }
        } else if (info.kind() == ServiceKind.HEADLESS) {
          for (EndpointAddress e : svc.endpointsNamed(t.endpoint())) {
            if (!e.address().equals(own)) {
              continue;
            }
            Name name = TargetName.endpoint(e.name(), info.name(), info.namespace(), suffix);
            if (name != null && !names.contains(name)) {
              names.add(name);
              q.additional.add(SrvSet.address(name, ttl, own));
            }
          }
        }
      }
    }
    if (names.isEmpty()) {
      Name name;
      try {
        name = Name.concatenate(NS_DNS, suffix);
      } catch (org.xbill.DNS.NameTooLongException e) {
        return false;
      }
      names.add(name);
      for (IpAddress own : self) {
        q.additional.add(SrvSet.address(name, ttl, own));
      }
    }
    for (Name name : names) {
      q.answer.add(new NSRecord(q.qname, DClass.IN, ttl, name));
    }
    return true;
  }

  /** 9.4: {@code ns.dns.<zone>} A or AAAA, the server's own addresses of that family. */
  void selfAddresses(Lookup q, Name owner, boolean v6, List<Record> out) {
    for (IpAddress own : self) {
      if (own.v6() == v6) {
        out.add(SrvSet.address(owner, ttl, own));
      }
    }
  }
}
