package io.clusterdns.server.explain;

import io.clusterdns.config.ForwardConfig;
import io.clusterdns.config.HedgeConfig;
import io.clusterdns.config.HostPort;
import io.clusterdns.config.KubernetesConfig;
import io.clusterdns.config.PodsMode;
import io.clusterdns.index.ClusterSnapshot;
import io.clusterdns.index.EndpointAddress;
import io.clusterdns.index.IpAddress;
import io.clusterdns.index.NamespaceView;
import io.clusterdns.index.PortInfo;
import io.clusterdns.index.PtrTarget;
import io.clusterdns.index.ServiceInfo;
import io.clusterdns.index.ServiceKind;
import io.clusterdns.index.ServiceView;
import io.clusterdns.server.explain.Explanation.Forwarding;
import io.clusterdns.server.explain.Explanation.Source;
import io.clusterdns.server.forward.ForwardRoutes;
import io.clusterdns.server.query.QueryPipeline;
import io.clusterdns.server.query.ResponseEncoder;
import io.clusterdns.server.zone.Answer;
import io.clusterdns.server.zone.ClusterZone;
import io.clusterdns.server.zone.PodLabel;
import io.clusterdns.server.zone.ReverseName;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Explains one question (issue 22, {@code clusterdns explain}): the reply, and the Service, EndpointSlice,
 * endpoint or Pod each part of it comes from, the rule of the DNS specification that applied, and for a missing
 * name why it is missing and which names exist near it.
 *
 * <p>The reply itself is never computed here a second way: it is either the running server's own reply to the
 * question, or, without a server, the reply of the server's cluster-zone code ({@link ClusterZone}) on the same
 * snapshot. This class only reads the snapshot again to say where that reply came from; the row numbers cited are
 * those of {@code shared/spec/behaviours.md}, as in the zone code's comments.
 *
 * <p>Threads: immutable; reads one snapshot per call. Not on the query path: it allocates freely.
 */
public final class Explainer {
  private static final Name IN_ADDR_ARPA = Name.fromConstantString("in-addr.arpa.");
  private static final Name IP6_ARPA = Name.fromConstantString("ip6.arpa.");

  /** Names listed as near a missing one, at most. */
  private static final int CLOSEST = 5;

  private final ClusterZone zone;
  private final KubernetesConfig kubernetes;
  private final ForwardRoutes<ForwardConfig> forwards;
  private final boolean blockPlugins;

  /**
   * @param blockPlugins whether some server block has {@code hosts}, {@code template} or {@code rewrite}: they
   *     answer before the cluster index, so a reply computed from the index alone may differ from the server's
   */
  public Explainer(ClusterZone zone, KubernetesConfig kubernetes, List<ForwardConfig> forwards, boolean blockPlugins) {
    this.zone = zone;
    this.kubernetes = kubernetes;
    this.forwards = new ForwardRoutes<>(forwards, c -> c);
    this.blockPlugins = blockPlugins;
  }

  /** The question's type from its mnemonic ({@code A}, {@code srv}) or number, or -1. */
  public static int type(String text) {
    return Type.value(text.toUpperCase(Locale.ROOT), true);
  }

  /** An absolute name from what a person types ({@code web.default.svc.cluster.local}, with or without the dot). */
  public static Name name(String text) throws TextParseException {
    return Name.fromString(text, Name.root);
  }

  /**
   * The explanation without a server: the reply is the cluster-zone code's on the current snapshot; a name outside
   * the cluster zones gets its route only (nothing is sent upstream).
   */
  public Explanation fromIndex(Name qname, int qtype) {
    Message query = Message.newQuery(Record.newRecord(qname, qtype, DClass.IN));
    Facts f = new Facts();
    if (zone.apexOf(qname) == null) {
      return forwarded(qname, qtype, null, "index", "not consulted", null, f);
    }
    Message reply = indexReply(query, f);
    if (blockPlugins) {
      f.why.add("the Corefile has hosts, template or rewrite: they answer before the cluster index, and this "
          + "reply was computed from the index alone (ask a running server with --server to see them applied)");
    }
    return cluster(qname, qtype, reply, "index", f);
  }

  /**
   * The explanation of a reply the running server gave to the question ({@code reply}, as the client got it).
   *
   * @param cache the answer cache's state for the question before it was asked, for names sent upstream
   * @param answeredBy the upstream whose reply the server passed on, or null when it asked none
   */
  public Explanation fromServer(Name qname, int qtype, Message reply, String cache, String answeredBy) {
    Facts f = new Facts();
    if (zone.apexOf(qname) == null) {
      return forwarded(qname, qtype, reply, "server", cache, answeredBy, f);
    }
    if (zone.answer(qname, qtype) instanceof Answer.External e) {
      f.why.add("the CNAME target " + e.target() + " is outside the cluster zones: the server resolved it through "
          + "its forward path and appended what the upstream said, records and rcode (6.2)");
      ForwardConfig route = forwardFor(e.target());
      f.forwarding = route == null ? new Forwarding(null, List.of(), null, "not shown for a CNAME target", null)
          : forwarding(route, "not shown for a CNAME target", answeredBy);
      return cluster(qname, qtype, reply, "server", f);
    }
    Message fromIndex = indexReply(Message.newQuery(Record.newRecord(qname, qtype, DClass.IN)), new Facts());
    if (reply.getRcode() != fromIndex.getRcode()
        || !sameRecords(reply.getSection(Section.ANSWER), fromIndex.getSection(Section.ANSWER))) {
      f.why.add("the server's reply differs from the cluster index's (" + Rcode.string(fromIndex.getRcode())
          + ", " + fromIndex.getSection(Section.ANSWER).size() + " answer records): a hosts, template or rewrite "
          + "of its server block answered first, or the index changed between the two reads");
    }
    return cluster(qname, qtype, reply, "server", f);
  }

  // --------------------------------------------------------------------------------------------- replies

  /** The reply the server's cluster-zone code gives; an ExternalName's outside target is noted, not resolved. */
  private Message indexReply(Message query, Facts f) {
    Record q = query.getQuestion();
    Answer a = zone.answer(q.getName(), q.getType());
    Message reply = QueryPipeline.authoritative(query, a, false);
    if (reply != null) {
      return reply;
    }
    reply = ResponseEncoder.replyTo(query);
    if (a instanceof Answer.External e) {
      for (Record r : e.cnames()) {
        reply.addRecord(r, Section.ANSWER);
      }
      reply.getHeader().setFlag(org.xbill.DNS.Flags.AA);
      f.why.add("the CNAME target " + e.target() + " is outside the cluster zones: the server resolves it upstream "
          + "and appends its records (6.2); not asked without a server");
    } else if (a instanceof Answer.Refused) {
      reply.getHeader().setRcode(Rcode.REFUSED);
      f.why.add("zone transfers are not served: REFUSED (10.5)");
    } else if (a instanceof Answer.FallThrough) {
      // A reverse miss in a zone that falls through: the forwarder has it (7.4).
      f.why.add("not found here and the zone is configured with fallthrough: the server forwards it (7.4)");
      reply.getHeader().setRcode(Rcode.NXDOMAIN);
    } else {
      reply.getHeader().setRcode(Rcode.SERVFAIL);
    }
    return reply;
  }

  private static boolean sameRecords(List<Record> a, List<Record> b) {
    return a.size() == b.size() && data(a).equals(data(b));
  }

  private static Set<String> data(List<Record> records) {
    Set<String> out = new TreeSet<>();
    for (Record r : records) {
      out.add(r.getName().toString().toLowerCase(Locale.ROOT) + " " + Type.string(r.getType()) + " "
          + r.rdataToString());
    }
    return out;
  }

  // ----------------------------------------------------------------------------------------- forwarding

  private Explanation forwarded(Name qname, int qtype, Message reply, String asked, String cache,
      String answeredBy, Facts f) {
    ForwardConfig route = forwardFor(qname);
    if (route == null) {
      f.rule = "outside every cluster zone and no forward zone contains it: the server has no answer for it "
          + "(SERVFAIL, as CoreDNS without a next plugin; or REFUSED when no server block covers it)";
      f.forwarding = new Forwarding(null, List.of(), null, cache, answeredBy);
    } else {
      f.rule = "outside the cluster zones: forwarded to the upstreams of forward zone " + route.zone()
          + ", through the answer cache when one is configured (11.1, 11.4)";
      f.forwarding = forwarding(route, cache, answeredBy);
    }
    if (reply != null && reply.getRcode() == Rcode.SERVFAIL) {
      f.why.add("SERVFAIL: no upstream answered within the forward budget, or none is configured (11.2)");
    } else if (reply != null && reply.getRcode() == Rcode.NXDOMAIN) {
      f.why.add("the upstream says the name does not exist; the cache keeps that denial for the SOA's minimum, "
          + "capped by its own denial TTL (RFC 2308, 11.4)");
    }
    f.ttl = reply == null ? "from the upstream's records (not asked without a server)"
        : "the upstream's TTLs, capped by the cache's maximum and counted down while cached (11.4)";
    return f.build(qname, qtype, "forwarded", asked, reply);
  }

  private static Forwarding forwarding(ForwardConfig route, String cache, String answeredBy) {
    return new Forwarding(route.zone(), route.upstreams().stream().map(HostPort::toString).toList(),
        policy(route), cache, answeredBy);
  }

  private static String policy(ForwardConfig route) {
    String order = route.policy().name().toLowerCase(Locale.ROOT);
    HedgeConfig h = route.hedge();
    return h.enabled()
        ? order + ", hedged after the upstream's RTO within " + h.min().toMillis() + "-" + h.max().toMillis()
            + " ms, at most " + h.rate() + "/s"
        : order + ", no hedging";
  }

  /** The most specific forward zone containing the name, unless the name is in one of its {@code except} zones. */
  /** The forward block the server routes {@code qname} to (ForwardRoutes, as the server picks it), or null. */
  private ForwardConfig forwardFor(Name qname) {
    return forwards.select(qname);
  }

  // ------------------------------------------------------------------------------------------ cluster

  private Explanation cluster(Name qname, int qtype, Message reply, String asked, Facts f) {
    Name apex = zone.apexOf(qname);
    ClusterSnapshot snap = zone.source().current();
    boolean reverse = apex.subdomain(IN_ADDR_ARPA) || apex.subdomain(IP6_ARPA);
    int below = qname.labels() - apex.labels();
    String[] l = new String[below];
    for (int i = 0; i < below; i++) {
      l[i] = qname.getLabelString(below - 1 - i).toLowerCase(Locale.ROOT);
    }
    f.ttl = zone.ttl() + " s: the kubernetes block's ttl (default " + KubernetesConfig.DEFAULT_TTL + "); a negative "
        + "answer's SOA carries it as its minimum and min(ttl, 300) as its own TTL (9.3)";
    if (!zone.source().synced()) {
      f.why.add("the first sync with the API server has not finished: cluster names answer SERVFAIL until it has, "
          + "never NXDOMAIN (9.7)");
    }
    if (below == 0) {
      f.rule = "zone apex " + apex + ": SOA (9.3) and NS naming this server (9.4); other types NODATA (9.1)";
    } else if (reverse) {
      reverse(qname, qtype, snap, f);
    } else {
      switch (l[0]) {
        case "svc":
          services(l, qtype, snap, f);
          break;
        case "pod":
          pods(l, qtype, snap, f);
          break;
        case "dns-version":
          f.rule = below == 1 ? "dns-version: a TXT record with the version of the Kubernetes DNS specification "
              + "this server implements (2.1); other types NODATA" : "below dns-version nothing exists: NXDOMAIN (1.2)";
          f.ttl = "28800 s, fixed by the specification for dns-version (2.1)";
          break;
        case "dns":
          f.rule = "ns.dns." + apex + " is this server's own name: A/AAAA are its addresses (9.4); dns." + apex
              + " is the empty name above it (NODATA)";
          break;
        default:
          f.rule = "'" + l[0] + "' is not part of the cluster zone's names (svc, pod, dns-version, ns.dns): "
              + "NXDOMAIN (1.2)";
      }
    }
    return f.build(qname, qtype, (reverse ? "reverse zone " : "cluster zone ") + apex, asked, reply);
  }

  private void services(String[] l, int qtype, ClusterSnapshot snap, Facts f) {
    if (l.length == 1) {
      f.rule = "svc.<zone> exists only as the parent of namespaces: NODATA (9.1)";
      return;
    }
    NamespaceView ns = namespace(l[1], snap, f);
    if (ns == null) {
      return;
    }
    if (l.length == 2) {
      f.rule = "<namespace>.svc exists for every Namespace, with or without services: NODATA (1.5)";
      return;
    }
    ServiceView svc = ns.service(l[2]);
    if (svc == null) {
      f.rule = "no Service '" + l[2] + "' in namespace " + ns.name() + ": NXDOMAIN, and for every name below it";
      f.why.add("namespace " + ns.name() + " exists; none of its " + ns.services().size() + " services is named '"
          + l[2] + "'");
      List<String> elsewhere = new ArrayList<>();
      for (NamespaceView other : snap.namespaces().values()) {
        if (other != ns && other.service(l[2]) != null && elsewhere.size() < CLOSEST) {
          elsewhere.add(l[2] + "." + other.name() + ".svc");
        }
      }
      f.closest.addAll(elsewhere);
      for (String near : closest(l[2], ns.services().keySet())) {
        f.closest.add(near + "." + ns.name() + ".svc");
      }
      return;
    }
    ServiceInfo info = svc.info();
    f.sources.add(new Source("Service", info.namespace() + "/" + info.name(), describe(info)));
    switch (l.length) {
      case 3:
        service(svc, qtype, f);
        break;
      case 4:
        endpoint(svc, l[3], f);
        break;
      case 5:
        port(svc, strip(l[4]), strip(l[3]), qtype, f);
        break;
      default:
        f.rule = "more labels than <port>.<protocol>.<service>.<namespace>.svc: NXDOMAIN (1.2)";
    }
  }

  private void service(ServiceView svc, int qtype, Facts f) {
    ServiceInfo info = svc.info();
    switch (info.kind()) {
      case EXTERNAL_NAME:
        if (ClusterZone.externalNameTarget(info.externalName()) == null) {
          f.rule = "ExternalName Service whose externalName is an address, empty or not a name: no record, "
              + "NXDOMAIN (6.1)";
        } else if (qtype == Type.A || qtype == Type.AAAA || qtype == Type.TXT || qtype == Type.CNAME) {
          f.rule = "ExternalName Service: a CNAME to spec.externalName " + info.externalName() + ", then the "
              + "target's records, from the cluster zone or upstream (6.1, 6.2)";
        } else {
          f.rule = "ExternalName Service: only A, AAAA, TXT and CNAME are answered (with the CNAME); "
              + Type.string(qtype) + " is NODATA (6.3)";
        }
        break;
      case HEADLESS:
        endpoints(svc, svc.endpoints(), f);
        if (svc.endpoints().isEmpty()) {
          f.rule = "headless Service without a ready endpoint: the name does not exist, NXDOMAIN for every type (4.2)";
        } else if (qtype == Type.SRV) {
          f.rule = "SRV of a headless Service: one per ready endpoint and port of its EndpointSlice, target the "
              + "endpoint's name (4.7)";
        } else if (qtype == Type.A || qtype == Type.AAAA) {
          f.rule = "headless Service: one " + Type.string(qtype) + " per ready endpoint address of that family, "
              + "each once (4.1)";
        } else {
          f.rule = "headless Service: A, AAAA and SRV only; " + Type.string(qtype) + " is NODATA (9.1)";
        }
        break;
      default:
        if (qtype == Type.A || qtype == Type.AAAA) {
          f.rule = "ClusterIP Service: " + Type.string(qtype) + " records are its spec.clusterIPs of that family, "
              + "whatever its endpoints (3.1, 3.2)";
          boolean v6 = qtype == Type.AAAA;
          if (info.clusterIps().stream().noneMatch(ip -> ip.v6() == v6)) {
            f.why.add("the Service has no cluster IP of this family (" + info.clusterIps() + "): NODATA");
          }
        } else if (qtype == Type.SRV) {
          f.rule = "SRV of a ClusterIP Service's name: one per port (named or not) and cluster IP, target the "
              + "service's name (3.6)";
        } else {
          f.rule = "ClusterIP Service: A, AAAA and SRV only; " + Type.string(qtype) + " is NODATA (9.1)";
        }
        if (!svc.notReady().isEmpty() || svc.endpoints().isEmpty()) {
          f.why.add("endpoints do not change a ClusterIP Service's records (" + svc.endpoints().size()
              + " ready, " + svc.notReady().size() + " not ready): kube-proxy routes the cluster IP");
        }
    }
  }

  private void endpoint(ServiceView svc, String name, Facts f) {
    if (svc.kind() == ServiceKind.EXTERNAL_NAME) {
      f.rule = "nothing exists below an ExternalName Service's name: NXDOMAIN (6.3)";
      return;
    }
    List<EndpointAddress> named = svc.endpointsNamed(name);
    if (!named.isEmpty()) {
      f.rule = "endpoint name of a " + (svc.kind() == ServiceKind.HEADLESS ? "headless" : "ClusterIP")
          + " Service: the endpoint's ready addresses (3.7, 4.4); endpoints are named by their hostname, else "
          + (kubernetes.endpointPodNames() ? "their pod name (endpoint_pod_names), else " : "")
          + "their address with dashes (4.3)";
      endpoints(svc, named, f);
      return;
    }
    f.rule = "no ready endpoint named '" + name + "' under Service " + svc.namespace() + "/" + svc.name()
        + ": NXDOMAIN";
    if (name.startsWith("_")) {
      f.why.add("a label starting with '_' is the protocol of an SRV name: _<port>._<protocol>.<service> exists "
          + "only with a named port of that protocol (3.3, RFC 8020)");
    }
    for (EndpointAddress e : svc.notReady()) {
      if (e.name().equalsIgnoreCase(name)) {
        f.why.add("endpoint '" + name + "' (" + e.address() + ", EndpointSlice " + e.slice() + ") is not ready; "
            + "DNS publishes ready endpoints only (5.2). A Service with publishNotReadyAddresses: true has every "
            + "endpoint marked ready by the EndpointSlice controller");
        f.sources.add(new Source("Endpoint", e.name(), "not ready, address " + e.address() + ", EndpointSlice "
            + svc.namespace() + "/" + e.slice()));
      }
    }
    f.why.add("endpoints are named by their hostname, else " + (kubernetes.endpointPodNames()
        ? "their pod name (endpoint_pod_names), else " : "") + "their address with dashes (4.3)");
    Set<String> names = new TreeSet<>();
    svc.endpoints().forEach(e -> names.add(e.name().toLowerCase(Locale.ROOT)));
    for (String near : closest(name, names)) {
      f.closest.add(near + "." + svc.name() + "." + svc.namespace() + ".svc");
    }
  }

  private void port(ServiceView svc, String port, String protocol, int qtype, Facts f) {
    if (svc.kind() == ServiceKind.EXTERNAL_NAME) {
      f.rule = "nothing exists below an ExternalName Service's name: NXDOMAIN (6.3)";
      return;
    }
    boolean headless = svc.kind() == ServiceKind.HEADLESS;
    Set<String> named = new TreeSet<>();
    boolean found = false;
    if (headless) {
      for (EndpointAddress e : svc.endpoints()) {
        for (PortInfo p : e.ports()) {
          named.add(p.name() + "/" + p.protocol());
          found |= matches(p, port, protocol);
        }
      }
    } else {
      for (PortInfo p : svc.info().ports()) {
        named.add(p.name() + "/" + p.protocol());
        found |= matches(p, port, protocol);
      }
    }
    if (!found) {
      f.rule = "no " + (headless ? "ready endpoint with a slice port" : "Service port") + " named '" + port
          + "' with protocol '" + protocol + "': NXDOMAIN (3.3, 4.6)";
      f.why.add("the " + (headless ? "EndpointSlice ports of the ready endpoints" : "Service's ports") + " are: "
          + (named.isEmpty() ? "none" : String.join(", ", named)) + "; an SRV name needs a named port, name and "
          + "protocol compared without case (3.3, 1.4)");
      if (headless && svc.endpoints().isEmpty()) {
        f.why.add("the headless Service has no ready endpoint, so none of its SRV names exists (4.2)");
        endpoints(svc, List.of(), f);
      }
      return;
    }
    if (qtype != Type.SRV) {
      f.rule = "an SRV name has only SRV records: " + Type.string(qtype) + " is NODATA (12.6)";
    } else if (headless) {
      f.rule = "_" + port + "._" + protocol + " of a headless Service: one SRV per ready endpoint, with the "
          + "EndpointSlice's port, target the endpoint's name (4.5)";
      endpoints(svc, svc.endpoints(), f);
    } else {
      f.rule = "_" + port + "._" + protocol + " of a ClusterIP Service: SRV with the Service port, target the "
          + "service's name (3.3)";
    }
  }

  /** The ready endpoints used, then the not-ready ones the answer leaves out (5.2). */
  private static void endpoints(ServiceView svc, List<EndpointAddress> used, Facts f) {
    for (EndpointAddress e : used) {
      f.sources.add(new Source("Endpoint", e.name(), "ready, address " + e.address() + ", EndpointSlice "
          + svc.namespace() + "/" + e.slice() + ports(e.ports())));
    }
    if (used == svc.endpoints() && !svc.notReady().isEmpty()) {
      for (EndpointAddress e : svc.notReady()) {
        f.sources.add(new Source("Endpoint", e.name(), "NOT ready, address " + e.address()
            + " left out, EndpointSlice " + svc.namespace() + "/" + e.slice()));
      }
      f.why.add(svc.notReady().size() + " endpoint address(es) are not ready and not published (5.2); "
          + "publishNotReadyAddresses: true on the Service has the EndpointSlice controller mark them ready");
    }
  }

  private void pods(String[] l, int qtype, ClusterSnapshot snap, Facts f) {
    if (l.length == 1) {
      f.rule = "pod.<zone> exists only as the parent of namespaces: NODATA (9.1)";
      return;
    }
    NamespaceView ns = namespace(l[1], snap, f);
    if (ns == null) {
      return;
    }
    PodsMode mode = kubernetes.pods();
    String modeName = mode.name().toLowerCase(Locale.ROOT);
    if (l.length == 2) {
      f.rule = "<namespace>.pod exists for every Namespace: NODATA, whatever the pods mode (8.3)";
    } else if (l.length > 3) {
      f.rule = "more labels than <dashed-ip>.<namespace>.pod: NXDOMAIN (1.2)";
    } else if (mode == PodsMode.DISABLED) {
      f.rule = "pods disabled: pod names do not exist, NXDOMAIN (8.3)";
    } else {
      IpAddress ip = PodLabel.parse(l[2]);
      if (ip == null) {
        f.rule = "'" + l[2] + "' is not an address written with dashes (1-2-3-4, or IPv6 with dashes): "
            + "NXDOMAIN (8.2)";
      } else if (mode == PodsMode.VERIFIED && !ns.podIps().contains(ip)) {
        f.rule = "pods verified: no running Pod in " + ns.name() + " has address " + ip + ": NXDOMAIN (8.3)";
      } else {
        f.rule = "pods " + modeName + ": the address in the name is the answer" + (mode == PodsMode.VERIFIED
            ? ", since a running Pod in the namespace has it (8.3)"
            : ", without checking that a Pod has it (8.1)") + "; " + Type.string(qtype) + " of the other family "
            + "or another type is NODATA";
        if (mode == PodsMode.VERIFIED) {
          f.sources.add(new Source("Pod", ns.name() + "/" + l[2], "a non-terminating Pod with address " + ip));
        }
      }
    }
  }

  private void reverse(Name qname, int qtype, ClusterSnapshot snap, Facts f) {
    IpAddress ip = ReverseName.parse(qname);
    if (ip == null) {
      f.rule = "not the complete reverse name of one address: NXDOMAIN, or forwarded where the zone falls "
          + "through (7.4, 7.5)";
      return;
    }
    List<PtrTarget> targets = snap.ptr(ip);
    if (targets.isEmpty()) {
      f.rule = "no Service cluster IP and no ready endpoint has address " + ip + ": NXDOMAIN, or forwarded where "
          + "the zone falls through (7.4); pod addresses have no PTR (8.4)";
      return;
    }
    boolean clusterIp = targets.get(0).isClusterIp();
    f.rule = clusterIp
        ? "PTR of a Service's cluster IP names the service (7.1); endpoints with the same address are hidden (7.2)"
        : "PTR of a ready endpoint address names the endpoint under each Service that has it (7.2)";
    if (qtype != Type.PTR) {
      f.rule += "; " + Type.string(qtype) + " is NODATA (9.1)";
    }
    for (PtrTarget t : targets) {
      if (t.isClusterIp() != clusterIp) {
        break;
      }
      f.sources.add(t.isClusterIp()
          ? new Source("Service", t.namespace() + "/" + t.service(), "cluster IP " + ip)
          : new Source("Endpoint", t.endpoint(), "ready, address " + ip + ", Service " + t.namespace() + "/"
              + t.service()));
    }
  }

  private static NamespaceView namespace(String name, ClusterSnapshot snap, Facts f) {
    NamespaceView ns = snap.namespace(name);
    if (ns == null) {
      f.rule = "no Namespace '" + name + "': every name under it is NXDOMAIN (1.5)";
      f.why.add("the index has " + snap.namespaces().size() + " namespaces, none named '" + name + "'"
          + " (or the server does not watch it: --namespaces / the kubernetes block's namespaces)");
      f.closest.addAll(closest(name, snap.namespaces().keySet()));
      return null;
    }
    int n = ns.services().size();
    f.sources.add(new Source("Namespace", ns.name(), n + (n == 1 ? " service" : " services")));
    return ns;
  }

  // -------------------------------------------------------------------------------------------- helpers

  private static String describe(ServiceInfo s) {
    StringBuilder b = new StringBuilder();
    switch (s.kind()) {
      case HEADLESS:
        b.append("headless (clusterIP: None)");
        break;
      case EXTERNAL_NAME:
        b.append("ExternalName ").append(s.externalName());
        break;
      default:
        b.append("ClusterIP ").append(s.clusterIps().stream().map(IpAddress::toString)
            .reduce((x, y) -> x + ", " + y).orElse("(none)"));
    }
    return b.append(ports(s.ports())).toString();
  }

  private static String ports(List<PortInfo> ports) {
    if (ports.isEmpty()) {
      return "";
    }
    StringBuilder b = new StringBuilder("; ports ");
    for (int i = 0; i < ports.size(); i++) {
      PortInfo p = ports.get(i);
      b.append(i == 0 ? "" : ", ").append(p.name() == null || p.name().isEmpty() ? "(unnamed)" : p.name())
          .append('/').append(p.protocol()).append('/').append(p.port());
    }
    return b.toString();
  }

  private static boolean matches(PortInfo p, String port, String protocol) {
    return p.name() != null && p.name().equalsIgnoreCase(port) && protocol.equalsIgnoreCase(p.protocol());
  }

  private static String strip(String label) {
    return label.startsWith("_") ? label.substring(1) : label;
  }

  /** Up to {@value #CLOSEST} of {@code names} within a small edit distance of {@code name}, nearest first. */
  static List<String> closest(String name, Iterable<String> names) {
    int limit = Math.max(1, Math.min(3, name.length() / 3));
    List<Map.Entry<String, Integer>> near = new ArrayList<>();
    for (String n : names) {
      int d = distance(name, n, limit);
      if (d <= limit || (name.length() >= 3 && (n.startsWith(name) || name.startsWith(n)) && !n.equals(name))) {
        near.add(Map.entry(n, d));
      }
    }
    near.sort(Comparator.comparingInt((Map.Entry<String, Integer> e) -> e.getValue())
        .thenComparing(Map.Entry::getKey));
    return near.stream().limit(CLOSEST).map(Map.Entry::getKey).toList();
  }

  /**
   * Edit distance counting a swap of two neighbouring letters as one edit (optimal string alignment: the usual
   * typo, {@code wbe} for {@code web}), or {@code limit + 1} as soon as it must exceed {@code limit}.
   */
  static int distance(String a, String b, int limit) {
    if (Math.abs(a.length() - b.length()) > limit) {
      return limit + 1;
    }
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      d[i][0] = i;
      int rowMin = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        int v = Math.min(Math.min(d[i][j - 1] + 1, d[i - 1][j] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          v = Math.min(v, d[i - 2][j - 2] + 1);
        }
        d[i][j] = v;
        rowMin = Math.min(rowMin, v);
      }
      if (rowMin > limit) {
        return limit + 1;
      }
    }
    return Math.min(d[a.length()][b.length()], limit + 1);
  }

  /** What one explanation collects before it is frozen into an {@link Explanation}. */
  private static final class Facts {
    String rule;
    String ttl;
    Forwarding forwarding;
    final List<Source> sources = new ArrayList<>();
    final List<String> why = new ArrayList<>();
    final List<String> closest = new ArrayList<>();

    Explanation build(Name qname, int qtype, String route, String asked, Message reply) {
      return new Explanation(qname.toString(), Type.string(qtype), route, asked,
          reply == null ? null : Rcode.string(reply.getRcode()),
          lines(reply, Section.ANSWER), lines(reply, Section.AUTHORITY), lines(reply, Section.ADDITIONAL),
          rule, sources, why, closest, ttl, forwarding);
    }

    private static List<String> lines(Message reply, int section) {
      if (reply == null) {
        return List.of();
      }
      List<String> out = new ArrayList<>();
      for (Record r : reply.getSection(section)) {
        if (r.getType() != Type.OPT) {
          out.add(r.toString());
        }
      }
      return out;
    }
  }
}
