package io.clusterdns.server.zone;

import java.util.List;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;

/**
 * The outcome of a cluster-zone lookup: a closed set the encoder switches over exhaustively, so the rules
 * for negative answers live in one place (STYLE.md, "Outcomes, not exceptions").
 */
public sealed interface Answer {

  /** NOERROR with records; AA set. Owner names already carry the question's spelling. */
  record Found(List<Record> answer, List<Record> additional) implements Answer {
    public Found {
      answer = List.copyOf(answer);
      additional = List.copyOf(additional);
    }
  }

  /** The name exists but has no record of the type: NOERROR, empty answer, SOA in authority (RFC 2308). */
  record NoData(SOARecord soa) implements Answer {}

  /** The name does not exist: NXDOMAIN with SOA in authority (RFC 2308). */
  record NxDomain(SOARecord soa) implements Answer {}

  /**
   * An ExternalName CNAME (chain) whose final target lies outside the cluster zones: the server resolves
   * {@code target} through its forward path and appends those records (behaviours.md 6.2).
   */
  record External(List<Record> cnames, Name target) implements Answer {
    public External {
      cnames = List.copyOf(cnames);
    }
  }

  /** The first sync with the API server has not finished: SERVFAIL, never NXDOMAIN (behaviours.md 9.7). */
  record NotSynced() implements Answer {}

  /** A miss in a zone configured to fall through: the forwarder answers instead (behaviours.md 7.4). */
  record FallThrough() implements Answer {}

  /** Not served here (zone transfers, behaviours.md 10.5): REFUSED. */
  record Refused() implements Answer {}
}
