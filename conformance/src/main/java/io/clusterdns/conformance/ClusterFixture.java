package io.clusterdns.conformance;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.ByteArrayInputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Mode 3: applies the fixture to a real cluster through the API server, reads back the ClusterIPs the
 * cluster allocated, and deletes exactly what it created. Services are first created with the fixture's
 * fixed ClusterIPs (kept if they lie in the cluster's service range, as 10.96.0.0/12 does on kubeadm);
 * if the API server rejects them, the Service is created without and the cluster allocates. Pods are
 * skipped: their status (podIP) cannot be applied. Owned by the runner thread.
 */
public final class ClusterFixture implements AutoCloseable {

  private final KubernetesClient client;
  private final PrintStream log;
  private final List<HasMetadata> created = new ArrayList<>();
  private final Map<String, String> addresses = new LinkedHashMap<>();
  private final List<String> unmapped = new ArrayList<>();

  private ClusterFixture(KubernetesClient client, PrintStream log) {
    this.client = client;
    this.log = log;
  }

  /** Creates every fixture object; on any failure deletes what was created so far and rethrows. */
  public static ClusterFixture apply(KubernetesClient client, Fixture fixture, PrintStream log) {
    ClusterFixture f = new ClusterFixture(client, log);
    try {
      for (Fixture.Document d : fixture.files()) {
        if (d.name().equals(Fixture.PODS_FILE)) {
          continue;
        }
        List<HasMetadata> items = client.load(new ByteArrayInputStream(d.yaml().getBytes(StandardCharsets.UTF_8))).items();
        for (HasMetadata item : items) {
          if (item instanceof Pod) {
            continue;
          }
          f.create(item);
        }
      }
      return f;
    } catch (RuntimeException e) {
      f.close();
      throw e;
    }
  }

  private void create(HasMetadata item) {
    if (item instanceof Namespace ns && client.namespaces().withName(ns.getMetadata().getName()).get() != null) {
      throw new IllegalStateException("namespace " + ns.getMetadata().getName() + " already exists; "
          + "delete the leftover fixture first: kubectl delete namespace conf-a conf-b conf-empty");
    }
    if (item instanceof Service svc && isClusterIp(svc)) {
      createService(svc);
      return;
    }
    created.add(client.resource(item).create());
  }

  private static boolean isClusterIp(Service svc) {
    String ip = svc.getSpec().getClusterIP();
    return ip != null && !ip.equals("None");
  }

  private void createService(Service svc) {
    List<String> fixtureIps = List.copyOf(svc.getSpec().getClusterIPs() != null
        ? svc.getSpec().getClusterIPs() : List.of(svc.getSpec().getClusterIP()));
    Service made;
    try {
      made = client.resource(svc).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 422 && e.getCode() != 400) {
        throw e;
      }
      log.println("conformance: " + svc.getMetadata().getNamespace() + "/" + svc.getMetadata().getName()
          + ": fixed ClusterIP refused (" + e.getStatus().getMessage() + "); letting the cluster allocate");
      svc.getSpec().setClusterIP(null);
      svc.getSpec().setClusterIPs(null);
      made = client.resource(svc).create();
    }
    created.add(made);
    Service back = client.services().inNamespace(made.getMetadata().getNamespace())
        .withName(made.getMetadata().getName()).get();
    List<String> allocated = back.getSpec().getClusterIPs() != null ? back.getSpec().getClusterIPs()
        : back.getSpec().getClusterIP() == null ? List.of() : List.of(back.getSpec().getClusterIP());
    for (String want : fixtureIps) {
      boolean v6 = want.contains(":");
      String got = allocated.stream().filter(a -> a.contains(":") == v6).findFirst().orElse(null);
      if (got == null) {
        unmapped.add(want);
      } else {
        addresses.put(want, got);
      }
    }
  }

  /** Fixture ClusterIP to allocated ClusterIP (identical where the fixed address was accepted). */
  public Map<String, String> addresses() {
    return Map.copyOf(addresses);
  }

  /** Fixture ClusterIPs of a family the cluster did not allocate (single-stack cluster). */
  public List<String> unmapped() {
    return List.copyOf(unmapped);
  }

  public List<HasMetadata> created() {
    return List.copyOf(created);
  }

  /** Deletes what this run created, newest first (namespaces last). Never throws. */
  @Override
  public void close() {
    for (int i = created.size() - 1; i >= 0; i--) {
      HasMetadata item = created.get(i);
      try {
        client.resource(item).delete();
      } catch (RuntimeException e) {
        log.println("conformance: could not delete " + item.getKind() + " "
            + item.getMetadata().getNamespace() + "/" + item.getMetadata().getName() + ": " + e.getMessage());
      }
    }
    created.clear();
  }
}
