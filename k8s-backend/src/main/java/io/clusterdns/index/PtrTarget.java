package io.clusterdns.index;

/**
 * What a reverse name points at: a service ({@code endpoint == null}, a ClusterIP) or one endpoint of a
 * service (behaviours.md 7.1, 7.2). Names are as stored in Kubernetes (lowercase by API validation).
 */
public record PtrTarget(String namespace, String service, String endpoint) {
  public boolean isClusterIp() {
    return endpoint == null;
  }
}
