package io.clusterdns.server.cache;

import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * How the cache files a reply (CoreDNS {@code response.Typify}, reduced to what caching needs): the
 * negative-caching rules live here only (STYLE.md "Outcomes, not exceptions").
 */
enum ReplyKind {
  /** NOERROR with an answer, or a referral: the success section. */
  SUCCESS,
  /** NXDOMAIN, or NOERROR without answer (NODATA): the denial section, TTL from the SOA (RFC 2308 5). */
  DENIAL,
  /** SERVFAIL from the upstream: the denial section for {@code servfail} seconds (RFC 2308 7.1). */
  SERVFAIL,
  /** Not cached: truncated, REFUSED, FORMERR, NOTIMP and others. */
  UNCACHEABLE;

  /** Negative TTL when a denial carries no SOA, seconds (CoreDNS's minimal default TTL). */
  static final long NO_SOA_DENIAL_TTL = 5;

  static ReplyKind of(Message reply) {
    if (reply.getHeader().getFlag(Flags.TC)) {
      return UNCACHEABLE; // the client retries over TCP; a partial answer must not be served later
    }
    switch (reply.getRcode()) {
      case Rcode.NOERROR: {
        if (!reply.getSection(Section.ANSWER).isEmpty()) {
          return SUCCESS;
        }
        boolean soa = false;
        boolean ns = false;
        for (Record r : reply.getSection(Section.AUTHORITY)) {
          soa |= r.getType() == Type.SOA;
          ns |= r.getType() == Type.NS;
        }
        return ns && !soa ? SUCCESS : DENIAL;
      }
      case Rcode.NXDOMAIN:
        return DENIAL;
      case Rcode.SERVFAIL:
        return SERVFAIL;
      default:
        return UNCACHEABLE;
    }
  }

  /** The smallest TTL of the reply's records (OPT excluded), or -1 when it has none. */
  static long minTtl(Message reply) {
    long min = -1;
    for (int s = Section.ANSWER; s <= Section.ADDITIONAL; s++) {
      for (Record r : reply.getSection(s)) {
        if (r.getType() != Type.OPT && (min < 0 || r.getTTL() < min)) {
          min = r.getTTL();
        }
      }
    }
    return min;
  }

  /** Negative TTL: the smallest min(SOA TTL, SOA MINIMUM) in authority (RFC 2308 5), or -1. */
  static long denialTtl(Message reply) {
    long min = -1;
    for (Record r : reply.getSection(Section.AUTHORITY)) {
      if (r instanceof SOARecord soa) {
        long t = Math.min(soa.getTTL(), soa.getMinimum());
        if (min < 0 || t < min) {
          min = t;
        }
      }
    }
    return min;
  }
}
