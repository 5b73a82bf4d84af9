package io.clusterdns.server.query;

import io.clusterdns.server.zone.ClusterZone;
import io.clusterdns.server.zone.HostsTable;
import io.clusterdns.server.zone.SearchList;
import io.clusterdns.server.zone.TemplateSet;
import java.util.List;

/**
 * The optional stages of the query path, in CoreDNS's plugin order: each null (or empty) one is skipped without a
 * check, so a kubeadm Corefile runs none of them.
 *
 * @param rewrite the {@code rewrite} rules, applied before anything else, or null for none
 * @param templates the {@code template} rules, answered first, or null for none
 * @param hosts the {@code hosts} entries, answered before the cluster zone, or null for none
 * @param acl the {@code acl} directives, judged after rewrite and before any answer, or null for none
 * @param search short names expanded as in a pod (the dev command's {@code --search}), tried after hosts and
 *     before forwarding; null for none
 * @param others zones of further clusters (the dev command's later {@code --context}s), none an ancestor of the
 *     primary zone or of each other; empty for none
 */
public record Stages(QueryRewrite rewrite, TemplateSet templates, HostsTable hosts, AccessControl acl,
    SearchList search, List<ClusterZone> others) {
  public static final Stages NONE = new Stages(null, null, null, null, null, List.of());

  public Stages {
    others = List.copyOf(others);
  }

}
