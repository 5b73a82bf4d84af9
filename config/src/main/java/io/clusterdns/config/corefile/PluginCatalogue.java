package io.clusterdns.config.corefile;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every plugin name CoreDNS knows (its {@code plugin.cfg}), sorted by what clusterdns does with it.
 * A name outside all three sets is an unknown plugin, as in CoreDNS.
 *
 * <p>The rule for the unsupported ones: if leaving the plugin out changes what a client gets for an IN
 * query (records, rewrites, ACLs, DNSSEC, other transports), the Corefile is rejected with the line, so
 * an operator never silently loses records; if it only changes logging, tuning or debugging, it is a
 * warning.
 */
final class PluginCatalogue {

  private PluginCatalogue() {}

  /** Plugins clusterdns reads into the model. */
  static final Set<String> SUPPORTED = Set.of("kubernetes", "forward", "cache", "health", "ready",
      "prometheus", "errors", "log", "loop", "reload", "loadbalance", "bind", "hosts", "template", "rewrite", "acl",
      "autopath");

  /** Plugins whose absence changes answers: an error, with why. */
  static final Map<String, String> REJECTED = Map.ofEntries(
      Map.entry("file", "the zone file's records would not resolve"),
      Map.entry("auto", "the zone files' records would not resolve"),
      Map.entry("secondary", "the transferred zone would not resolve"),
      Map.entry("etcd", "its records would not resolve"),
      Map.entry("k8s_external", "external service names would not resolve"),
      Map.entry("route53", "its records would not resolve"),
      Map.entry("azure", "its records would not resolve"),
      Map.entry("clouddns", "its records would not resolve"),
      Map.entry("nomad", "its records would not resolve"),
      Map.entry("local", "localhost names would be forwarded instead of answered"),
      Map.entry("dns64", "AAAA records would not be synthesised"),
      Map.entry("tsig", "TSIG would not be checked"),
      Map.entry("any", "ANY queries would be answered differently"),
      Map.entry("header", "header bits would not be rewritten"),
      Map.entry("minimal", "replies would keep their authority and additional sections"),
      Map.entry("dnssec", "replies would not be signed"),
      Map.entry("sign", "zones would not be signed"),
      Map.entry("transfer", "zone transfers would be refused"),
      Map.entry("view", "queries would not be split into views"),
      Map.entry("grpc", "queries would not be sent to the gRPC upstream"),
      Map.entry("erratic", "queries would not be dropped or delayed"),
      Map.entry("tls", "DNS over TLS would not be served"),
      Map.entry("https", "DNS over HTTPS would not be served"),
      Map.entry("https3", "DNS over HTTP/3 would not be served"),
      Map.entry("quic", "DNS over QUIC would not be served"),
      Map.entry("grpc_server", "DNS over gRPC would not be served"));

  /** Plugins that only log, tune or debug: a warning, with what happens instead. */
  static final Map<String, String> IGNORED = Map.ofEntries(
      Map.entry("debug", "panics are still recovered"),
      Map.entry("pprof", "no profiling endpoint is served"),
      Map.entry("trace", "no traces are sent"),
      Map.entry("dnstap", "no dnstap messages are sent"),
      Map.entry("metadata", "no plugin reads metadata"),
      Map.entry("geoip", "no plugin reads metadata"),
      Map.entry("cancel", "each query is bounded by the forwarder's own time budget"),
      Map.entry("timeouts", "clusterdns's own TCP timeouts apply"),
      Map.entry("multisocket", "clusterdns sizes its own listeners"),
      Map.entry("shed", "clusterdns bounds its own queues"),
      Map.entry("bufsize", "UDP replies are sized to the client's own EDNS payload size"),
      Map.entry("nsid", "no NSID option is added"),
      Map.entry("chaos", "CH-class queries such as version.bind get REFUSED"),
      Map.entry("on", "no commands are run on events"),
      Map.entry("root", "no plugin reads files relative to it"),
      Map.entry("whoami", "a forward in the same block answers first"));

  /**
   * The known plugin name closest to a misspelt one ({@code kubernets} → {@code kubernetes}), or null when none is
   * within a third of the name's length in edits: a hint, not a guess at any cost.
   */
  static String nearest(String name) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    List<String> all = new ArrayList<>(SUPPORTED);
    all.addAll(REJECTED.keySet());
    all.addAll(IGNORED.keySet());
    java.util.Collections.sort(all);
    for (String known : all) {
      int d = editDistance(name.toLowerCase(java.util.Locale.ROOT), known);
      if (d < bestDistance) {
        best = known;
        bestDistance = d;
      }
    }
    return bestDistance <= Math.max(1, name.length() / 3) ? best : null;
  }

  /** Levenshtein distance (insert, delete, substitute each cost 1). */
  static int editDistance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
