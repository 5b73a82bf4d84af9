package io.clusterdns.index;

/** How a Service answers by name (Kubernetes DNS spec 2.3, 2.4, 2.5). */
public enum ServiceKind {
  /** ClusterIP, NodePort and LoadBalancer services: answered with {@code spec.clusterIPs}. */
  CLUSTER_IP,
  /** {@code clusterIP: None}: answered with the ready endpoint addresses. */
  HEADLESS,
  /** {@code type: ExternalName}: answered with a CNAME to {@code spec.externalName}. */
  EXTERNAL_NAME
}
