package io.clusterdns.config.corefile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clusterdns.config.CacheConfig;
import io.clusterdns.config.ForwardConfig;
import io.clusterdns.config.ForwardPolicy;
import io.clusterdns.config.HedgeConfig;
import io.clusterdns.config.HostPort;
import io.clusterdns.config.KubernetesConfig;
import io.clusterdns.config.PodsMode;
import io.clusterdns.config.WatchConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Corefile text in, model fragment or error (substring and line) out. Adding a case is one row.
 */
class CorefileParserTest {

  /** The kubeadm Corefile exactly as behaviours.md prints it (one-line blocks with ';'). */
  static final String KUBEADM_COMPACT = """
      .:53 {
          errors
          health { lameduck 5s }
          ready
          kubernetes cluster.local in-addr.arpa ip6.arpa { pods insecure; fallthrough in-addr.arpa ip6.arpa; ttl 30 }
          prometheus :9153
          forward . /etc/resolv.conf { max_concurrent 1000 }
          cache 30 { disable success cluster.local; disable denial cluster.local }
          loop
          reload
          loadbalance
      }
      """;

  /** The same Corefile as kubeadm writes it into the coredns ConfigMap. */
  static final String KUBEADM = """
      .:53 {
          errors
          health {
             lameduck 5s
          }
          ready
          kubernetes cluster.local in-addr.arpa ip6.arpa {
             pods insecure
             fallthrough in-addr.arpa ip6.arpa
             ttl 30
          }
          prometheus :9153
          forward . /etc/resolv.conf {
             max_concurrent 1000
          }
          cache 30 {
             disable success cluster.local
             disable denial cluster.local
          }
          loop
          reload
          loadbalance
      }
      """;

  /** Older clusters (before kubernetes/kubernetes#128359): a plain cache 30. */
  static final String KUBEADM_OLD = """
      .:53 {
          errors
          health {
             lameduck 5s
          }
          ready
          kubernetes cluster.local in-addr.arpa ip6.arpa {
             pods insecure
             fallthrough in-addr.arpa ip6.arpa
             ttl 30
          }
          prometheus :9153
          forward . /etc/resolv.conf
          cache 30
          loop
          reload
          loadbalance
      }
      """;

  /** e2e dns_configmap.go "Change stubDomain": the default block plus a stub domain block. */
  static final String E2E_STUB = """
      .:53 {
          health
          ready
          kubernetes cluster.local in-addr.arpa ip6.arpa {
              pods insecure
              fallthrough in-addr.arpa ip6.arpa
              ttl 30
          }
          forward . 10.244.1.5
      }
       acme.local:53 {
         forward . 10.244.1.5
      }
      """;

  /** e2e dns_configmap.go "Forward PTR lookup" on an IPv6 cluster. */
  static final String E2E_PTR = """
      .:53 {
          health
          ready
          kubernetes cluster.local in-addr.arpa ip6.arpa {
             pods insecure
             fallthrough in-addr.arpa ip6.arpa
             ttl 30
          }
          forward . fd00:10:244::5
      }
      """;

  /** The stored e2e revision's kubernetes block with the removed {@code upstream} option (line 6). */
  static final String E2E_UPSTREAM = """
      .:53 {
          health
          ready
          kubernetes cluster.local in-addr.arpa ip6.arpa {
             pods insecure
             upstream
             fallthrough in-addr.arpa ip6.arpa
             ttl 30
          }
          forward . 10.244.1.5
      }
      """;

  static final Map<String, String> ENV = Map.of("UPSTREAM", "10.1.2.3", "DOMAIN", "Example.ORG", "PORT", "5353");

  static final HostPort ANY_8080 = new HostPort("", 8080);

  static Corefile parse(String text) throws CorefileException {
    return CorefileParser.parse(text, "Corefile",
        CorefileParser.Options.defaults().withEnvironment(ENV::get));
  }

  static AclPlugin.Prefix prefix(String ip, int length) {
    return new AclPlugin.Prefix(CorefileValues.ipBytes(ip), length);
  }

  static ServerBlock first(Corefile c) {
    return c.serverBlocks().get(0);
  }

  static KubernetesBlock k8s(Corefile c) {
    return first(c).kubernetes().orElseThrow();
  }

  static ForwardBlock fwd(Corefile c) {
    return first(c).forward().get(0);
  }

  static Arguments row(String name, String corefile, Function<Corefile, Object> actual, Object expected) {
    return Arguments.of(name, corefile, actual, expected);
  }

  static final HostPort NS = new HostPort("10.0.0.10", 53);

  static Stream<Arguments> models() {
    return Stream.of(
        // --- the kubeadm default, both spellings
        row("kubeadm: kubernetes", KUBEADM, c -> k8s(c).config(),
            KubernetesConfig.kubeadm("cluster.local", PodsMode.INSECURE, 30)),
        row("kubeadm: watch", KUBEADM, c -> k8s(c).watch(), WatchConfig.defaults(null, null, false)),
        row("kubeadm: forward reads resolv.conf later", KUBEADM, c -> fwd(c).to(),
            List.of(new ForwardTarget.ResolvConf(Path.of("/etc/resolv.conf")))),
        row("kubeadm: forward config", KUBEADM, c -> fwd(c).toConfig(List.of(NS)),
            ForwardConfig.defaults(List.of(NS))),
        row("kubeadm: cache", KUBEADM, c -> first(c).cache().orElseThrow(), CacheConfig.kubeadm("cluster.local")),
        row("kubeadm: health", KUBEADM, c -> c.health().orElseThrow(),
            new HealthEndpoint(ANY_8080, Duration.ofSeconds(5))),
        row("kubeadm: ready", KUBEADM, c -> c.ready().orElseThrow(), new HostPort("", 8181)),
        row("kubeadm: prometheus", KUBEADM, c -> c.prometheus().orElseThrow(), new HostPort("", 9153)),
        row("kubeadm: reload", KUBEADM, c -> c.reload().orElseThrow(),
            new ReloadSchedule(Duration.ofSeconds(30), Duration.ofSeconds(15))),
        row("kubeadm: flags", KUBEADM, c -> List.of(first(c).errors(), first(c).log(), first(c).loop(),
            first(c).loadbalance()), List.of(true, false, true, true)),
        row("kubeadm: zone and port", KUBEADM, c -> List.of(first(c).zones(), first(c).port()), List.of(List.of("."), 53)),
        row("kubeadm: plugins in order", KUBEADM, c -> first(c).plugins(), List.of("errors", "health", "ready",
            "kubernetes", "prometheus", "forward", "cache", "loop", "reload", "loadbalance")),
        row("kubeadm: no warnings", KUBEADM, Corefile::warnings, List.of()),
        row("kubeadm: server label", KUBEADM, c -> first(c).serverLabel(), "dns://:53"),
        row("compact kubeadm: kubernetes", KUBEADM_COMPACT, c -> k8s(c).config(),
            KubernetesConfig.kubeadm("cluster.local", PodsMode.INSECURE, 30)),
        row("compact kubeadm: cache", KUBEADM_COMPACT, c -> first(c).cache().orElseThrow(),
            CacheConfig.kubeadm("cluster.local")),
        row("compact kubeadm: forward", KUBEADM_COMPACT, c -> fwd(c).toConfig(List.of(NS)),
            ForwardConfig.defaults(List.of(NS))),
        row("compact kubeadm: lameduck", KUBEADM_COMPACT, c -> c.health().orElseThrow().lameduck(),
            Duration.ofSeconds(5)),
        row("compact kubeadm: no warnings", KUBEADM_COMPACT, Corefile::warnings, List.of()),
        row("old kubeadm: plain cache 30", KUBEADM_OLD, c -> first(c).cache().orElseThrow(), CacheConfig.of(30)),
        row("old kubeadm: no max_concurrent = no limit", KUBEADM_OLD, c -> fwd(c).maxConcurrent(), 0),

        // --- e2e dns_configmap Corefiles
        row("e2e stub: two blocks", E2E_STUB, c -> c.serverBlocks().stream().map(ServerBlock::zones).toList(),
            List.of(List.of("."), List.of("acme.local."))),
        row("e2e stub: stub block wins for its names", E2E_STUB,
            c -> c.blockFor("abc.acme.local.", 53).orElseThrow().zones(), List.of("acme.local.")),
        row("e2e stub: root block for others", E2E_STUB,
            c -> c.blockFor("widget.local.", 53).orElseThrow().zones(), List.of(".")),
        row("e2e stub: stub forwards to the test server", E2E_STUB,
            c -> c.serverBlocks().get(1).forward().get(0).addresses(), List.of(new HostPort("10.244.1.5", 53))),
        row("e2e stub: no cluster index in the stub block", E2E_STUB,
            c -> c.serverBlocks().get(1).kubernetes().isPresent(), false),
        row("e2e stub: health without lameduck", E2E_STUB, c -> c.health().orElseThrow(),
            new HealthEndpoint(ANY_8080, Duration.ZERO)),
        row("e2e PTR: reverse misses fall through", E2E_PTR, c -> k8s(c).config().fallthrough(),
            List.of("in-addr.arpa.", "ip6.arpa.")),
        row("e2e PTR: bare IPv6 upstream", E2E_PTR, c -> fwd(c).addresses(),
            List.of(new HostPort("fd00:10:244::5", 53))),

        // --- keys: ports, schemes, several zones, CIDRs
        row(".:5353", ".:5353 {\n forward . 1.1.1.1\n}\n", c -> first(c).port(), 5353),
        row("dns://.:53", "dns://.:53 {\n forward . 1.1.1.1\n}\n", c -> List.of(first(c).zones(), first(c).port()),
            List.of(List.of("."), 53)),
        row("several zones per block", "cluster.local Example.org. {\n errors\n}\n", c -> first(c).zones(),
            List.of("cluster.local.", "example.org.")),
        row("comma separated keys", "a.local, b.local:53 {\n errors\n}\n", c -> first(c).zones(),
            List.of("a.local.", "b.local.")),
        row("keys on two ports become two blocks", "a.local:53 b.local:5353 {\n errors\n}\n",
            c -> c.serverBlocks().stream().map(b -> b.zones().get(0) + b.port()).toList(),
            List.of("a.local.53", "b.local.5353")),
        row("CIDR key on an octet", "10.0.0.0/24 {\n errors\n}\n", c -> first(c).zones(),
            List.of("0.0.10.in-addr.arpa.")),
        row("CIDR key below an octet expands", "10.0.0.0/23 {\n errors\n}\n", c -> first(c).zones(),
            List.of("0.0.10.in-addr.arpa.", "1.0.10.in-addr.arpa.")),
        row("/17 gives 128 zones", "10.0.0.0/17:53 {\n errors\n}\n", c -> first(c).zones().size(), 128),
        row("IPv6 CIDR key", "fd00::/8 {\n errors\n}\n", c -> first(c).zones(),
            List.of("d.f.ip6.arpa.")),
        row("':53' serves the root", ":53 {\n errors\n}\n", c -> first(c).zones(), List.of(".")),
        row("errors consolidate", ".:53 {\n errors {\n consolidate 5m \".* i/o timeout$\" error\n consolidate 30s "
            + "^refused\n }\n}\n", c -> first(c).errorsPlugin().orElseThrow().consolidate(), List.of(
                new ErrorsPlugin.Consolidation(Duration.ofMinutes(5), ".* i/o timeout$", "error"),
                new ErrorsPlugin.Consolidation(Duration.ofSeconds(30), "^refused", "warning"))),
        row("bare log: the block's zones, common format, all classes", "example.org {\n log\n}\n",
            c -> first(c).logPlugin().orElseThrow().rules(), List.of(new LogPlugin.Rule(List.of("example.org."),
                LogPlugin.COMMON_FORMAT, java.util.Set.of("all")))),
        row("log names, format and classes", ".:53 {\n log a.org b.org \"{name} {rcode}\" {\n class denial error\n }\n"
            + " log {combined}\n}\n", c -> first(c).logPlugin().orElseThrow().rules(), List.of(
                new LogPlugin.Rule(List.of("a.org.", "b.org."), "{name} {rcode}", java.util.Set.of("denial", "error")),
                new LogPlugin.Rule(List.of("."), LogPlugin.COMBINED_FORMAT, java.util.Set.of("all")))),
        row("k3s hosts block", ".:53 {\n hosts /etc/coredns/NodeHosts {\n ttl 60\n reload 15s\n fallthrough\n }\n}\n",
            c -> first(c).hosts().orElseThrow(), new HostsPlugin("/etc/coredns/NodeHosts", List.of("."), List.of(), 60,
                false, Duration.ofSeconds(15), List.of())),
        row("hosts inline entries, zones and no_reverse", "example.org {\n hosts /h example.org {\n 10.0.0.1 A.example.org"
            + " other.net\n fd00::1 b.example.org\n no_reverse\n }\n}\n", c -> first(c).hosts().orElseThrow().inline(),
            List.of(new HostsPlugin.Entry(new byte[] {10, 0, 0, 1}, List.of("a.example.org.")),
                new HostsPlugin.Entry(new byte[] {(byte) 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
                    List.of("b.example.org.")))),
        row("AKS templates", ".:53 {\n template ANY ANY internal.cloudapp.net {\n match \"^(?:[^.]+\\.){4,}internal"
            + "\\.cloudapp\\.net\\.$\"\n rcode NXDOMAIN\n fallthrough\n }\n template ANY ANY reddog.microsoft.com {\n"
            + " rcode NXDOMAIN\n }\n}\n", c -> first(c).templates(), List.of(
                new TemplatePlugin("ANY", "ANY", List.of("internal.cloudapp.net."),
                    List.of("^(?:[^.]+\\.){4,}internal\\.cloudapp\\.net\\.$"), 3, List.of(), List.of(), List.of(),
                    List.of()),
                new TemplatePlugin("ANY", "ANY", List.of("reddog.microsoft.com."), List.of(".*"), 3, List.of(),
                    List.of(), List.of(), null))),
        row("rewrite rules from CoreDNS's README", """
            .:53 {
                rewrite name foo.example.com foo.default.svc.cluster.local
                rewrite continue name substring service.us-west-1.example.org service.us-west-1.consul
                rewrite name regex (.*)-(us-west-1)\\.example\\.org {1}.service.{2}.consul
                rewrite stop {
                    name regex (.*)-(us-west-1)\\.coredns\\.rocks {1}.service.{2}.consul
                    answer name (.*)\\.service\\.(us-west-1)\\.consul {1}-{2}.coredns.rocks
                }
                rewrite name suffix .schmoogle.com .google.com answer auto
                rewrite type ANY HINFO
                rewrite class CH IN
            }
            """, c -> first(c).rewrite().orElseThrow().rules(), List.of(
                new RewritePlugin.Rule(true, RewritePlugin.Field.NAME, RewritePlugin.Match.EXACT, "foo.example.com.",
                    "foo.default.svc.cluster.local.", false, null, null, 2),
                new RewritePlugin.Rule(false, RewritePlugin.Field.NAME, RewritePlugin.Match.SUBSTRING,
                    "service.us-west-1.example.org", "service.us-west-1.consul", false, null, null, 3),
                new RewritePlugin.Rule(true, RewritePlugin.Field.NAME, RewritePlugin.Match.REGEX,
                    "(.*)-(us-west-1)\\.example\\.org", "{1}.service.{2}.consul", false, null, null, 4),
                new RewritePlugin.Rule(true, RewritePlugin.Field.NAME, RewritePlugin.Match.REGEX,
                    "(.*)-(us-west-1)\\.coredns\\.rocks", "{1}.service.{2}.consul", false,
                    "(.*)\\.service\\.(us-west-1)\\.consul", "{1}-{2}.coredns.rocks", 6),
                new RewritePlugin.Rule(true, RewritePlugin.Field.NAME, RewritePlugin.Match.SUFFIX, ".schmoogle.com.",
                    ".google.com.", true, null, null, 9),
                new RewritePlugin.Rule(true, RewritePlugin.Field.TYPE, null, "ANY", "HINFO", false, null, null, 10),
                new RewritePlugin.Rule(true, RewritePlugin.Field.CLASS, null, "CH", "IN", false, null, null, 11))),
        row("brace on the next line", ".:53\n{\n errors\n}\n", c -> first(c).errors(), true),
        row("bind", ".:53 {\n bind 127.0.0.1 ::1\n}\n", c -> first(c).listenAddresses(),
            List.of(new HostPort("127.0.0.1", 53), new HostPort("::1", 53))),
        row("bind sets the server label", ".:53 {\n bind 127.0.0.1\n}\n", c -> first(c).serverLabel(),
            "dns://127.0.0.1:53"),

        // --- lexing: env, comments, quotes, snippets
        row("env substitution", "{$DOMAIN}:{%PORT%} {\n forward . {$UPSTREAM}\n}\n",
            c -> List.of(first(c).zones(), first(c).port(), fwd(c).addresses()),
            List.of(List.of("example.org."), 5353, List.of(new HostPort("10.1.2.3", 53)))),
        row("unset env adds nothing", ".:53 {\n kubernetes cluster.local {$NOT_SET}\n}\n",
            c -> k8s(c).config().zones(), List.of("cluster.local.")),
        row("comments and quotes", """
            # coredns ConfigMap
            .:53 { # the root
                forward . "1.1.1.1" 8.8.8.8#comment right after a word
                # errors
                log "{name} quoted arg with # and ; inside" {
                }
            }
            """, c -> List.of(fwd(c).addresses(), first(c).errors(), first(c).log()),
            List.of(List.of(new HostPort("1.1.1.1", 53), new HostPort("8.8.8.8", 53)), false, true)),
        row("import snippet", """
            (common) {
                errors
                cache 30
            }
            .:53 {
                import common
                forward . 1.1.1.1
            }
            acme.local {
                import common
                forward . 10.0.0.1
            }
            """, c -> c.serverBlocks().stream().map(b -> List.of(b.errors(), b.cache().orElseThrow().successMaxTtl(),
                b.forward().size())).toList(),
            List.of(List.of(true, 30, 1), List.of(true, 30, 1))),
        row("one-line stub block", "acme.local:53 { forward . 1.2.3.4 }\n.:53 { forward . 8.8.8.8 }\n",
            c -> c.blockFor("x.acme.local.", 53).orElseThrow().forward().get(0).addresses(),
            List.of(new HostPort("1.2.3.4", 53))),

        // --- kubernetes options
        row("kubernetes zones default to the block's", "cluster.local {\n kubernetes\n}\n",
            c -> List.of(k8s(c).config().zones(), k8s(c).config().pods(), k8s(c).config().ttl()),
            List.of(List.of("cluster.local."), PodsMode.DISABLED, 5)),
        row("kubernetes watch options", """
            .:53 {
                kubernetes cluster.local {
                    kubeconfig /etc/kube.conf admin@prod
                    namespaces default kube-system
                    labels app in (web, api)
                    pods verified
                    endpoint_pod_names
                    startup_timeout 10s
                }
            }
            """, c -> k8s(c).watch(), new WatchConfig("/etc/kube.conf", "admin@prod",
                List.of("default", "kube-system"), null, "app in (web, api)", true, true, Duration.ofSeconds(10))),
        row("kubernetes namespace_labels", ".:53 {\n kubernetes cluster.local {\n namespace_labels env=prod\n }\n}\n",
            c -> k8s(c).watch().namespaceLabels(), "env=prod"),
        row("kubernetes endpoint and tls kept", """
            .:53 {
                kubernetes cluster.local {
                    endpoint https://10.0.0.1:6443
                    tls /c.crt /c.key /ca.crt
                }
            }
            """, c -> List.of(k8s(c).endpoint(), k8s(c).tls()),
            List.of("https://10.0.0.1:6443", new KubernetesBlock.Tls("/c.crt", "/c.key", "/ca.crt"))),
        row("fallthrough without zones = all", ".:53 {\n kubernetes cluster.local {\n fallthrough\n }\n}\n",
            c -> k8s(c).config().fallthrough(), List.of(".")),
        row("ttl 0 allowed", ".:53 {\n kubernetes cluster.local {\n ttl 0\n }\n}\n", c -> k8s(c).config().ttl(), 0),
        row("kubernetes options accepted but not acted on", """
            .:53 {
                kubernetes cluster.local {
                    apiserver_qps 50
                    apiserver_burst 100
                    noendpoints
                    ignore empty_service
                }
            }
            """, c -> List.of(k8s(c).notActedOn(), c.warnings().stream().map(CorefileWarning::line).toList(),
                k8s(c).noEndpoints(), k8s(c).ignoreEmptyService()),
            List.of(List.of("apiserver_qps 50", "apiserver_burst 100", "noendpoints", "ignore empty_service"),
                List.of(3, 4, 5, 6), true, true)),

        // --- forward options
        row("forward options", """
            .:53 {
                forward . dns://10.0.0.1 10.0.0.2:5353 [fd00::1]:53 {
                    except internal.example.com Other.Example
                    force_tcp
                    policy sequential
                    max_fails 3
                    health_check 1s
                    max_concurrent 500
                    expire 30s
                    hedge on min 2ms max 300ms rate 40
                }
            }
            """, c -> fwd(c).toConfig(fwd(c).addresses()), new ForwardConfig(".",
                List.of(new HostPort("10.0.0.1", 53), new HostPort("10.0.0.2", 5353), new HostPort("fd00::1", 53)),
                List.of("internal.example.com.", "other.example."), ForwardPolicy.SEQUENTIAL, true, false,
                ForwardConfig.DEFAULT_TRY_TIMEOUT, ForwardConfig.DEFAULT_BUDGET, 3, Duration.ofSeconds(1), 500,
                Duration.ofSeconds(30), new HedgeConfig(true, Duration.ofMillis(2), Duration.ofMillis(300), 40))),
        row("hedging is on by default", ".:53 {\n forward . 1.1.1.1\n}\n", c -> fwd(c).hedge(),
            HedgeConfig.DEFAULTS),
        row("hedge off", ".:53 {\n forward . 1.1.1.1 {\n hedge off\n }\n}\n", c -> fwd(c).hedge(),
            HedgeConfig.OFF),
        row("hedge on with one option keeps the other defaults", ".:53 {\n forward . 1.1.1.1 {\n hedge on rate 7\n }\n}\n",
            c -> fwd(c).hedge(), new HedgeConfig(true, HedgeConfig.DEFAULT_MIN, HedgeConfig.DEFAULT_MAX, 7)),
        row("health_check 0 turns checking off", ".:53 {\n forward . 1.1.1.1 {\n health_check 0\n }\n}\n",
            c -> fwd(c).maxFails(), 0),
        row("forward lines in written order", """
            .:53 {
                forward corp.example 10.1.1.1
                forward . 8.8.8.8
            }
            """, c -> first(c).forward().stream().map(ForwardBlock::from).toList(), List.of("corp.example.", ".")),
        row("fifteen upstreams are fine", ".:53 {\n forward . " + upstreams(15) + "\n}\n",
            c -> fwd(c).addresses().size(), 15),

        // --- cache options
        row("cache options", """
            .:53 {
                cache 300 example.org {
                    success 20000 600 10
                    denial 5000 60
                    prefetch 5 2m 20%
                    serve_stale 30m verify
                    servfail 10s
                    disable denial
                }
            }
            """, c -> first(c).cache().orElseThrow(), new CacheConfig(List.of("example.org."), 20000, 600, 10, 5000,
                60, 5, 10, List.of(), List.of("example.org."), 5, Duration.ofMinutes(2), 20, Duration.ofMinutes(30),
                true, 20000L * (CacheConfig.DEFAULT_MAX_BYTES / CacheConfig.DEFAULT_CAPACITY))),
        row("plain cache = CoreDNS defaults", ".:53 {\n cache\n}\n", c -> List.of(
            first(c).cache().orElseThrow().successMaxTtl(), first(c).cache().orElseThrow().denialMaxTtl()),
            List.of(3600, 1800)),
        row("serve_stale default 1h", ".:53 {\n cache {\n serve_stale\n }\n}\n",
            c -> first(c).cache().orElseThrow().serveStale(), Duration.ofHours(1)),

        // --- small plugins
        row("health and ready addresses", ".:53 {\n health 127.0.0.1:18080\n ready [::1]:18181\n}\n",
            c -> List.of(c.health().orElseThrow().address(), c.ready().orElseThrow()),
            List.of(new HostPort("127.0.0.1", 18080), new HostPort("::1", 18181))),
        row("reload with interval and jitter", ".:53 {\n reload 10s 2s\n}\n", c -> c.reload().orElseThrow(),
            new ReloadSchedule(Duration.ofSeconds(10), Duration.ofSeconds(2))),
        row("reload jitter capped at half the interval", ".:53 {\n reload 10s 9s\n}\n",
            c -> c.reload().orElseThrow().jitter(), Duration.ofSeconds(5)),
        row("same prometheus in two blocks is one endpoint", """
            .:53 {
                prometheus :9153
            }
            acme.local {
                prometheus :9153
            }
            """, c -> c.prometheus().orElseThrow(), new HostPort("", 9153)),
        row("loadbalance round_robin", ".:53 {\n loadbalance round_robin\n}\n", c -> first(c).loadbalance(), true),
        row("acl policies from CoreDNS's README, in order", """
            .:53 {
                acl {
                    allow net 192.168.1.0/24
                    block net 192.168.0.0/16
                    filter type A AAAA net 10.0.0.1 fd00::/8
                    DROP net 192.0.2.0/24 type *
                    block
                }
                acl a.example.org 10.0.0.0/24 {
                    block net *
                }
            }
            """, c -> first(c).acl(), List.of(
                new AclPlugin(List.of("."), List.of(
                    new AclPlugin.Policy(AclPlugin.Action.ALLOW, List.of(), List.of(prefix("192.168.1.0", 24)), 3),
                    new AclPlugin.Policy(AclPlugin.Action.BLOCK, List.of(), List.of(prefix("192.168.0.0", 16)), 4),
                    new AclPlugin.Policy(AclPlugin.Action.FILTER, List.of("A", "AAAA"),
                        List.of(prefix("10.0.0.1", 32), prefix("fd00::", 8)), 5),
                    new AclPlugin.Policy(AclPlugin.Action.DROP, List.of(), List.of(prefix("192.0.2.0", 24)), 6),
                    new AclPlugin.Policy(AclPlugin.Action.BLOCK, List.of(), List.of(), 7)), 2),
                new AclPlugin(List.of("a.example.org.", "0.0.10.in-addr.arpa."), List.of(
                    new AclPlugin.Policy(AclPlugin.Action.BLOCK, List.of(), List.of(), 10)), 9))),
        row("acl clears host bits and takes IPv6 addresses as /128", """
            .:53 {
                acl {
                    block net 10.1.2.3/8 ::1
                }
            }
            """, c -> first(c).acl().get(0).policies().get(0).sources().stream().map(Object::toString).toList(),
            List.of("10.0.0.0/8", "0:0:0:0:0:0:0:1/128")),

        // --- warnings carry the line
        row("debug is a warning", ".:53 {\n errors\n debug\n}\n",
            c -> c.warnings().stream().map(CorefileWarning::toString).toList(),
            List.of("Corefile:3:2: plugin 'debug' is accepted but not acted on: panics are still recovered")),
        row("whoami behind forward is a warning", ".:53 {\n whoami\n forward . 1.1.1.1\n}\n",
            c -> c.warnings().get(0).line(), 2));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void corefileGivesModel(String name, String corefile, Function<Corefile, Object> actual, Object expected)
      throws Exception {
    assertEquals(expected, actual.apply(parse(corefile)));
  }

  static Arguments err(String corefile, String substring, int line) {
    return Arguments.of(substring, corefile, line);
  }

  static Stream<Arguments> errors() {
    return Stream.of(
        // syntax
        err(".:53 {\n errors\n", "unbalanced braces", 1),
        err(".:53 {\n errors\n}\n}\n", "unexpected '}'", 4),
        err(".:53 {\n kubernetes cluster.local {\n pods insecure\n}\n", "unbalanced braces", 1),
        err(".:53\nerrors\n", "missing '{' after server block '.:53'", 1),
        err("{\n errors\n}\n", "needs a zone before '{'", 1),
        err(".:53 {\n errors\n {\n}\n", "unexpected '{'", 3),
        err(".:53 {\n log \"unterminated\n}\n", "unterminated quoted string", 2),
        err("", "no server block", 1),
        err("# only a comment\n", "no server block", 1),
        err(".:53 {\n import nothing_here\n}\n", "neither a snippet nor a file", 2),
        err("(loop) {\n import loop\n}\n.:53 {\n import loop\n}\n", "import cycle", 2),
        err(".:53 {\n import a b\n}\n", "exactly one argument", 2),
        // plugins and properties
        err(".:53 {\n errors\n foo\n}\n", "unknown plugin 'foo'", 3),
        err(".:53 {\n kubernets cluster.local\n}\n", "unknown plugin 'kubernets'; did you mean 'kubernetes'?", 2),
        err(".:53 {\n errors {\n consolidate 5m [oops\n }\n}\n", "invalid regular expression '[oops'", 3),
        err(".:53 {\n errors {\n consolidate 5m x loud\n }\n}\n", "level must be warning, error", 3),
        // Go's regexp (RE2) has no lookaround or backreferences: CoreDNS refuses them, and so does clusterdns
        err(".:53 {\n rewrite name regex (?=x)a b.org\n}\n", "invalid regular expression '(?=x)a' (RE2 syntax", 2),
        err(".:53 {\n template IN A example {\n match (a)\\1\n }\n}\n", "invalid regular expression '(a)\\1'", 3),
        err(".:53 {\n log {\n class noisy\n }\n}\n", "unknown log class 'noisy'", 3),
        err(E2E_UPSTREAM, "unknown property 'upstream' in kubernetes", 6),
        err(".:53 {\n kubernetes cluster.local {\n resyncperiod 30s\n }\n}\n", "unknown property 'resyncperiod'", 3),
        err(".:53 {\n forward . 1.1.1.1 {\n bogus\n }\n}\n", "unknown property 'bogus' in forward", 3),
        err(".:53 {\n cache {\n success\n }\n}\n", "success needs at least 1 argument", 3),
        err(".:53 {\n cache 30 {\n bogus 1\n }\n}\n", "unknown property 'bogus' in cache", 3),
        err(".:53 {\n health {\n lameduck 5s\n grace 1s\n }\n}\n", "unknown property 'grace' in health", 4),
        err(".:53 {\n hosts {\n 10.0.0.1\n }\n}\n", "hosts entry 10.0.0.1 names no host", 3),
        err(".:53 {\n hosts {\n ttl 0\n }\n}\n", "hosts ttl must be between 1", 3),
        err(".:53 {\n rewrite edns0 local set 0xffee abcd\n}\n", "rewrite edns0 is not supported", 2),
        err(".:53 {\n rewrite name regex (.*)\\.a\\.org {1}.b.org answer auto\n}\n", "answer auto cannot invert", 2),
        err(".:53 {\n rewrite name regex (.*)\\.a\\.org {1}.b.org answer value x y\n}\n", "answer value is not", 2),
        err(".:53 {\n rewrite stop {\n name regex a b\n }\n}\n", "rewrite block must hold exactly", 2),
        err(".:53 {\n autopath /etc/resolv.conf\n kubernetes\n}\n", "autopath with a search path from a file", 2),
        err(".:53 {\n acl {\n allow net 10.0.0.0/8\n deny net 10.0.0.0/8\n }\n}\n", "acl: unknown action 'deny'", 4),
        err(".:53 {\n acl {\n block net 10.0.0.0/33\n }\n}\n", "acl: bad prefix length in '10.0.0.0/33'", 3),
        err(".:53 {\n acl {\n block net example.org\n }\n}\n", "acl: bad source 'example.org'", 3),
        err(".:53 {\n acl {\n block type\n }\n}\n", "acl: 'type' needs at least one value", 3),
        err(".:53 {\n acl {\n block A net 10.0.0.0/8\n }\n}\n", "acl: unexpected 'A' (expected 'type' or 'net')", 3),
        err(".:53 {\n acl {\n block type A! \n }\n}\n", "acl: unknown query type 'A!'", 3),
        err(".:53 {\n acl {\n block { net 10.0.0.0/8 }\n }\n}\n", "block takes no { } block", 3),
        err(".:53 {\n template IN A example {\n answer \"{{ .Name | upper }} 60 IN A 1.2.3.4\"\n }\n}\n",
            "template action {{ .Name | upper }} is not supported", 3),
        err(".:53 {\n template IN A {\n rcode GONE\n }\n}\n", "template rcode must be NOERROR", 3),
        err(".:53 {\n whoami\n}\n", "plugin 'whoami' is not supported", 2),
        err(".:53 {\n cache\n cache 30\n}\n", "appears twice", 3),
        err(".:53 {\n kubernetes cluster.local {\n multicluster clusterset.local\n }\n}\n", "multicluster", 3),
        err(".:53 {\n forward . 1.1.1.1 {\n failover SERVFAIL\n }\n}\n", "'failover' is not supported", 3),
        err(".:53 {\n forward . 1.1.1.1 {\n hedge\n }\n}\n", "hedge needs at least 1 argument", 3),
        err(".:53 {\n forward . 1.1.1.1 {\n hedge maybe\n }\n}\n", "hedge: expected 'on' or 'off', not 'maybe'", 3),
        err(".:53 {\n forward . 1.1.1.1 {\n hedge off rate 5\n }\n}\n", "hedge off takes no options", 3),
        err(".:53 {\n forward . 1.1.1.1 {\n hedge on after 3\n }\n}\n", "hedge: unknown option 'after'", 3),
        err(".:53 {\n forward . 1.1.1.1 {\n hedge on rate\n }\n}\n", "hedge: rate needs a value", 3),
        err(".:53 {\n forward . 1.1.1.1 {\n hedge on rate 0\n }\n}\n", "hedge rate must be between 1", 3),
        err(".:53 {\n forward . 1.1.1.1 {\n hedge on min soon\n }\n}\n", "bad duration 'soon' for hedge min", 3),
        err(".:53 {\n forward . 1.1.1.1 {\n hedge on min 50ms max 10ms\n }\n}\n",
            "hedge max (10ms) must not be below min (50ms)", 3),
        err(".:53 {\n loadbalance weighted /w.txt\n}\n", "'weighted' is not supported", 2),
        err(".:53 {\n loop now\n}\n", "loop takes no arguments", 2),
        // bad values
        err(".:53 {\n kubernetes cluster.local {\n ttl 3601\n }\n}\n", "ttl must be between 0 and 3600", 3),
        err(".:53 {\n kubernetes cluster.local {\n ttl -1\n }\n}\n", "ttl must be between 0 and 3600", 3),
        err(".:53 {\n kubernetes cluster.local {\n ttl soon\n }\n}\n", "ttl must be a whole number", 3),
        err(".:53 {\n kubernetes cluster.local {\n pods trusted\n }\n}\n", "pods must be insecure, verified or disabled", 3),
        err(".:53 {\n kubernetes cluster.local {\n namespaces a\n namespace_labels x=y\n }\n}\n",
            "namespaces and namespace_labels cannot both be set", 4),
        err(".:53 {\n kubernetes cluster.local {\n startup_timeout 5\n }\n}\n", "bad duration '5'", 3),
        err(".:53 {\n kubernetes cluster.local {\n endpoint 10.0.0.1:6443\n }\n}\n", "http:// or https://", 3),
        err(".:53 {\n health {\n lameduck five\n }\n}\n", "bad duration 'five' for lameduck", 3),
        err(".:53 {\n reload 1s\n}\n", "reload interval must be at least 2s", 2),
        err(".:53 {\n cache 0\n}\n", "cache TTL must be between 1", 2),
        err(".:53 {\n cache 30 {\n servfail 10m\n }\n}\n", "servfail must be at most 5m", 3),
        err(".:53 {\n cache 30 {\n prefetch 10 1m 150%\n }\n}\n", "PERCENTAGE must be between 0 and 100", 3),
        err(".:53 {\n cache 30 {\n disable everything\n }\n}\n", "disable takes success or denial", 3),
        err(".:53 {\n cache 30 {\n serve_stale 1h later\n }\n}\n", "immediate or verify", 3),
        err(".:53 {\n prometheus 9153\n}\n", "bad address '9153' for prometheus", 2),
        err(".:53 {\n health localhost\n}\n", "bad address 'localhost' for health", 2),
        err(".:53 {\n forward . 1.2.3\n}\n", "not an IP address or a file", 2),
        err(".:53 {\n forward . dns.google\n}\n", "host names are not resolved", 2),
        err(".:53 {\n forward . 8.8.8.8:99999\n}\n", "bad upstream '8.8.8.8:99999'", 2),
        err(".:53 {\n forward . tls://1.1.1.1\n}\n", "scheme 'tls://' is not supported", 2),
        err(".:53 {\n forward .\n}\n", "forward needs at least 2 arguments", 2),
        err(".:53 {\n forward . 1.1.1.1 {\n policy fastest\n }\n}\n", "policy must be random, round_robin or sequential", 3),
        err(".:53 {\n forward . 1.1.1.1\n forward corp.local\n}\n", "forward needs at least 2 arguments", 3),
        err(".:53 {\n forward . 1.1.1.1 {\n force_tcp\n prefer_udp\n }\n}\n", "force_tcp and prefer_udp cannot both", 4),
        err(".:53 {\n forward . 1.1.1.1\n forward . 8.8.8.8\n}\n", "already at line 2", 3),
        err("acme.local:x {\n errors\n}\n", "port must be a whole number", 1),
        err("acme.local:70000 {\n errors\n}\n", "port must be between 1 and 65535", 1),
        err("bad..zone {\n errors\n}\n", "bad zone 'bad..zone'", 1),
        err(".:53 {\n kubernetes \"two\nlines\"\n}\n", "bad zone 'two\\nlines'", 2),
        // blocks
        err(".:53 {\n errors\n}\n\n.:53 {\n log\n}\n", "zone . on port 53 is already served by the server block at line 1", 5),
        err(".:53 {\n errors\n}\n. {\n log\n}\n", "already served", 4),
        err("a.local b.local a.local {\n errors\n}\n", "zone a.local. on port 53 is already served", 1),
        err("tls://.:853 {\n errors\n}\n", "scheme 'tls://' is not supported", 1),
        err("https://.:443 {\n errors\n}\n", "scheme 'https://' is not supported", 1),
        err(".:53 {\n health :8080\n}\nacme.local {\n health :9090\n}\n", "health is already configured", 5),
        err(".:53 {\n kubernetes cluster.local\n}\nacme.local {\n kubernetes acme.local\n}\n", "one cluster index", 5));
  }

  static String upstreams(int n) {
    StringBuilder b = new StringBuilder();
    for (int i = 1; i <= n; i++) {
      b.append("10.0.0.").append(i).append(' ');
    }
    return b.toString().trim();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("errors")
  void badCorefileFailsWithLine(String substring, String corefile, int line) {
    CorefileException e = assertThrows(CorefileException.class, () -> parse(corefile));
    assertTrue(e.getMessage().contains(substring), () -> "expected '" + substring + "' in: " + e.getMessage());
    assertEquals(line, e.line(), e::getMessage);
    assertTrue(e.getMessage().startsWith("Corefile:" + line + ":"), e::getMessage);
    assertEquals(1, e.getMessage().lines().count(), "one line");
  }

  @Test
  void errorNamesLineAndColumnOfTheOffendingWord() {
    String corefile = """
        .:53 {
            errors
            health
            ready
            kubernetes cluster.local in-addr.arpa ip6.arpa {
                pods insecure
                upstream
            }
        }
        """;
    CorefileException e = assertThrows(CorefileException.class, () -> parse(corefile));
    assertEquals("Corefile:7:9: unknown property 'upstream' in kubernetes", e.getMessage());
  }

  /** The README's hedging example parses to what its text says: hedging on with the defaults. */
  @Test
  void readmesHedgeExampleParsesToTheDefaults() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    int section = readme.indexOf("\n### Hedged upstream tries");
    assertTrue(section >= 0, "README has the hedging section");
    int start = readme.indexOf("```\n", section) + 4;
    String example = readme.substring(start, readme.indexOf("```", start));
    assertEquals(HedgeConfig.DEFAULTS, fwd(parse(example)).hedge());
  }

  @Test
  void sixteenthUpstreamIsRejectedWhereItIsWritten() {
    CorefileException e = assertThrows(CorefileException.class,
        () -> parse(".:53 {\n forward . " + upstreams(16) + "\n}\n"));
    assertTrue(e.getMessage().contains("too many upstreams"), e.getMessage());
    assertEquals(2, e.line());
    assertEquals(" forward . ".length() + upstreams(15).length() + 2, e.column());
  }

  @Test
  void readsFileImportsAndResolvConfRelativeToTheCorefile(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("zones"));
    Files.writeString(dir.resolve("zones/a.conf"), "a.local {\n forward . 10.0.0.1\n}\n");
    Files.writeString(dir.resolve("zones/b.conf"), "b.local {\n forward . my-resolv.conf\n}\n");
    Files.writeString(dir.resolve("my-resolv.conf"), "nameserver 10.9.9.9\n");
    Files.writeString(dir.resolve("common.conf"), "errors\nloop\n");
    Path corefile = dir.resolve("Corefile");
    Files.writeString(corefile, ".:53 {\n import common.conf\n forward . 1.1.1.1\n}\nimport zones/*.conf\n");
    Corefile c = CorefileParser.parse(corefile);
    assertEquals(List.of(List.of("."), List.of("a.local."), List.of("b.local.")),
        c.serverBlocks().stream().map(ServerBlock::zones).toList());
    assertTrue(c.serverBlocks().get(0).errors() && c.serverBlocks().get(0).loop());
    ForwardBlock b = c.serverBlocks().get(2).forward().get(0);
    assertTrue(b.readsResolvConf());
    assertEquals(List.of(new HostPort("10.9.9.9", 53)), b.toConfig().upstreams());
  }

  @Test
  void errorInAnImportedFileNamesThatFile(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("extra.conf"), "errors\n\nbogus\n");
    Path corefile = dir.resolve("Corefile");
    Files.writeString(corefile, ".:53 {\n import extra.conf\n}\n");
    CorefileException e = assertThrows(CorefileException.class, () -> CorefileParser.parse(corefile));
    assertEquals(dir.resolve("extra.conf") + ":3:1: unknown plugin 'bogus'", e.getMessage());
  }

  @Test
  void dnsPortOptionMovesBlocksWithoutAPort() throws Exception {
    Corefile c = CorefileParser.parse(".:53 {\n errors\n}\nacme.local {\n errors\n}\n", "Corefile",
        CorefileParser.Options.defaults().withDefaultPort(1053));
    assertEquals(List.of(53, 1053), c.ports());
  }

  @Test
  void resolvConfTargetIsNotReadWhileParsing() throws Exception {
    Corefile c = parse(".:53 {\n forward . /nonexistent/resolv.conf 10.0.0.1\n}\n");
    ForwardBlock f = fwd(c);
    assertEquals(List.of(new HostPort("10.0.0.1", 53)), f.addresses());
    assertThrows(java.io.IOException.class, f::toConfig);
  }
}
