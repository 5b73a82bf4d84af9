package io.clusterdns.server.query;

import io.clusterdns.server.zone.ClusterZone;
import io.clusterdns.server.zone.SearchList;
import java.util.List;

/**
 * The optional stages of the query path; each null (or empty) one is skipped without a check, so a kubeadm
 * Corefile runs none of them.
 *
 * @param router each query's server block with its {@code rewrite}, {@code acl}, {@code template} and
 *     {@code hosts}; null when no block has any
 * @param search short names expanded as in a pod (the dev command's {@code --search}), tried after hosts and
 *     before forwarding; null for none
 * @param others zones of further clusters (the dev command's later {@code --context}s), none an ancestor of the
 *     primary zone or of each other; empty for none
 * @param autopath the Corefile's {@code autopath @kubernetes}: NXDOMAIN first search expansions walked (issue 22);
 *     null when off (the default)
 */
public record Stages(Router router, SearchList search, List<ClusterZone> others, Autopath autopath) {
  public static final Stages NONE = new Stages(null, null, List.of(), null);

  public Stages {
    others = List.copyOf(others);
  }

  /** Without autopath. */
  public Stages(Router router, SearchList search, List<ClusterZone> others) {
    this(router, search, others, null);
  }
}
