package io.clusterdns.server.zone;

import io.clusterdns.config.KubernetesConfig;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.xbill.DNS.Name;
import org.xbill.DNS.NameTooLongException;

/**
 * A pod's DNS search path as kubelet writes it into the pod's resolv.conf ({@code dnsPolicy: ClusterFirst}):
 * {@code <ns>.svc.<zone> svc.<zone> <zone>}, then the node's own search domains. Shared by the two server-side
 * searches: the dev command's {@link SearchList} and the Corefile's {@code autopath} (issue 22). Stateless.
 */
public final class SearchPath {
  private SearchPath() {}

  /**
   * The cluster part of the search path of pods in {@code namespaces}, in order and without repeats:
   * {@code <ns>.svc.<domain>} for each, then {@code svc.<domain>} and {@code <domain>}.
   *
   * @param clusterDomain the cluster zone, e.g. {@code cluster.local.}
   */
  public static List<Name> cluster(List<String> namespaces, String clusterDomain) {
    String domain = KubernetesConfig.absolute(clusterDomain);
    Set<String> list = new LinkedHashSet<>();
    for (String ns : namespaces) {
      list.add(ns.toLowerCase(Locale.ROOT) + ".svc." + domain);
    }
    list.add("svc." + domain);
    list.add(domain);
    List<Name> out = new ArrayList<>();
    for (String s : list) {
      out.add(Name.fromConstantString(s));
    }
    return out;
  }

  /**
   * {@code base} (relative) under {@code suffix} ({@link Name#root} for the name as it is), or null when the
   * result would be longer than a name may be: glibc skips such an expansion too.
   */
  public static Name expand(Name base, Name suffix) {
    try {
      return Name.concatenate(base, suffix);
    } catch (NameTooLongException e) {
      return null;
    }
  }
}
