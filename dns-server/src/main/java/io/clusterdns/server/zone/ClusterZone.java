package io.clusterdns.server.zone;

import io.clusterdns.config.KubernetesConfig;
import io.clusterdns.index.ClusterSnapshot;
import io.clusterdns.index.NamespaceView;
import io.clusterdns.index.SnapshotSource;
import io.clusterdns.server.zone.Lookup.Kind;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Type;

/**
 * Answers questions in the cluster zones from the current {@link ClusterSnapshot}: the Kubernetes DNS
 * specification as CoreDNS's {@code kubernetes} plugin serves it (behaviours.md sections 1-9 and 12).
 *
 * <p>Design notes.
 * <ul>
 *   <li>Threads: immutable after construction; {@link #answer} runs synchronously on any event loop. It reads
 *       the snapshot once (one volatile read), never blocks, locks, logs or uses regex, and allocates only the
 *       records of the answer and a small per-question {@link Lookup}.
 *   <li>Routing: the longest configured zone containing the name wins (1.1). Zone names, SOA names and
 *       fall-through names are precomputed here.
 *   <li>Outcomes: the grammar ({@link ForwardZone}, {@link ReverseZone}) says FOUND / NODATA / NXDOMAIN /
 *       ALIAS; this class turns that into an {@link Answer}: the SOA for negative answers (9.3), fall-through
 *       of misses (7.4), SERVFAIL before the first sync (9.7) and the ExternalName CNAME chain (6.2, 6.4).
 *   <li>Failure: no input name or type makes it throw; an unexpected exception is answered as SERVFAIL.
 * </ul>
 */
public final class ClusterZone {
  /** behaviours.md 6.4: CNAMEs followed at most, as CoreDNS's {@code maxCnameChainLength}. */
  private static final int MAX_CNAME_CHAIN = 10;

  /** behaviours.md 9.3: the SOA record's own TTL is the zone TTL capped at this many seconds. */
  private static final long MAX_SOA_TTL = 300;

  /** behaviours.md 9.3: SOA refresh, retry and expire, in seconds (CoreDNS {@code plugin.SOA}). */
  private static final long SOA_REFRESH = 7200;

  private static final long SOA_RETRY = 1800;
  private static final long SOA_EXPIRE = 86400;

  private static final Answer.Refused REFUSED = new Answer.Refused();
  private static final Answer.FallThrough FALL_THROUGH = new Answer.FallThrough();
  private static final Answer.NotSynced NOT_SYNCED = new Answer.NotSynced();

  /** Configured zones, most labels first, so the first match is the longest (1.1). */
  private final ZoneApex[] zones;

  /** The same zones in lowercase wire form, for {@link #coversWire}. */
  private final byte[][] wireZones;

  private final Name[] fallthrough;
  private final SnapshotSource source;
  private final long ttl;
  private final ForwardZone forward;
  private final ReverseZone reverse;

  public ClusterZone(KubernetesConfig config, SnapshotSource source, List<InetAddress> selfAddresses) {
    this.source = source;
    this.ttl = config.ttl();
    List<ZoneApex> list = new ArrayList<>();
    for (String z : config.zones()) {
      list.add(ZoneApex.of(KubernetesConfig.absolute(z)));
    }
    list.sort(Comparator.comparingInt(ZoneApex::labels).reversed());
    this.zones = list.toArray(new ZoneApex[0]);
    this.wireZones = new byte[zones.length][];
    for (int i = 0; i < zones.length; i++) {
      wireZones[i] = zones[i].name().toWire();
    }
    List<Name> ft = new ArrayList<>();
    for (String z : config.fallthrough()) {
      ft.add(Name.fromConstantString(KubernetesConfig.absolute(z)));
    }
    this.fallthrough = ft.toArray(new Name[0]);
    NameServers ns = new NameServers(ttl, selfAddresses);
    this.forward = new ForwardZone(ttl, config.pods(), ns);
    this.reverse = new ReverseZone(ttl, Name.fromConstantString(config.clusterDomain()), ns);
  }

  /** true if qname is at or below one of config.zones() (case-insensitive). */
  public boolean covers(Name qname) {
    return zoneOf(qname) != null;
  }

  /**
   * {@link #covers} for a lowercase, uncompressed wire-form name, without building a {@link Name}: the name
   * ends with a zone's wire bytes starting at one of its own label boundaries.
   */
  public boolean coversWire(byte[] name) {
    for (byte[] zone : wireZones) {
      if (WireName.under(name, zone)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The CNAME target an ExternalName Service with this {@code spec.externalName} gets (6.1), or null when it
   * gets none (an IP address, empty, or not a name): the rule the answers follow, for {@code explain}.
   */
  public static Name externalNameTarget(String externalName) {
    return ForwardZone.externalTarget(externalName);
  }

  /** The configured zone that answers {@code qname} (the longest containing it), or null when none does. */
  public Name apexOf(Name qname) {
    ZoneApex z = zoneOf(qname);
    return z == null ? null : z.name();
  }

  /** The zone TTL: of every record but {@code dns-version}'s, and the SOA's minimum (behaviours.md 9.3). */
  public long ttl() {
    return ttl;
  }

  /**
   * The longest configured zone containing {@code qname} when it is a forward zone (names of services and pods),
   * as configured (lowercase); null for names outside the zones or in a reverse zone.
   */
  public Name forwardZoneOf(Name qname) {
    ZoneApex z = zoneOf(qname);
    return z == null || z.reverse() ? null : z.name();
  }

  /** The snapshots answers are read from. */
  public SnapshotSource source() {
    return source;
  }

  /**
   * An answer with what it was read from, so an encoded copy can be reused exactly as long as that is
   * unchanged: {@code view} (with its lowercase {@code namespace}) when only that namespace's view was read,
   * else the whole {@code snapshot}. {@code snapshot} is null when nothing may be reused (an error, or not
   * synced yet).
   */
  public record Scoped(Answer answer, ClusterSnapshot snapshot, String namespace, NamespaceView view) {}

  /** {@link #answer} with its {@link Scoped scope}. Never throws. */
  public Scoped answerScoped(Name qname, int qtype) {
    try {
      return resolve(qname, qtype);
    } catch (RuntimeException e) {
      return new Scoped(NOT_SYNCED, null, null, null);
    }
  }

  /**
   * Answer for a question (class IN) whose name covers() accepted. qname keeps the client's letter case.
   * Never throws for any input name/type.
   */
  public Answer answer(Name qname, int qtype) {
    try {
      return lookup(qname, qtype);
    } catch (RuntimeException e) {
      // A bug must not kill the event loop or hang the client: SERVFAIL, which clients retry.
      return NOT_SYNCED;
    }
  }

  /** {@link #answer} without the safety net, so tests see any exception. */
  Answer lookup(Name qname, int qtype) {
    return resolve(qname, qtype).answer();
  }

  private Scoped resolve(Name qname, int qtype) {
    if (qtype == Type.AXFR || qtype == Type.IXFR) {
      return new Scoped(REFUSED, null, null, null); // 10.5: no zone transfers
    }
    ZoneApex zone = zoneOf(qname);
    if (zone == null) {
      return new Scoped(FALL_THROUGH, null, null, null); // not ours: let the forwarder have it
    }
    ClusterSnapshot snapshot = source.current();
    Lookup q = new Lookup(qname, qtype, zone, snapshot);
    Kind kind = kindOf(q);
    Answer a = outcome(q, kind);
    if (a == NOT_SYNCED) {
      return new Scoped(a, null, null, null);
    }
    // An ExternalName chain reads other services (other namespaces, too): it depends on the whole snapshot.
    NamespaceView view = kind == Kind.ALIAS ? null : q.view;
    if (view != null) {
      return new Scoped(a, snapshot, view.name().toLowerCase(java.util.Locale.ROOT), view);
    }
    return new Scoped(a, snapshot, null, null);
  }

  private Kind kindOf(Lookup q) {
    Name qname = q.qname;
    int qtype = q.qtype;
    Kind kind;
    if (q.below == 0 && qtype == Type.SOA) {
      q.answer.add(soa(q)); // 9.3
      kind = Kind.FOUND;
    } else if (!q.zone.reverse()) {
      kind = forward.lookup(q);
    } else if (q.below > 0) {
      kind = reverse.lookup(q);
    } else if (qtype == Type.NS) {
      kind = reverse.apexNs(q) ? Kind.FOUND : Kind.NODATA;
    } else {
      // Other types at a reverse apex: CoreDNS treats them as misses (its "fake A lookup" fails).
      kind = fallsThrough(qname) ? Kind.NXDOMAIN : Kind.NODATA;
    }
    return kind;
  }

  private Answer outcome(Lookup q, Kind kind) {
    Name qname = q.qname;
    switch (kind) {
      case FOUND:
        return new Answer.Found(q.answer, q.additional);
      case NODATA:
        return new Answer.NoData(soa(q));
      case ALIAS:
        return externalName(q);
      default:
        if (fallsThrough(qname)) {
          return FALL_THROUGH; // 7.4: before the sync check, as CoreDNS's handler does
        }
        if (!source.synced()) {
          return NOT_SYNCED; // 9.7: never a false NXDOMAIN before the first sync
        }
        return new Answer.NxDomain(soa(q));
    }
  }

  /**
   * 6.1-6.4: the CNAME, then the target's records. In-zone targets are resolved here (following further
   * ExternalName services up to {@value #MAX_CNAME_CHAIN} CNAMEs, never around a loop); an out-of-zone target
   * goes back to the pipeline as {@link Answer.External}. A chain that ends without records is NODATA
   * without the CNAMEs, as CoreDNS does (12.5).
   */
  private Answer externalName(Lookup q) {
    List<Record> chain = new ArrayList<>(3);
    Name owner = q.qname;
    Name target = q.alias;
    for (int hop = 0; hop < MAX_CNAME_CHAIN; hop++) {
      if (target.equals(q.qname) || ownsCname(chain, target)) {
        return new Answer.NoData(soa(q)); // 6.4: a loop is not emitted
      }
      chain.add(new CNAMERecord(owner, DClass.IN, ttl, target));
      if (q.qtype == Type.CNAME) {
        return new Answer.Found(chain, List.of()); // a CNAME question gets just the CNAME
      }
      ZoneApex zone = zoneOf(target);
      if (zone == null || zone.reverse()) {
        return new Answer.External(chain, target); // 6.2: the pipeline resolves it upstream
      }
      Lookup next = new Lookup(target, q.qtype, zone, q.snapshot);
      Kind kind = forward.lookup(next);
      if (kind == Kind.FOUND) {
        chain.addAll(next.answer); // CNAMEs precede the target's records (6.2)
        return new Answer.Found(chain, next.additional);
      }
      if (kind != Kind.ALIAS) {
        return new Answer.NoData(soa(q)); // 12.5
      }
      owner = target;
      target = next.alias;
    }
    return new Answer.NoData(soa(q)); // 6.4: chain too long
  }

  private static boolean ownsCname(List<Record> chain, Name name) {
    for (Record r : chain) {
      if (r.getName().equals(name)) {
        return true;
      }
    }
    return false;
  }

  /**
   * 9.3: {@code <zone> min(ttl,300) SOA ns.dns.<zone>. hostmaster.<zone>. serial 7200 1800 86400 ttl}, owned
   * by the matched zone as the question spells it; MNAME and RNAME take that spelling too, as CoreDNS builds
   * them from the question's zone suffix (K8S handler_case_test.go).
   */
  private static final Name NS_DNS = Name.fromConstantString("ns.dns");
  private static final Name HOSTMASTER = Name.fromConstantString("hostmaster");

  private SOARecord soa(Lookup q) {
    long serial = q.snapshot.serial() & 0xFFFFFFFFL;
    Name zone = q.suffix();
    Name mname = q.zone.mname();
    Name rname = q.zone.rname();
    try {
      mname = Name.concatenate(NS_DNS, zone);
      rname = Name.concatenate(HOSTMASTER, zone);
    } catch (org.xbill.DNS.NameTooLongException e) {
      // A zone within 7 bytes of the name limit: keep the lowercase names built at start-up.
    }
    return new SOARecord(
        zone,
        DClass.IN,
        Math.min(ttl, MAX_SOA_TTL),
        mname,
        rname,
        serial,
        SOA_REFRESH,
        SOA_RETRY,
        SOA_EXPIRE,
        ttl);
  }

  private ZoneApex zoneOf(Name qname) {
    if (qname == null || !qname.isAbsolute()) {
      return null;
    }
    int labels = qname.labels();
    for (ZoneApex z : zones) {
      if (labels >= z.labels() && qname.subdomain(z.name())) {
        return z;
      }
    }
    return null;
  }

  private boolean fallsThrough(Name qname) {
    for (Name z : fallthrough) {
      if (qname.subdomain(z)) {
        return true;
      }
    }
    return false;
  }
}
