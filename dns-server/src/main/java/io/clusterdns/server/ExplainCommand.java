package io.clusterdns.server;

import io.clusterdns.config.HostPort;
import io.clusterdns.config.PodsMode;
import io.clusterdns.index.SnapshotSource;
import io.clusterdns.server.cache.ResponseCache;
import io.clusterdns.server.explain.Explainer;
import io.clusterdns.server.explain.Explanation;
import io.clusterdns.server.explain.ExplanationText;
import io.clusterdns.server.zone.ClusterZone;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code clusterdns explain NAME [TYPE]} (issue 22): why DNS answers a name as it does. Three places to ask:
 * a running server's {@code /explain} endpoint ({@code --server}), a manifest file ({@code --snapshot},
 * {@code --demo}), or the API server of a kubeconfig (the default, read once and closed). Without a server the
 * reply is computed by the server's own cluster-zone code from the same index a server would build with these
 * flags; names outside the cluster zones are then not sent upstream.
 */
@Command(
    name = "explain",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
        "Explain a DNS answer: the reply, the Service, EndpointSlice, endpoint or Pod behind each record, the rule "
            + "of the Kubernetes DNS specification that applied, and for a missing name why, with the names that "
            + "exist near it.",
        "",
        "Try: clusterdns explain --demo web.demo.svc.cluster.local"})
final class ExplainCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "NAME", description = "The name, e.g. web.shop.svc.cluster.local.")
  String name;

  @Parameters(index = "1", arity = "0..1", paramLabel = "TYPE", defaultValue = "A",
      description = "The question's type (A, AAAA, SRV, PTR, TXT, ...). Default: A.")
  String type;

  @Option(names = "--server", paramLabel = "HOST:PORT",
      description = "Ask a running server's explain endpoint (its --explain address): its own reply, cache and "
          + "upstreams included.")
  String server;

  @Option(names = "--json", description = "Print the explanation as JSON (the endpoint's format).")
  boolean json;

  @Option(names = "--snapshot", paramLabel = "FILE",
      description = "Explain from Kubernetes manifests (YAML or JSON, as --snapshot of the server).")
  Path snapshot;

  @Option(names = "--demo", description = "Explain from the built-in demo cluster.")
  boolean demo;

  @Option(names = "--kubeconfig", paramLabel = "FILE",
      description = "Explain from the API server of this kubeconfig (the default: $KUBECONFIG, ~/.kube/config, "
          + "or in-cluster).")
  Path kubeconfig;

  @Option(names = "--context", paramLabel = "NAME", description = "kubeconfig context. Default: the current one.")
  String context;

  @Option(names = {"--conf", "-conf"}, paramLabel = "FILE",
      description = "The server's Corefile, for its zones, ttl, pods mode, forward zones and watch scope.")
  Path conf;

  @Option(names = "--cluster-domain", paramLabel = "NAME", converter = ServerOptions.DomainConverter.class,
      description = "Cluster zone. Default: cluster.local (or the Corefile's kubernetes zones).")
  String clusterDomain;

  @Option(names = "--pods", paramLabel = "MODE", converter = ServerOptions.PodsConverter.class,
      description = "Pods mode as the server's --pods: insecure, verified, disabled. Default: insecure.")
  PodsMode pods;

  @Option(names = "--ttl", paramLabel = "SECONDS", converter = ServerOptions.TtlConverter.class,
      description = "TTL of cluster answers, as the server's --ttl. Default: 30.")
  Integer ttl;

  /** How long the explain endpoint may take: its own DNS query waits up to the forward budget and a little more. */
  private static final Duration SERVER_TIMEOUT = Duration.ofSeconds(15);

  /** How long an explanation from a kubeconfig waits for the first full list of the API server. */
  private static final double SYNC_TIMEOUT_SECONDS = 120;

  @Override
  public Integer call() throws Exception {
    // The watch's and loader's progress lines are for a server's log; an explanation prints only problems.
    java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
    if (Explainer.type(type) < 0) {
      throw new Main.StartupException("'" + type + "' is not a DNS type (A, AAAA, SRV, PTR, TXT, ...)");
    }
    Name qname;
    try {
      qname = Explainer.name(name);
    } catch (TextParseException e) {
      throw new Main.StartupException("'" + name + "' is not a DNS name: " + e.getMessage());
    }
    Explanation e = server != null ? askServer(qname) : fromIndex(qname);
    spec.commandLine().getOut().print(json ? ExplanationText.json(e) + "\n" : ExplanationText.human(e));
    spec.commandLine().getOut().flush();
    return 0;
  }

  private Explanation askServer(Name qname) throws Exception {
    if (snapshot != null || demo || kubeconfig != null || context != null || conf != null) {
      throw new Main.StartupException("--server asks a running server, which has its own data and configuration; "
          + "it cannot be combined with --snapshot, --demo, --kubeconfig, --context or --conf");
    }
    HostPort hp = HostPort.parse(server, 8080);
    String host = hp.host().isEmpty() ? "127.0.0.1" : hp.host();
    URI uri = URI.create("http://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + hp.port()
        + "/explain?name=" + URLEncoder.encode(qname.toString(), StandardCharsets.UTF_8)
        + "&type=" + URLEncoder.encode(type, StandardCharsets.UTF_8));
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpResponse<String> r;
    try {
      r = client.send(HttpRequest.newBuilder(uri).timeout(SERVER_TIMEOUT).GET().build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException ex) {
      throw new Main.StartupException("--server " + server + ": " + (ex.getMessage() == null ? ex : ex.getMessage())
          + " (is the server started with --explain " + server + "?)");
    }
    if (r.statusCode() != 200) {
      throw new Main.StartupException("--server " + server + ": HTTP " + r.statusCode() + ": " + r.body().strip());
    }
    return ExplanationText.fromJson(r.body());
  }

  private Explanation fromIndex(Name qname) throws Exception {
    ServerOptions o = new ServerOptions();
    o.snapshot = snapshot;
    o.demo = demo;
    o.kubeconfig = kubeconfig;
    o.context = context;
    o.conf = conf;
    o.clusterDomain = clusterDomain;
    o.pods = pods;
    o.ttl = ttl;
    // A server serves (SERVFAIL) after 5 s without a first sync; one explanation may wait for the whole list.
    o.startupTimeoutSeconds = SYNC_TIMEOUT_SECONDS;
    Main.checkDataSource(o);
    EffectiveConfig cfg = EffectiveConfig.resolve(o);
    try (ClusterSource source = ClusterSource.open(o, cfg, new PrometheusRegistry())) {
      return explainer(cfg, source.snapshots(), Main.selfAddresses()).fromIndex(qname, Explainer.type(type));
    }
  }

  /** The explainer of a configuration over an index: the server's and the command's alike. */
  static Explainer explainer(EffectiveConfig cfg, SnapshotSource snapshots, List<InetAddress> self) {
    return new Explainer(new ClusterZone(cfg.kubernetes(), snapshots, self), cfg.kubernetes(), cfg.forwards(),
        !cfg.routes().isEmpty());
  }

  /** The answer cache's state for a question, without counting a hit (the explain endpoint's view). */
  static String cacheState(ResponseCache cache, Name name, int type) {
    if (cache == null) {
      return "off (no cache plugin)";
    }
    if (!cache.covers(name)) {
      return "not cached here (outside the cache's zones)";
    }
    ResponseCache.Fresh f = cache.fresh(name, type, false, false);
    if (f == null) {
      return "miss (or stale, or due for prefetch): the server asks upstream";
    }
    return (f.success() ? "hit" : "hit (a cached denial)") + ", " + f.ttl() + " s left";
  }
}
