package io.clusterdns.server.query;

import io.clusterdns.index.ClusterSnapshot;
import io.clusterdns.server.zone.ClusterZone;
import io.clusterdns.server.zone.SearchPath;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Server-side search path completion, the Corefile's {@code autopath @kubernetes} (issue 22; CoreDNS
 * {@code plugin/autopath} with {@code plugin/kubernetes/autopath.go}). A pod with kubelet's {@code ndots:5} that
 * looks up {@code api.example.com} first asks {@code api.example.com.<ns>.svc.<zone>}, then each further search
 * suffix, then the name itself: up to 3 + node domains + 1 round trips. When the first of them would be NXDOMAIN,
 * this walks the rest of the pod's search path here and answers the first expansion that is not NXDOMAIN, with a
 * CNAME from the asked name to the found one, so the client is done in one round trip.
 *
 * <p>Deviation from CoreDNS: CoreDNS learns the client's namespace from its Pod (by source IP, {@code pods
 * verified}); here the namespace is the label left of {@code svc.<zone>} in the asked name, so no Pod watch is
 * needed, and a client of another namespace that asks that literal name gets the walk too. Deviation from the
 * DNS specification, as CoreDNS documents for autopath: the answer to a name that does not exist is another
 * name's records behind a synthesised CNAME.
 *
 * <p>Rules, as CoreDNS: the walk tries {@code <base>.svc.<zone>}, {@code <base>.<zone>}, {@code <base>.<d>} for each
 * node search domain d, then {@code <base>}; NXDOMAIN moves on; the first other reply (NODATA, SERVFAIL and
 * REFUSED from an upstream included) is the answer, its question the asked one and, when its first record is
 * owned by another name, a CNAME from the asked name to that owner (TTL that record's) put first; when every step
 * is NXDOMAIN the asked name's own NXDOMAIN is the answer; a step that gets no reply (upstream failure) ends the
 * walk with that failure (CoreDNS returns the forward plugin's error: SERVFAIL). A walk makes at most
 * {@code 3 + 29 + 1} lookups (the node domains are capped at kubelet's limit when the Corefile is read).
 *
 * <p>Threads: immutable; claims are checked on event loops, a walk's steps continue on whichever thread completes
 * the previous step (the event loop, or the forwarder's completion).
 */
public final class Autopath {
  /** Labels between the base and the zone in a first expansion: {@code <ns>} and {@code svc}. */
  private static final int NS_SVC = 2;

  private static final Name SVC = Name.fromConstantString("svc");

  private final ClusterZone zone;
  /** The directive's zones: names outside them are never walked. */
  private final Name[] zones;
  /** The node's search domains, absolute. */
  private final Name[] nodeDomains;
  /** Counts a query answered from further along the path ({@code coredns_autopath_success_total}). */
  private final Runnable success;

  /**
   * @param zones the directive's ZONES (absolute, lowercase; {@code .} for all)
   * @param nodeDomains the node's search domains (absolute), in order
   */
  public Autopath(ClusterZone zone, List<String> zones, List<String> nodeDomains) {
    this(zone, zones, nodeDomains, () -> { });
  }

  /** @param success counts each query a walk answers (not the all-NXDOMAIN ones), as CoreDNS's metric */
  public Autopath(ClusterZone zone, List<String> zones, List<String> nodeDomains, Runnable success) {
    this.success = success;
    this.zone = zone;
    this.zones = zones.stream().map(Name::fromConstantString).toArray(Name[]::new);
    this.nodeDomains = nodeDomains.stream().map(Name::fromConstantString).toArray(Name[]::new);
  }

  /**
   * Whether {@code qname} has the shape of a pod's first search expansion, {@code <base>.<ns>.svc.<zone>} with a
   * non-empty base in a forward zone of the cluster, under the directive's zones. The name alone decides, so an
   * encoded reply can remember it ({@link ClusterReplies}).
   */
  boolean claims(Name qname, ClusterSnapshot snapshot) {
    return clusterZone(qname, snapshot) != null;
  }

  /**
   * The names a walk tries after {@code qname}, in order (expansions too long for a name are left out), or null
   * when {@code qname} is not {@linkplain #claims claimed}.
   */
  Name[] walk(Name qname) {
    Name z = clusterZone(qname, zone.source().current());
    if (z == null) {
      return null;
    }
    Name first = new Name(qname, qname.labels() - z.labels() - NS_SVC);
    Name base = qname.relativize(first);
    List<Name> out = new ArrayList<>(3 + nodeDomains.length);
    // svc.<zone>, then <zone> (SearchPath.cluster's order without a namespace): svc.<zone> is a suffix of the
    // asked name, lowercased as the configured zone is
    add(out, SearchPath.expand(base, new Name(first, 1).canonicalize()));
    add(out, SearchPath.expand(base, z));
    for (Name d : nodeDomains) {
      add(out, SearchPath.expand(base, d));
    }
    add(out, SearchPath.expand(base, Name.root));
    return out.toArray(new Name[0]);
  }

  private static void add(List<Name> out, Name n) {
    if (n != null) {
      out.add(n);
    }
  }

  /**
   * The cluster zone of a claimed name, or null. The namespace must exist in {@code snapshot}: a pod's own
   * namespace always does, while glibc's second try {@code <name>.svc.<zone>} reads as {@code <base>.<ns>.svc}
   * with the name's last label as namespace ({@code api.example.com.svc.cluster.local}: "com") and must stay a
   * plain NXDOMAIN, as CoreDNS's, whose search path is the asking pod's own.
   */
  private Name clusterZone(Name qname, ClusterSnapshot snapshot) {
    Name z = zone.forwardZoneOf(qname);
    if (z == null || qname.labels() - z.labels() < NS_SVC + 1) {
      return null;
    }
    // The label just left of the zone must be "svc" (any letter case).
    if (!new Name(qname, qname.labels() - z.labels() - 1).relativize(z).equals(SVC)) {
      return null;
    }
    String ns = qname.getLabelString(qname.labels() - z.labels() - NS_SVC).toLowerCase(Locale.ROOT);
    if (snapshot == null || snapshot.namespace(ns) == null) {
      return null;
    }
    for (Name apz : zones) {
      if (qname.subdomain(apz)) {
        return z;
      }
    }
    return null;
  }

  /**
   * Walks {@code names} for {@code query}: each step asks {@code step} for the reply this server gives to the
   * step's name. Completes with the client's reply (see the class notes), with null when every step was
   * NXDOMAIN, or exceptionally with the failure of a step that got no reply.
   *
   * @param query the client's query (its question is the claimed name)
   */
  CompletableFuture<Message> walk(Message query, Name[] names, Function<Message, CompletableFuture<Message>> step) {
    CompletableFuture<Message> result = new CompletableFuture<>();
    next(query, names, 0, step, result);
    return result;
  }

  private void next(Message query, Name[] names, int i, Function<Message, CompletableFuture<Message>> step,
      CompletableFuture<Message> result) {
    if (i == names.length) {
      result.complete(null);
      return;
    }
    CompletableFuture<Message> f;
    try {
      f = step.apply(stepQuery(query, names[i]));
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
      return;
    }
    f.whenComplete((reply, err) -> {
      try {
        if (err != null || reply == null) {
          result.completeExceptionally(err != null ? err : new IllegalStateException("no reply for " + names[i]));
        } else if (reply.getRcode() == Rcode.NXDOMAIN) {
          next(query, names, i + 1, step, result);
        } else {
          success.run();
          result.complete(cnamed(query, reply));
        }
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    });
  }

  /** The client's query with the step's name as its question (same ID, flags and OPT, so the same cache key). */
  private static Message stepQuery(Message query, Name name) {
    Record q = query.getQuestion();
    Message m = query.clone();
    m.removeAllRecords(Section.QUESTION);
    m.addRecord(Record.newRecord(name, q.getType(), q.getDClass()), Section.QUESTION);
    return m;
  }

  /** Header flags of the found reply the client's reply keeps (CoreDNS returns that reply itself). */
  private static final int[] FLAGS = {Flags.AA, Flags.TC, Flags.RA, Flags.AD};

  /**
   * The found reply as the answer to {@code query}: the client's question, the found reply's flags, rcode and
   * sections, and a CNAME from the asked name to the owner of the first answer record not owned by it, put first
   * (CoreDNS {@code cnamer}); no records (NODATA), no CNAME.
   */
  static Message cnamed(Message query, Message found) {
    Message reply = ResponseEncoder.replyTo(query);
    for (int flag : FLAGS) {
      if (found.getHeader().getFlag(flag)) {
        reply.getHeader().setFlag(flag);
      }
    }
    reply.getHeader().setRcode(found.getRcode());
    Name asked = query.getQuestion().getName();
    List<Record> answer = found.getSection(Section.ANSWER);
    for (Record r : answer) {
      if (!r.getName().equals(asked)) {
        reply.addRecord(new CNAMERecord(asked, DClass.IN, r.getTTL(), r.getName()), Section.ANSWER);
        break;
      }
    }
    answer.forEach(r -> reply.addRecord(r, Section.ANSWER));
    found.getSection(Section.AUTHORITY).forEach(r -> reply.addRecord(r, Section.AUTHORITY));
    for (Record r : found.getSection(Section.ADDITIONAL)) {
      if (r.getType() != Type.OPT) {
        reply.addRecord(r, Section.ADDITIONAL);
      }
    }
    return reply;
  }
}
