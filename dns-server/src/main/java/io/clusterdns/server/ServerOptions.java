package io.clusterdns.server;

import io.clusterdns.config.HostPort;
import io.clusterdns.config.KubernetesConfig;
import io.clusterdns.config.PodsMode;
import io.clusterdns.server.net.TcpLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * The command line (cli.md). Each option's description is its one documented text: it feeds {@code --help},
 * and the README's flag table repeats it.
 */
public final class ServerOptions {

  @Option(names = "--listen", paramLabel = "HOST:PORT", converter = ListenConverter.class,
      description = "UDP and TCP listener; repeatable. Default: 0.0.0.0:53.")
  List<HostPort> listen = new ArrayList<>();

  @Option(names = "--snapshot", paramLabel = "FILE",
      description = "Serve a static cluster from Kubernetes manifests (multi-document YAML, JSON, kind: List): "
          + "Namespace, Service, EndpointSlice (discovery.k8s.io/v1), Pod. No API server.")
  Path snapshot;

  @Option(names = "--demo", description = "Serve the built-in demo cluster (no Kubernetes needed).")
  boolean demo;

  @Option(names = "--kubeconfig", paramLabel = "FILE",
      description = "Watch the API server of this kubeconfig (used when neither --snapshot nor --demo is "
          + "given). Default: $KUBECONFIG or ~/.kube/config if present, else the in-cluster service account.")
  Path kubeconfig;

  @Option(names = "--context", paramLabel = "NAME", description = "kubeconfig context to use. Default: current.")
  String context;

  @Option(names = "--startup-timeout", paramLabel = "SECONDS",
      description = "With a watch: how long to wait for the first full sync before serving anyway (cluster "
          + "names answer SERVFAIL until synced). Default: 5.")
  Double startupTimeoutSeconds;

  @Option(names = "--namespaces", paramLabel = "NS", split = ",",
      description = "With a watch: expose only these namespaces (comma-separated). Default: all.")
  List<String> namespaces = new ArrayList<>();

  @Option(names = "--namespace-labels", paramLabel = "SELECTOR",
      description = "With a watch: expose only namespaces matching this label selector. Default: all.")
  String namespaceLabels;

  @Option(names = "--labels", paramLabel = "SELECTOR",
      description = "With a watch: expose only Services and EndpointSlices matching this label selector.")
  String labels;

  @Option(names = "--cluster-domain", paramLabel = "NAME", converter = DomainConverter.class,
      description = "Cluster zone. Default: cluster.local (or the Corefile's kubernetes zones).")
  String clusterDomain;

  @Option(names = "--pods", paramLabel = "MODE", converter = PodsConverter.class,
      description = "Pod A records <dashed-ip>.<ns>.pod.<zone>: insecure (any IP in an existing namespace), "
          + "verified (only IPs of running pods; watches Pods), disabled. Default: insecure.")
  PodsMode pods;

  @Option(names = "--ttl", paramLabel = "SECONDS", converter = TtlConverter.class,
      description = "TTL of cluster answers, 0-3600. Default: 30.")
  Integer ttl;

  @Option(names = "--upstream", paramLabel = "HOST:PORT", converter = UpstreamConverter.class,
      description = "Forward names outside the cluster zones here; repeatable. Default: the nameservers of "
          + "/etc/resolv.conf.")
  List<HostPort> upstream = new ArrayList<>();

  @Option(names = "--health", paramLabel = "HOST:PORT|off", converter = EndpointConverter.class,
      description = "GET /health address, or off. Default: :8080.")
  HostPort health;

  @Option(names = "--ready", paramLabel = "HOST:PORT|off", converter = EndpointConverter.class,
      description = "GET /ready address (200 once the index is synced), or off. Default: :8181.")
  HostPort ready;

  @Option(names = "--metrics", paramLabel = "HOST:PORT|off", converter = EndpointConverter.class,
      description = "GET /metrics address, Prometheus text format, or off. Default: :9153.")
  HostPort metrics;

  @Option(names = "--explain", paramLabel = "HOST:PORT", converter = EndpointConverter.class,
      description = "GET /explain?name=NAME&type=TYPE address: why the server answers a name as it does, as JSON "
          + "(what 'clusterdns explain --server' prints). It shows the cluster's names to whoever reaches it: give "
          + "a loopback or otherwise private address. Default: off.")
  HostPort explain;

  @Option(names = {"--conf", "-conf"}, paramLabel = "FILE",
      description = "CoreDNS Corefile (e.g. the coredns ConfigMap's). Explicit flags win over it: --listen "
          + "replaces its addresses, --upstream the targets of 'forward .', --health/--ready/--metrics those "
          + "plugins' addresses (off: not served); --pods, --ttl, --cluster-domain the kubernetes options.")
  Path conf;

  @Option(names = "-dns.port", paramLabel = "N",
      description = "With --conf: the port of server blocks that name none (CoreDNS -dns.port). Default: 53.")
  Integer dnsPort;

  @Option(names = "--check-config",
      description = "Validate the flags, the Corefile and the --snapshot file, print what would be served, and "
          + "exit (0 when valid).")
  boolean checkConfig;

  @Option(names = "--log-format", paramLabel = "FORMAT", converter = LogFormatConverter.class,
      description = "Log lines: text (UTC time, [LEVEL], message; CoreDNS's levels and plugin/NAME prefixes) or "
          + "json (one object per line). Default: text.")
  String logFormat = "text";

  @Option(names = "--tcp-idle-timeout", paramLabel = "SECONDS",
      description = "Close a TCP connection with no query in progress and no reply pending after this long, "
          + "0.1-6553.5; also the timeout an EDNS TCP keepalive query is told (RFC 7828). Default: 10.")
  Double tcpIdleTimeoutSeconds;

  @Option(names = "--tcp-query-timeout", paramLabel = "SECONDS",
      description = "A TCP query whose first byte has arrived must be complete within this, 0.1-60, or the "
          + "connection is closed (slow senders). Default: 2.")
  Double tcpQueryTimeoutSeconds;

  @Option(names = "--tcp-max-connections", paramLabel = "N",
      description = "Open TCP connections in total; more are closed as soon as accepted and counted in "
          + "clusterdns_tcp_connections_rejected_total{reason=\"total\"}. Default: 1024.")
  Integer tcpMaxConnections;

  @Option(names = "--tcp-max-connections-per-client", paramLabel = "N",
      description = "Open TCP connections per client IP address; more are closed as soon as accepted and "
          + "counted (reason=\"per_client\"). Default: 64.")
  Integer tcpMaxPerClient;

  @Option(names = "--tcp-max-in-flight", paramLabel = "N",
      description = "Queries read on one TCP connection whose replies are not yet written; at the limit the "
          + "connection is not read until a reply goes out. Default: 32.")
  Integer tcpMaxInFlight;

  @Option(names = "--rrl", paramLabel = "RATE",
      description = "Response rate limiting of UDP replies: at most RATE responses per second (1-10000) to each "
          + "client prefix (see --rrl-ipv4-prefix, --rrl-ipv6-prefix); beyond it replies are dropped, and every "
          + "--rrl-slip-th one is sent truncated so real clients retry over TCP, which is never limited. "
          + "Default: off.")
  Integer rrl;

  @Option(names = "--rrl-slip", paramLabel = "N",
      description = "With --rrl: every Nth limited reply is sent truncated (TC=1) instead of dropped; 0 drops all, "
          + "1 truncates all (0-10). Default: 2.")
  Integer rrlSlip;

  @Option(names = "--rrl-ipv4-prefix", paramLabel = "BITS",
      description = "With --rrl: IPv4 clients sharing this prefix share one limit (8-32). Default: 24.")
  Integer rrlIpv4Prefix;

  @Option(names = "--rrl-ipv6-prefix", paramLabel = "BITS",
      description = "With --rrl: IPv6 clients sharing this prefix share one limit (16-64). Default: 56.")
  Integer rrlIpv6Prefix;

  @Option(names = "--threads", paramLabel = "N",
      description = "Event loops (one UDP socket each under epoll). Default: the number of CPUs.")
  int threads = Runtime.getRuntime().availableProcessors();

  /**
   * Namespaces whose pods' search list expands short names; no flag of the server sets it, only the {@code dev}
   * command ({@code DevCommand --search}), so the server's query path never searches.
   */
  List<String> search = List.of();

  /**
   * Further clusters to serve beside the first, each under its own zone: only the {@code dev} command sets them
   * (its second and later {@code --context}).
   */
  List<OtherContext> otherClusters = List.of();

  /** A further kubeconfig context and the zone its cluster is served under (absolute, lowercase). */
  record OtherContext(String context, String zone) {}

  /** The cluster domain when neither a flag nor a Corefile names one. */
  static final String DEFAULT_CLUSTER_DOMAIN = "cluster.local.";

  /** Default addresses of the HTTP endpoints (cli.md; CoreDNS health, ready, prometheus). */
  static final HostPort DEFAULT_HEALTH = new HostPort("", 8080);
  static final HostPort DEFAULT_READY = new HostPort("", 8181);
  static final HostPort DEFAULT_METRICS = new HostPort("", 9153);

  /**
   * {@code --health off} and the like: the endpoint is not served. Compared by identity, so no address written
   * by the operator can be taken for it.
   */
  static final HostPort OFF = new HostPort("off", 0);

  /** Whether an endpoint flag said {@code off}. */
  static boolean isOff(HostPort endpoint) {
    return endpoint == OFF;
  }

  /** The TCP limits of the flags, the defaults where a flag is absent. */
  TcpLimits tcpLimits() {
    TcpLimits d = TcpLimits.DEFAULTS;
    return new TcpLimits(
        tcpIdleTimeoutSeconds == null ? d.idleTimeout() : millis(tcpIdleTimeoutSeconds),
        tcpQueryTimeoutSeconds == null ? d.queryTimeout() : millis(tcpQueryTimeoutSeconds),
        tcpMaxConnections == null ? d.maxConnections() : tcpMaxConnections,
        tcpMaxPerClient == null ? d.maxPerClient() : tcpMaxPerClient,
        tcpMaxInFlight == null ? d.maxInFlight() : tcpMaxInFlight);
  }

  private static Duration millis(double seconds) {
    if (Double.isNaN(seconds) || seconds < 0 || seconds > 1e6) {
      throw new IllegalArgumentException("a TCP timeout of " + seconds + " seconds is out of range");
    }
    return Duration.ofMillis(Math.round(seconds * 1000));
  }

  /** Default DNS listen address: all IPv4 addresses, port 53. */
  static final HostPort DEFAULT_LISTEN = new HostPort("0.0.0.0", 53);

  static final class LogFormatConverter implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      if (!value.equals("text") && !value.equals("json")) {
        throw new TypeConversionException("'" + value + "': expected text or json");
      }
      return value;
    }
  }

  static final class ListenConverter implements ITypeConverter<HostPort> {
    @Override
    public HostPort convert(String value) {
      if (!value.isEmpty() && value.chars().allMatch(Character::isDigit)) {
        throw new TypeConversionException("'" + value + "': expected HOST:PORT (or :PORT), e.g. :" + value
            + " or 0.0.0.0:" + value);
      }
      if (value.indexOf(':') < 0) {
        throw new TypeConversionException("'" + value + "': expected HOST:PORT (or :PORT); no port given");
      }
      if (!value.startsWith("[") && value.indexOf(':') != value.lastIndexOf(':')) {
        throw new TypeConversionException("'" + value + "': expected [IPV6]:PORT; an IPv6 address goes in brackets");
      }
      try {
        HostPort hp = HostPort.parse(value, -1);
        if (hp.port() < 0) {
          throw new TypeConversionException("'" + value + "': expected HOST:PORT (or :PORT)");
        }
        return hp;
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  /** An HTTP endpoint's address, or {@code off} for none ({@link #OFF}). */
  static final class EndpointConverter implements ITypeConverter<HostPort> {
    @Override
    public HostPort convert(String value) {
      if (value.trim().equalsIgnoreCase("off")) {
        return OFF;
      }
      return new ListenConverter().convert(value);
    }
  }

  static final class UpstreamConverter implements ITypeConverter<HostPort> {
    @Override
    public HostPort convert(String value) {
      try {
        HostPort hp = HostPort.parse(value, 53);
        if (hp.host().isEmpty()) {
          throw new TypeConversionException("'" + value + "': an upstream needs a host");
        }
        if (io.clusterdns.index.IpAddress.parse(hp.host()) == null) {
          throw new TypeConversionException("'" + value + "': the upstream host must be an IP address");
        }
        return hp;
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  static final class PodsConverter implements ITypeConverter<PodsMode> {
    @Override
    public PodsMode convert(String value) {
      try {
        return PodsMode.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  static final class TtlConverter implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      int v;
      try {
        v = Integer.parseInt(value.trim());
      } catch (NumberFormatException e) {
        throw new TypeConversionException("'" + value + "' is not a number of seconds");
      }
      if (v < 0 || v > KubernetesConfig.MAX_TTL) {
        throw new TypeConversionException("must be between 0 and " + KubernetesConfig.MAX_TTL + ", not " + v);
      }
      return v;
    }
  }

  static final class DomainConverter implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      String abs = KubernetesConfig.absolute(value);
      if (abs.equals(".") || abs.length() > 254) {
        throw new TypeConversionException("'" + value + "' is not a usable zone name");
      }
      try {
        org.xbill.DNS.Name.fromString(abs);
      } catch (org.xbill.DNS.TextParseException e) {
        throw new TypeConversionException("'" + value + "' is not a valid domain name: " + e.getMessage());
      }
      for (String label : abs.substring(0, abs.length() - 1).split("\\.", -1)) {
        if (label.isEmpty()) {
          throw new TypeConversionException("'" + value + "' has an empty label");
        }
      }
      return abs;
    }
  }
}
