package io.clusterdns.server.zone;

import org.xbill.DNS.Name;

/**
 * One configured zone, precomputed at start-up so routing a query costs no parsing: its name, label count,
 * whether it is a reverse tree, and the fixed SOA names of behaviours.md 9.3. Immutable; shared by all event
 * loops.
 *
 * @param name absolute, lowercase zone name
 * @param labels {@code name.labels()}, counting the root label as dnsjava does
 * @param reverse under {@code in-addr.arpa.} or {@code ip6.arpa.}: answered with PTRs (behaviours.md 7)
 * @param mname SOA MNAME {@code ns.dns.<zone>.}
 * @param rname SOA RNAME {@code hostmaster.<zone>.}
 */
record ZoneApex(Name name, int labels, boolean reverse, Name mname, Name rname) {

  static ZoneApex of(String zone) {
    Name n = Name.fromConstantString(zone);
    boolean reverse = n.subdomain(ReverseName.IN_ADDR_ARPA) || n.subdomain(ReverseName.IP6_ARPA);
    return new ZoneApex(
        n,
        n.labels(),
        reverse,
        Name.fromConstantString("ns.dns." + zone),
        Name.fromConstantString("hostmaster." + zone));
  }
}
