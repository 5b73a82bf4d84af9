package io.clusterdns.server.zone;

import io.clusterdns.server.query.ResponseEncoder;
import java.util.List;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/**
 * Short names as a pod in a namespace resolves them (issue 21, {@code clusterdns dev --search}): a pod of
 * namespace {@code payments} has {@code search payments.svc.cluster.local svc.cluster.local cluster.local} and
 * {@code ndots:5} in its resolv.conf, so glibc tries {@code api.payments} as {@code api.payments.payments.svc...},
 * then {@code api.payments.svc.cluster.local}, then {@code api.payments.cluster.local}, then as it is. A laptop's
 * resolver has no such list, so the server applies it: a name outside the cluster zones with fewer than
 * {@value #NDOTS} dots is looked up under each suffix in order, and the first under which the name exists is the
 * answer.
 *
 * <p>The answer is a CNAME from the asked name to the expanded one, followed by the expanded name's records,
 * rather than the records under the asked name: the developer sees which namespace a short name came from
 * (the usual surprise with search lists), {@code getaddrinfo}'s canonical name is the full service name as in
 * a pod, and a caching resolver in front (systemd-resolved) keeps the cluster records under their own name.
 * AA is not set: the short name is not in a zone this server is authoritative for.
 *
 * <p>Differences from glibc, both deliberate: an expansion where the name exists without records of the
 * asked type (NODATA) ends the search, since one server must give one name the same existence for every type
 * (glibc searches on per type, client side); and while the first sync has not finished nothing is searched,
 * so the laptop's other names keep resolving through the upstream while the API server is away.
 *
 * <p>Only the {@code dev} command configures this (the server's pipeline holds null and never calls it).
 * Threads: immutable; called on event loops.
 */
public final class SearchList {
  /** A pod's {@code options ndots:5} (kubelet): names with fewer dots are searched before being tried as is. */
  static final int NDOTS = 5;

  private final ClusterZone zone;
  private final Name[] suffixes;
  private final long ttl;

  /**
   * @param namespaces the namespaces whose pods' view to give, in order
   * @param clusterDomain the cluster zone, e.g. {@code cluster.local.}
   */
  public SearchList(List<String> namespaces, String clusterDomain, long ttl, ClusterZone zone) {
    this.zone = zone;
    this.ttl = ttl;
    this.suffixes = SearchPath.cluster(namespaces, clusterDomain).toArray(new Name[0]);
  }

  /** The suffixes tried, in order (for the status and tests). */
  public List<Name> suffixes() {
    return List.of(suffixes);
  }

  /**
   * Whether a lowercase wire-form name may be answered here: outside the cluster zones and with fewer than
   * {@link #NDOTS} dots. The pipeline's byte fast path leaves such names to {@link #answer}.
   */
  public boolean claimsWire(byte[] name) {
    int labels = 0;
    for (int pos = 0; pos < name.length && name[pos] != 0; pos += 1 + (name[pos] & 0xff)) {
      labels++;
    }
    return labels > 0 && labels - 1 < NDOTS && !zone.coversWire(name);
  }

  /**
   * The reply for a query whose name is outside the cluster zones: the CNAME to the first expansion under which
   * the name exists and that expansion's answer; null when the name has {@link #NDOTS} dots or more, when no
   * expansion exists, or before the first sync (the query then goes upstream as asked).
   */
  public Message answer(Message query) {
    Record q = query.getQuestion();
    Name qname = q.getName();
    int dots = qname.labels() - 2; // absolute: the root label is counted
    if (dots < 0 || dots >= NDOTS || !zone.source().synced()) {
      return null;
    }
    for (Name suffix : suffixes) {
      Name expanded = SearchPath.expand(qname.relativize(Name.root), suffix);
      if (expanded == null) {
        continue;
      }
      Answer a = zone.answer(expanded, q.getType());
      if (a instanceof Answer.NxDomain || a instanceof Answer.FallThrough || a instanceof Answer.Refused) {
        continue;
      }
      if (a instanceof Answer.NotSynced) {
        return null;
      }
      Message reply = ResponseEncoder.replyTo(query);
      reply.addRecord(new CNAMERecord(qname, DClass.IN, ttl, expanded), Section.ANSWER);
      if (a instanceof Answer.Found f) {
        f.answer().forEach(r -> reply.addRecord(r, Section.ANSWER));
        f.additional().forEach(r -> reply.addRecord(r, Section.ADDITIONAL));
      } else if (a instanceof Answer.NoData n) {
        reply.addRecord(n.soa(), Section.AUTHORITY);
      } else if (a instanceof Answer.External e) {
        // The ExternalName's CNAME chain; the client's resolver follows its outside target as for any CNAME.
        e.cnames().forEach(r -> reply.addRecord(r, Section.ANSWER));
      }
      return reply;
    }
    return null;
  }
}
