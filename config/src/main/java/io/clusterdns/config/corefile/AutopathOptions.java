package io.clusterdns.config.corefile;

import io.clusterdns.config.ResolvConf;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads {@code autopath [ZONE...] @kubernetes [RESOLV-CONF]}. CoreDNS's syntax is {@code autopath [ZONE...]
 * RESOLV-CONF}, where RESOLV-CONF is a file or {@code @PLUGIN}; only {@code @kubernetes} is served here (a static
 * search path from a file is refused, naming the line). The optional file after {@code @kubernetes} is a clusterdns
 * extension naming where the node's search domains come from (CoreDNS always reads {@code /etc/resolv.conf}).
 *
 * <p>Stateless.
 */
final class AutopathOptions {

  private AutopathOptions() {}

  /** Where CoreDNS's kubernetes plugin reads the node's search domains. */
  static final String DEFAULT_RESOLV_CONF = "/etc/resolv.conf";

  /**
   * Search domains of the node used at most: kubelet gives a pod at most 32 search domains (MaxDNSSearchPaths),
   * three of them the cluster's, so a walk never tries a domain the pod's own list lacks.
   */
  static final int MAX_NODE_DOMAINS = 29;

  static AutopathPlugin parse(Directive d, BlockContext ctx, Path baseDir) throws CorefileException {
    BlockContext.noBlock(d);
    BlockContext.args(d, 1, Integer.MAX_VALUE);
    int at = -1;
    for (int i = 0; i < d.args().size(); i++) {
      if (d.arg(i).startsWith("@")) {
        at = i;
        break;
      }
    }
    if (at < 0) {
      Token file = d.args().get(d.args().size() - 1);
      throw CorefileException.at(file, "autopath with a search path from a file ('" + file.text() + "') is not "
          + "supported by clusterdns yet: use autopath @kubernetes");
    }
    if (!d.arg(at).equals("@kubernetes")) {
      throw CorefileException.at(d.args().get(at), "autopath takes its search path from @kubernetes, not '"
          + d.arg(at) + "'");
    }
    if (d.args().size() > at + 2) {
      throw CorefileException.at(d.args().get(at + 2), "autopath takes at most one RESOLV-CONF after @kubernetes");
    }
    List<String> zones = new ArrayList<>();
    for (Token z : d.args().subList(0, at)) {
      zones.addAll(CorefileValues.zones(z));
    }
    if (zones.isEmpty()) {
      zones.addAll(ctx.zones());
    }
    Token fileTok = d.args().size() > at + 1 ? d.args().get(at + 1) : null;
    Path file = fileTok == null ? Path.of(DEFAULT_RESOLV_CONF) : baseDir.resolve(fileTok.text());
    List<String> search;
    if (fileTok == null && !Files.isRegularFile(file)) {
      search = List.of(); // CoreDNS: no resolv.conf, no node search domains
    } else {
      try {
        search = ResolvConf.search(file);
      } catch (IOException e) {
        throw CorefileException.at(fileTok == null ? d.name() : fileTok, "autopath: cannot read " + file + ": "
            + e.getMessage());
      } catch (IllegalArgumentException e) {
        throw CorefileException.at(fileTok == null ? d.name() : fileTok, "autopath: " + e.getMessage());
      }
    }
    if (search.size() > MAX_NODE_DOMAINS) {
      ctx.warn(fileTok == null ? d.name() : fileTok, "autopath: " + file + " has " + search.size()
          + " search domains; only the first " + MAX_NODE_DOMAINS + " are tried, as kubelet gives a pod at most 32 "
          + "with the cluster's three");
      search = search.subList(0, MAX_NODE_DOMAINS);
    }
    return new AutopathPlugin(zones, file.toString(), search, d.name().line());
  }
}
