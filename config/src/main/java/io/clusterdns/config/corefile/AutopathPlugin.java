package io.clusterdns.config.corefile;

import java.util.List;

/**
 * {@code autopath [ZONE...] @kubernetes [RESOLV-CONF]}: server-side search path completion (CoreDNS's
 * {@code plugin/autopath} with the kubernetes plugin's search path). A query for the first expansion of a pod's
 * search path, {@code <base>.<ns>.svc.<zone>}, that would be NXDOMAIN is answered with the first expansion of
 * {@code <base>} that exists: {@code <base>.svc.<zone>}, {@code <base>.<zone>}, {@code <base>} under each of
 * {@link #searchDomains()}, then {@code <base>} itself.
 *
 * <p>Unlike CoreDNS, clusterdns takes the namespace from the query name rather than from the client's Pod, so
 * it needs no {@code pods verified} (issue 22).
 *
 * @param zones names outside these zones are never walked (the block's zones by default), absolute, lowercase
 * @param resolvConf the file the node's search domains were read from, as used (CoreDNS: {@code /etc/resolv.conf})
 * @param searchDomains its {@code search} list, absolute and lowercase; empty when the default file is missing
 * @param line line of the {@code autopath} word
 */
public record AutopathPlugin(List<String> zones, String resolvConf, List<String> searchDomains, int line) {

  public AutopathPlugin {
    zones = List.copyOf(zones);
    searchDomains = List.copyOf(searchDomains);
  }
}
