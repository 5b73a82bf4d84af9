package io.clusterdns.chart;

import static io.clusterdns.chart.RenderedChart.find;
import static io.clusterdns.chart.RenderedChart.get;
import static io.clusterdns.chart.RenderedChart.list;
import static io.clusterdns.chart.RenderedChart.map;
import static io.clusterdns.chart.RenderedChart.named;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The chart as Helm itself lints and renders it (helm-java, in-process, offline): every point of issue 19's chart
 * list is a field of a rendered object, with the defaults and with the overrides an operator makes (cluster IP,
 * replicas, stub domains, pods verified, dual-stack, a high port, autoscaling, ServiceMonitor).
 */
class ChartTest {

  /** kubeadm's Corefile (spec/behaviours.md), which the defaults must render, one directive a line. */
  private static final String KUBEADM_COREFILE = """
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
      }""";

  private static RenderedChart defaults;

  @BeforeAll
  static void renderDefaults() throws Exception {
    defaults = RenderedChart.defaults();
  }

  @Test
  void lintStrictPasses() {
    LintResult lint = new Helm(RenderedChart.CHART).lint().strict().call();
    assertFalse(lint.isFailed(), "helm lint --strict: " + lint.getMessages());
    assertTrue(lint.getMessages().stream().noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]")),
        lint.getMessages().toString());
  }

  @Test
  void defaultsRenderOneOfEachObjectAndNoOptionalOnes() {
    for (String kind : List.of("Service", "Deployment", "ConfigMap", "ServiceAccount", "ClusterRole",
        "ClusterRoleBinding", "PodDisruptionBudget")) {
      defaults.one(kind);
    }
    assertFalse(defaults.has("HorizontalPodAutoscaler"));
    assertFalse(defaults.has("ServiceMonitor"));
    for (Map<String, Object> o : defaults.all()) {
      if (!List.of("ClusterRole", "ClusterRoleBinding").contains(o.get("kind"))) {
        assertEquals("kube-system", get(o, "metadata.namespace"), "namespace of " + o.get("kind"));
      }
    }
  }

  @Test
  void serviceIsKubeDnsOnPort53WithMetricsAndScrapeAnnotations() {
    Map<String, Object> svc = defaults.one("Service");
    assertEquals("kube-dns", get(svc, "metadata.name"));
    assertEquals("kube-dns", get(svc, "metadata.labels.k8s-app"));
    assertEquals(Map.of("k8s-app", "kube-dns"), get(svc, "spec.selector"),
        "only k8s-app, so CoreDNS's and clusterdns's ready pods both serve during a switch");
    Map<String, Object> annotations = map(svc, "metadata.annotations");
    assertEquals("true", annotations.get("prometheus.io/scrape"));
    assertEquals("9153", annotations.get("prometheus.io/port"));
    assertEquals("keep", annotations.get("helm.sh/resource-policy"), "the DNS address survives an uninstall");
    List<Map<String, Object>> ports = list(svc, "spec.ports");
    assertEquals(3, ports.size(), ports.toString());
    assertPort(named(ports, "dns"), 53, "UDP", 53);
    assertPort(named(ports, "dns-tcp"), 53, "TCP", 53);
    assertPort(named(ports, "metrics"), 9153, "TCP", 9153);
    assertNull(find(svc, "spec.clusterIP"), "Kubernetes picks the address unless told");
    assertNull(find(svc, "spec.ipFamilyPolicy"));
    assertNull(find(svc, "spec.ipFamilies"));
  }

  @Test
  void clusterIpAndDualStackAreSettable() throws Exception {
    RenderedChart chart = RenderedChart.render("""
        service:
          clusterIP: 10.96.0.10
          ipFamilyPolicy: PreferDualStack
          ipFamilies: [IPv4, IPv6]
        """);
    Map<String, Object> svc = chart.one("Service");
    assertEquals("10.96.0.10", get(svc, "spec.clusterIP"));
    assertEquals("PreferDualStack", get(svc, "spec.ipFamilyPolicy"));
    assertEquals(List.of("IPv4", "IPv6"), get(svc, "spec.ipFamilies"));
  }

  @Test
  void serviceNameIsSettable() throws Exception {
    assertEquals("cluster-dns", get(RenderedChart.render("service: {name: cluster-dns}").one("Service"),
        "metadata.name"));
  }

  @Test
  void deploymentRunsTwoCriticalReplicasRolledOneAtATime() {
    Map<String, Object> deployment = defaults.one("Deployment");
    assertEquals(2, get(deployment, "spec.replicas"));
    assertEquals("RollingUpdate", get(deployment, "spec.strategy.type"));
    assertEquals(1, get(deployment, "spec.strategy.rollingUpdate.maxUnavailable"));
    Map<String, Object> pod = map(deployment, "spec.template.spec");
    assertEquals("system-cluster-critical", pod.get("priorityClassName"));
    assertEquals("Default", pod.get("dnsPolicy"), "forward . /etc/resolv.conf must read the node's resolvers");
    Map<String, Object> podLabels = map(deployment, "spec.template.metadata.labels");
    assertEquals("kube-dns", podLabels.get("k8s-app"), "the kube-dns Service selects the pods");
    assertTrue(podLabels.entrySet().containsAll(map(deployment, "spec.selector.matchLabels").entrySet()));
    assertFalse(map(deployment, "spec.selector.matchLabels").containsKey("k8s-app"),
        "the Deployment's selector must not overlap CoreDNS's Deployment");
  }

  @Test
  void replicasAreSettable() throws Exception {
    assertEquals(3, get(RenderedChart.render("replicaCount: 3").one("Deployment"), "spec.replicas"));
  }

  @Test
  void podsSpreadOverNodesAndZonesAndTolerateTheControlPlane() {
    Map<String, Object> deployment = defaults.one("Deployment");
    Map<String, Object> selector = map(deployment, "spec.selector.matchLabels");
    List<Map<String, Object>> spread = list(deployment, "spec.template.spec.topologySpreadConstraints");
    assertEquals(List.of("kubernetes.io/hostname", "topology.kubernetes.io/zone"),
        spread.stream().map(c -> c.get("topologyKey")).toList());
    for (Map<String, Object> c : spread) {
      assertEquals(1, c.get("maxSkew"));
      assertEquals(selector, get(c, "labelSelector.matchLabels"));
    }
    List<Map<String, Object>> anti = list(deployment,
        "spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution");
    assertEquals("kubernetes.io/hostname", get(anti.get(0), "podAffinityTerm.topologyKey"));
    assertEquals(selector, get(anti.get(0), "podAffinityTerm.labelSelector.matchLabels"));
    List<Map<String, Object>> tolerations = list(deployment, "spec.template.spec.tolerations");
    assertTrue(tolerations.contains(Map.of("key", "node-role.kubernetes.io/control-plane", "effect",
        "NoSchedule")), tolerations.toString());
    assertTrue(tolerations.contains(Map.of("key", "CriticalAddonsOnly", "operator", "Exists")));
  }

  @Test
  void probesAreKubeadmsOnHealthAndReady() {
    Map<String, Object> c = defaults.container();
    Map<String, Object> liveness = map(c, "livenessProbe");
    assertEquals("/health", get(liveness, "httpGet.path"));
    assertEquals(8080, get(liveness, "httpGet.port"));
    assertEquals(60, liveness.get("initialDelaySeconds"));
    assertEquals(5, liveness.get("timeoutSeconds"));
    assertEquals(1, liveness.get("successThreshold"));
    assertEquals(5, liveness.get("failureThreshold"));
    Map<String, Object> readiness = map(c, "readinessProbe");
    assertEquals("/ready", get(readiness, "httpGet.path"));
    assertEquals(8181, get(readiness, "httpGet.port"));
  }

  @Test
  void containerRunsTheCorefileFromTheConfigMap() {
    Map<String, Object> c = defaults.container();
    assertEquals(List.of("-conf", "/etc/clusterdns/Corefile"), c.get("args"));
    assertEquals("registry.example.com/clusterdns:0.1.0", c.get("image"), "the tag defaults to appVersion");
    Map<String, Object> mount = named(list(c, "volumeMounts"), "config");
    assertEquals("/etc/clusterdns", mount.get("mountPath"));
    Map<String, Object> volume = named(list(defaults.one("Deployment"), "spec.template.spec.volumes"), "config");
    assertEquals(get(defaults.one("ConfigMap"), "metadata.name"), get(volume, "configMap.name"));
    List<Map<String, Object>> ports = list(c, "ports");
    assertPort(named(ports, "dns"), 53, "UDP");
    assertPort(named(ports, "dns-tcp"), 53, "TCP");
    assertPort(named(ports, "metrics"), 9153, "TCP");
  }

  @Test
  void resourcesAreTheDocumentedDefaults() {
    Map<String, Object> resources = map(defaults.container(), "resources");
    assertEquals("256Mi", get(resources, "limits.memory"));
    assertEquals("192Mi", get(resources, "requests.memory"));
    assertEquals("100m", get(resources, "requests.cpu"));
  }

  @Test
  void jvmIsSizedFromTheMemoryLimit() throws Exception {
    assertEquals(List.of("-XX:MaxRAM=256m", "-XX:MaxRAMPercentage=40", "-Djava.io.tmpdir=/tmp"),
        javaOpts(defaults));
    assertTrue(javaOpts(RenderedChart.render("resources: {limits: {memory: 1Gi}}")).contains("-XX:MaxRAM=1g"));
    assertTrue(javaOpts(RenderedChart.render("resources: {limits: {memory: 500M}}"))
        .contains("-XX:MaxRAM=500000000"));
    assertTrue(javaOpts(RenderedChart.render("resources: {limits: {memory: \"268435456\"}}"))
        .contains("-XX:MaxRAM=268435456"));
    assertTrue(javaOpts(RenderedChart.render("jvm: {maxRAMPercentage: 60, extraOptions: \"-Xlog:gc\"}"))
        .containsAll(List.of("-XX:MaxRAMPercentage=60", "-Xlog:gc")));
    IllegalStateException bad = assertThrows(IllegalStateException.class,
        () -> RenderedChart.render("resources: {limits: {memory: 1.5Gi}}"));
    assertTrue(bad.getMessage().contains("resources.limits.memory"), bad.getMessage());
  }

  @Test
  void securityContextIsNonRootReadOnlyWithoutCapabilities() {
    Map<String, Object> pod = map(defaults.one("Deployment"), "spec.template.spec");
    assertEquals(true, get(pod, "securityContext.runAsNonRoot"));
    assertEquals("RuntimeDefault", get(pod, "securityContext.seccompProfile.type"));
    Map<String, Object> c = defaults.container();
    assertEquals(false, get(c, "securityContext.allowPrivilegeEscalation"));
    assertEquals(true, get(c, "securityContext.readOnlyRootFilesystem"));
    assertEquals(Map.of("drop", List.of("ALL")), get(c, "securityContext.capabilities"),
        "no capability added: port 53 comes from the sysctl");
    assertEquals("/tmp", get(named(list(c, "volumeMounts"), "tmp"), "mountPath"));
    assertTrue(map(named(list(pod, "volumes"), "tmp"), "emptyDir") != null);
  }

  @Test
  void port53IsServedThroughTheUnprivilegedPortSysctl() {
    List<Map<String, Object>> sysctls = list(defaults.one("Deployment"), "spec.template.spec.securityContext.sysctls");
    assertEquals(List.of(Map.of("name", "net.ipv4.ip_unprivileged_port_start", "value", "53")), sysctls);
  }

  @Test
  void aHighPortNeedsNoSysctlAndTheServiceMapsIt() throws Exception {
    RenderedChart chart = RenderedChart.render(serversWithPort(5353));
    assertNull(find(chart.one("Deployment"), "spec.template.spec.securityContext.sysctls"));
    assertPort(named(list(chart.container(), "ports"), "dns"), 5353, "UDP");
    List<Map<String, Object>> ports = list(chart.one("Service"), "spec.ports");
    assertPort(named(ports, "dns"), 53, "UDP", 5353);
    assertPort(named(ports, "dns-tcp"), 53, "TCP", 5353);
    assertTrue(chart.corefile().startsWith(".:5353 {"), chart.corefile());
  }

  @Test
  void serverBlocksOnDifferentPortsAreRefused() {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> RenderedChart.render("""
        servers:
          - {zones: [{zone: .}], port: 53, plugins: [{name: errors}]}
          - {zones: [{zone: example.corp}], port: 5300, plugins: [{name: errors}]}
        """));
    assertTrue(e.getMessage().contains("same port"), e.getMessage());
  }

  @Test
  void defaultCorefileIsKubeadms() {
    assertEquals(KUBEADM_COREFILE, directives(defaults.corefile()));
  }

  @Test
  void stubDomainsBecomeServerBlocks() throws Exception {
    RenderedChart chart = RenderedChart.render(ChartCorefiles.STUB_DOMAINS);
    String corefile = directives(chart.corefile());
    assertEquals(KUBEADM_COREFILE + "\n\n" + """
        example.corp:53 corp.internal:53 {
        errors
        cache 30
        forward . 10.150.0.1 10.150.0.2
        }""", corefile);
  }

  @Test
  void configChecksumFollowsTheCorefile() throws Exception {
    String checksum = checksum(defaults);
    assertTrue(checksum.matches("[0-9a-f]{64}"), checksum);
    assertEquals(checksum, checksum(RenderedChart.render("replicaCount: 3")), "only the Corefile moves it");
    assertNotEquals(checksum, checksum(RenderedChart.render(ChartCorefiles.STUB_DOMAINS)));
  }

  @Test
  void clusterRoleListsAndWatchesOnlyWhatTheWatchReads() {
    List<Map<String, Object>> rules = list(defaults.one("ClusterRole"), "rules");
    for (Map<String, Object> rule : rules) {
      assertEquals(List.of("list", "watch"), rule.get("verbs"), "list and watch only: " + rule);
    }
    assertEquals(Map.of("", List.of("namespaces", "services"), "discovery.k8s.io", List.of("endpointslices")),
        resourcesByGroup(rules), "no pods without pods verified");
  }

  @Test
  void podsVerifiedAlsoListsAndWatchesPods() throws Exception {
    List<Map<String, Object>> rules = list(RenderedChart.render(ChartCorefiles.PODS_VERIFIED).one("ClusterRole"),
        "rules");
    assertEquals(Map.of("", List.of("namespaces", "services", "pods"), "discovery.k8s.io",
        List.of("endpointslices")), resourcesByGroup(rules));
    for (Map<String, Object> rule : rules) {
      assertEquals(List.of("list", "watch"), rule.get("verbs"));
    }
  }

  @Test
  void clusterRoleIsBoundToThePodsServiceAccount() {
    Map<String, Object> binding = defaults.one("ClusterRoleBinding");
    assertEquals(get(defaults.one("ClusterRole"), "metadata.name"), get(binding, "roleRef.name"));
    assertEquals("ClusterRole", get(binding, "roleRef.kind"));
    Map<String, Object> subject = RenderedChart.<Map<String, Object>>list(binding, "subjects").get(0);
    String account = (String) get(defaults.one("ServiceAccount"), "metadata.name");
    assertEquals(Map.of("kind", "ServiceAccount", "name", account, "namespace", "kube-system"), subject);
    assertEquals(account, get(defaults.one("Deployment"), "spec.template.spec.serviceAccountName"));
  }

  @Test
  void disruptionBudgetKeepsOnePodOfThisRelease() {
    Map<String, Object> pdb = defaults.one("PodDisruptionBudget");
    assertEquals(1, get(pdb, "spec.minAvailable"));
    assertEquals(get(defaults.one("Deployment"), "spec.selector.matchLabels"), get(pdb, "spec.selector.matchLabels"));
  }

  @Test
  void autoscalingReplacesTheFixedReplicas() throws Exception {
    RenderedChart chart = RenderedChart.render("autoscaling: {enabled: true, minReplicas: 2, maxReplicas: 6}");
    Map<String, Object> hpa = chart.one("HorizontalPodAutoscaler");
    assertEquals("autoscaling/v2", hpa.get("apiVersion"));
    assertEquals(get(chart.one("Deployment"), "metadata.name"), get(hpa, "spec.scaleTargetRef.name"));
    assertEquals(2, get(hpa, "spec.minReplicas"));
    assertEquals(6, get(hpa, "spec.maxReplicas"));
    assertNull(find(chart.one("Deployment"), "spec.replicas"), "the autoscaler owns the replica count");
  }

  @Test
  void serviceMonitorScrapesTheMetricsPort() throws Exception {
    RenderedChart chart = RenderedChart.render(
        "prometheus: {serviceMonitor: {enabled: true, additionalLabels: {release: kps}}}");
    Map<String, Object> monitor = chart.one("ServiceMonitor");
    assertEquals("kps", get(monitor, "metadata.labels.release"));
    assertEquals("metrics", RenderedChart.<Map<String, Object>>list(monitor, "spec.endpoints").get(0).get("port"));
    Map<String, Object> serviceLabels = map(chart.one("Service"), "metadata.labels");
    assertTrue(serviceLabels.entrySet().containsAll(map(monitor, "spec.selector.matchLabels").entrySet()),
        "the ServiceMonitor selects the Service");
  }

  // ---------------------------------------------------------------------------------------------- helpers

  private static void assertPort(Map<String, Object> port, int number, String protocol) {
    assertEquals(protocol, port.get("protocol"), port.toString());
    assertEquals(number, port.containsKey("containerPort") ? port.get("containerPort") : port.get("port"),
        port.toString());
  }

  private static void assertPort(Map<String, Object> port, int number, String protocol, int targetPort) {
    assertPort(port, number, protocol);
    assertEquals(targetPort, port.get("targetPort"), port.toString());
  }

  private static List<String> javaOpts(RenderedChart chart) {
    List<Map<String, Object>> env = list(chart.container(), "env");
    return Arrays.asList(((String) named(env, "CLUSTERDNS_JAVA_OPTS").get("value")).split(" "));
  }

  private static String checksum(RenderedChart chart) {
    return (String) get(chart.one("Deployment"), "spec.template.metadata.annotations.checksum/config");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, List<String>> resourcesByGroup(List<Map<String, Object>> rules) {
    return rules.stream().collect(java.util.stream.Collectors.toMap(
        r -> ((List<String>) r.get("apiGroups")).get(0), r -> (List<String>) r.get("resources")));
  }

  /** The Corefile one directive a line, indentation dropped, so the test reads structure, not spacing. */
  private static String directives(String corefile) {
    return corefile.lines().map(String::strip).reduce((a, b) -> a + "\n" + b).orElse("");
  }

  private static String serversWithPort(int port) {
    return """
        servers:
          - zones: [{zone: .}]
            port: %d
            plugins:
              - {name: errors}
              - {name: health}
              - {name: ready}
              - {name: kubernetes, parameters: cluster.local in-addr.arpa ip6.arpa}
              - {name: prometheus, parameters: ":9153"}
              - {name: forward, parameters: . /etc/resolv.conf}
        """.formatted(port);
  }
}
