package io.clusterdns.conformance;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Mode 3: rewrites case lines so that the fixture's ClusterIPs become the ones the cluster allocated
 * (in A/AAAA rdata, {@code x:} reverse qnames and spelled-out reverse names), and {@code cluster.local}
 * becomes the cluster's domain. Immutable.
 */
public record AddressMap(Map<String, String> addresses, String clusterDomain) implements UnaryOperator<String> {

  public AddressMap {
    Map<String, String> canon = new LinkedHashMap<>();
    addresses.forEach((k, v) -> canon.put(ReverseName.canonical(k), ReverseName.canonical(v)));
    addresses = Map.copyOf(canon);
  }

  static AddressMap identity(String clusterDomain) {
    return new AddressMap(Map.of(), clusterDomain);
  }

  @Override
  public String apply(String line) {
    String out = line;
    for (Map.Entry<String, String> e : addresses.entrySet()) {
      if (e.getKey().equals(e.getValue())) {
        continue;
      }
      // Whole literals only (10.96.10.1 must not touch 10.96.10.10 or 110.96.10.1); "x:" is the
      // case table's reverse-name prefix, not part of an address.
      Pattern p = Pattern.compile("(?:(?<=\\bx:)|(?<![0-9A-Fa-f.:]))" + Pattern.quote(e.getKey()) + "(?![0-9A-Fa-f:]|\\.[0-9])");
      out = p.matcher(out).replaceAll(Matcher.quoteReplacement(e.getValue()));
      // Reverse names: only the address labels change; the zone keeps its letter case (7.3, 10.6).
      String oldRev = ReverseName.of(e.getKey());
      String newRev = ReverseName.of(e.getValue());
      String suffix = e.getKey().contains(":") ? "ip6.arpa" : "in-addr.arpa";
      String oldLabels = oldRev.substring(0, oldRev.length() - suffix.length() - 1);
      String newLabels = newRev.substring(0, newRev.length() - suffix.length() - 1);
      out = Pattern.compile("(?<![0-9A-Za-z-])" + Pattern.quote(oldLabels) + "(?=(?i)" + Pattern.quote(suffix) + ")")
          .matcher(out).replaceAll(Matcher.quoteReplacement(newLabels));
    }
    if (!clusterDomain.equals("cluster.local")) {
      out = out.replace("cluster.local", clusterDomain);
    }
    return out;
  }
}
