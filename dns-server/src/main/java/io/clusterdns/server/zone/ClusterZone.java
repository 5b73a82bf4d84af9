package io.clusterdns.server.zone;

import io.clusterdns.config.KubernetesConfig;
import io.clusterdns.index.SnapshotSource;
import java.net.InetAddress;
import java.util.List;
import org.xbill.DNS.Name;

/** TEMPORARY placeholder replaced by the zone branch. */
public final class ClusterZone {
  private final List<Name> zones;

  public ClusterZone(KubernetesConfig config, SnapshotSource source, List<InetAddress> selfAddresses) {
    this.zones = config.zones().stream().map(z -> Name.fromConstantString(z)).toList();
  }

  public boolean covers(Name qname) {
    for (Name z : zones) {
      if (qname.subdomain(z)) {
        return true;
      }
    }
    return false;
  }

  public Answer answer(Name qname, int qtype) {
    return new Answer.NotSynced();
  }
}
