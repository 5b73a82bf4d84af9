package io.clusterdns.server;

import io.clusterdns.config.HostPort;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code clusterdns dev --print-resolver-config} prints (issue 21): how to send the cluster zone's names from
 * the laptop's own resolver to the dev resolver, for systemd-resolved, macOS and a plain {@code /etc/resolv.conf},
 * with the actual listen address and zone, and how to undo each. The README explains the same three.
 */
final class ResolverConfig {
  private ResolverConfig() {}

  /**
   * @param listen the dev resolver's first listen address (a wildcard host is reached on loopback)
   * @param zone the cluster zone, absolute or not
   */
  static String text(HostPort listen, String zone) {
    return text(listen, List.of(zone));
  }

  /**
   * For several zones (several clusters, the first one's zone first): the zones not below another one, since
   * a resolver routes a zone's whole subtree ({@code b.cluster.local} goes with {@code cluster.local}).
   */
  static String text(HostPort listen, List<String> zones) {
    List<String> top = new ArrayList<>();
    for (String z : zones) {
      String d = trimDot(z);
      if (zones.stream().map(ResolverConfig::trimDot).noneMatch(o -> !o.equals(d) && d.endsWith("." + o))
          && !top.contains(d)) {
        top.add(d);
      }
    }
    String domain = top.get(0);
    String host = reachable(listen.host());
    int port = listen.port();
    String hostPort = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    StringBuilder b = new StringBuilder();
    String all = String.join(", ", top);
    b.append("# clusterdns dev answers ").append(all).append(" on ").append(hostPort)
        .append(". To send ").append(all).append(" names there from every program,\n")
        .append("# use the one section that fits your system (as root); each says how to undo it.\n\n");

    b.append("## Linux with systemd-resolved (/etc/resolv.conf says nameserver 127.0.0.53; systemd 246+)\n")
        .append("# sudo mkdir -p /etc/systemd/resolved.conf.d, then write /etc/systemd/resolved.conf.d/clusterdns.conf:\n")
        .append("[Resolve]\n")
        .append("DNS=").append(hostPort).append('\n')
        .append("Domains=").append(String.join(" ", top.stream().map(d -> "~" + d).toList())).append('\n')
        .append("# Apply:  sudo systemctl restart systemd-resolved\n")
        .append("# Check:  resolvectl query kubernetes.default.svc.").append(domain).append('\n')
        .append("# Undo:   sudo rm /etc/systemd/resolved.conf.d/clusterdns.conf && sudo systemctl restart "
            + "systemd-resolved\n")
        .append("# (~").append(domain).append(" routes ").append(domain).append(" names here; systemd-resolved "
            + "may also ask this server other names,\n#  which it forwards to your real nameservers.)\n\n");

    b.append("## macOS\n");
    for (String d : top) {
      b.append("# sudo mkdir -p /etc/resolver, then write /etc/resolver/").append(d).append(":\n")
          .append("nameserver ").append(host).append('\n')
          .append("port ").append(port).append('\n');
    }
    b.append("# Check:  scutil --dns | grep -A3 ").append(domain)
        .append("   (dig ignores /etc/resolver; use dscacheutil -q host -a name kubernetes.default.svc.")
        .append(domain).append(")\n")
        .append("# Undo:   sudo rm").append(String.join("", top.stream().map(d -> " /etc/resolver/" + d).toList()))
        .append("\n\n");

    b.append("## Plain /etc/resolv.conf (no systemd-resolved)\n");
    if (port == 53) {
      b.append("# First line of /etc/resolv.conf (keep your other nameserver lines below it):\n")
          .append("nameserver ").append(host).append('\n')
          .append("# Start clusterdns dev with --upstream <your previous nameserver>: it reads /etc/resolv.conf "
              + "for its upstreams,\n# and would otherwise forward to itself (it exits naming the loop).\n");
    } else {
      b.append("# resolv.conf has no port, so this needs clusterdns dev on port 53: start it with\n")
          .append("#   sudo java -jar dns-server/target/clusterdns.jar dev --kubeconfig $HOME/.kube/config --listen ")
          .append(host.indexOf(':') >= 0 ? "[" + host + "]" : host).append(":53 --upstream <your previous nameserver>\n")
          .append("# (it reads /etc/resolv.conf for its upstreams and would otherwise forward to itself), then "
              + "make this\n# the first line of /etc/resolv.conf:\n")
          .append("nameserver ").append(host).append('\n');
    }
    b.append("# Undo:   delete that line (NetworkManager or DHCP may rewrite the file on their own)\n");
    return b.toString();
  }

  private static String trimDot(String zone) {
    return zone.endsWith(".") ? zone.substring(0, zone.length() - 1) : zone;
  }

  /** The address a local resolver reaches a listener on: loopback for a wildcard. */
  static String reachable(String host) {
    if (host.isEmpty() || host.equals("0.0.0.0")) {
      return "127.0.0.1";
    }
    if (host.equals("::") || host.equals("[::]")) {
      return "::1";
    }
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }
}
