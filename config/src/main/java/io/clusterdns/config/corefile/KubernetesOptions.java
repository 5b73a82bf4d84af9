package io.clusterdns.config.corefile;

import io.clusterdns.config.KubernetesConfig;
import io.clusterdns.config.PodsMode;
import io.clusterdns.config.WatchConfig;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads {@code kubernetes [ZONES...] { ... }} with the options of CoreDNS's {@code plugin/kubernetes}
 * (behaviours.md 1.8). Options CoreDNS removed ({@code upstream}, {@code resyncperiod}, {@code transfer})
 * are unknown properties here too, so a Corefile CoreDNS rejects is rejected the same way
 * (tests-elsewhere.md section 2).
 *
 * <p>Stateless.
 */
final class KubernetesOptions {

  private KubernetesOptions() {}

  static KubernetesBlock parse(Directive d, BlockContext ctx) throws CorefileException {
    List<String> zones = new ArrayList<>();
    for (Token z : d.args()) {
      zones.addAll(CorefileValues.zones(z));
    }
    if (zones.isEmpty()) {
      zones.addAll(ctx.zones());
    } else {
      for (int i = 0; i < d.args().size(); i++) {
        for (String z : CorefileValues.zones(d.args().get(i))) {
          if (ctx.zones().stream().noneMatch(bz -> ServerBlock.isSubdomain(z, bz))) {
            ctx.warn(d.args().get(i), "kubernetes zone " + z + " is outside the zones of its server block "
                + ctx.zones() + ", so no query reaches it");
          }
        }
      }
    }
    PodsMode pods = PodsMode.DISABLED; // the plugin's default; kubeadm writes "pods insecure"
    int ttl = KubernetesBlock.DEFAULT_TTL;
    List<String> fallthrough = new ArrayList<>();
    boolean endpointPodNames = false;
    String kubeconfig = null;
    String context = null;
    List<String> namespaces = new ArrayList<>();
    Token namespacesAt = null;
    String namespaceLabels = null;
    Token namespaceLabelsAt = null;
    String labels = null;
    Duration startupTimeout = WatchConfig.DEFAULT_STARTUP_TIMEOUT;
    String endpoint = null;
    KubernetesBlock.Tls tls = null;
    boolean noEndpoints = false;
    boolean ignoreEmptyService = false;
    List<String> notActedOn = new ArrayList<>();
    for (Directive o : d.block()) {
      switch (o.text()) {
        case "pods" -> {
          BlockContext.property(o, 1, 1);
          try {
            pods = PodsMode.parse(o.arg(0));
          } catch (IllegalArgumentException e) {
            throw CorefileException.at(o.args().get(0), e.getMessage());
          }
        }
        case "ttl" -> {
          BlockContext.property(o, 1, 1);
          ttl = CorefileValues.integer(o.args().get(0), "ttl", 0, KubernetesConfig.MAX_TTL);
        }
        case "fallthrough" -> {
          BlockContext.noBlock(o);
          fallthrough.clear();
          for (Token z : o.args()) {
            fallthrough.addAll(CorefileValues.zones(z));
          }
          if (fallthrough.isEmpty()) {
            fallthrough.add("."); // no zones: every miss falls through
          }
        }
        case "endpoint_pod_names" -> {
          BlockContext.property(o, 0, 0);
          endpointPodNames = true;
        }
        case "namespaces" -> {
          BlockContext.property(o, 1, Integer.MAX_VALUE);
          namespaces.clear();
          o.args().forEach(a -> namespaces.add(a.text()));
          namespacesAt = o.name();
        }
        case "namespace_labels" -> {
          BlockContext.property(o, 1, Integer.MAX_VALUE);
          namespaceLabels = joined(o);
          namespaceLabelsAt = o.name();
        }
        case "labels" -> {
          BlockContext.property(o, 1, Integer.MAX_VALUE);
          labels = joined(o);
        }
        case "kubeconfig" -> {
          BlockContext.property(o, 1, 2);
          kubeconfig = o.arg(0);
          context = o.args().size() > 1 ? o.arg(1) : null;
        }
        case "endpoint" -> {
          BlockContext.property(o, 1, 1);
          endpoint = o.arg(0);
          if (!endpoint.startsWith("http://") && !endpoint.startsWith("https://")) {
            throw CorefileException.at(o.args().get(0), "endpoint must be an http:// or https:// URL, not '"
                + endpoint + "'");
          }
        }
        case "tls" -> {
          BlockContext.property(o, 3, 3);
          tls = new KubernetesBlock.Tls(o.arg(0), o.arg(1), o.arg(2));
        }
        case "noendpoints" -> {
          BlockContext.property(o, 0, 0);
          noEndpoints = true;
          notActed(o, ctx, notActedOn, "endpoint records are still served");
        }
        case "ignore" -> {
          BlockContext.property(o, 1, 1);
          if (!o.arg(0).equals("empty_service")) {
            throw CorefileException.at(o.args().get(0), "ignore takes 'empty_service', not '" + o.arg(0) + "'");
          }
          ignoreEmptyService = true;
          notActed(o, ctx, notActedOn, "services without ready endpoints still resolve");
        }
        case "startup_timeout" -> {
          BlockContext.property(o, 1, 1);
          startupTimeout = CorefileValues.duration(o.args().get(0), "startup_timeout", Duration.ZERO);
        }
        case "apiserver_qps", "apiserver_burst", "apiserver_max_inflight" -> {
          BlockContext.property(o, 1, 1);
          number(o);
          notActed(o, ctx, notActedOn, "the API client's own limits apply");
        }
        case "multicluster", "zonal" -> throw CorefileException.at(o.name(), "kubernetes option '" + o.text()
            + "' is not supported by clusterdns yet: the names it adds would not resolve");
        default -> throw BlockContext.unknownProperty(o, "kubernetes");
      }
    }
    if (namespacesAt != null && namespaceLabelsAt != null) {
      Token later = namespacesAt.line() > namespaceLabelsAt.line() ? namespacesAt : namespaceLabelsAt;
      throw CorefileException.at(later, "namespaces and namespace_labels cannot both be set");
    }
    KubernetesConfig config = new KubernetesConfig(zones, pods, ttl, fallthrough, endpointPodNames);
    WatchConfig watch = new WatchConfig(kubeconfig, context, namespaces, namespaceLabels, labels,
        pods == PodsMode.VERIFIED, endpointPodNames, startupTimeout);
    return new KubernetesBlock(config, watch, endpoint, tls, noEndpoints, ignoreEmptyService, notActedOn,
        d.name().line());
  }

  private static void notActed(Directive o, BlockContext ctx, List<String> list, String effect) {
    StringBuilder b = new StringBuilder(o.text());
    o.args().forEach(a -> b.append(' ').append(a.text()));
    list.add(b.toString());
    ctx.warn(o.name(), "kubernetes option '" + b + "' is accepted but not acted on: " + effect);
  }

  private static String joined(Directive o) {
    StringBuilder b = new StringBuilder();
    for (Token a : o.args()) {
      if (b.length() > 0) {
        b.append(' ');
      }
      b.append(a.text());
    }
    return b.toString();
  }

  private static void number(Directive o) throws CorefileException {
    Token t = o.args().get(0);
    try {
      if (new BigDecimal(t.text()).signum() >= 0) {
        return;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw CorefileException.at(t, o.text() + " must be a number >= 0, not '" + t.text() + "'");
  }
}
