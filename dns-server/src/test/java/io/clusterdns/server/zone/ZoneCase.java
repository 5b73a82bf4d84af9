package io.clusterdns.server.zone;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One row of an answer table: a question and what behaviours.md says must come back, records written in
 * zone-file text. Built with a fluent chain, e.g.
 * {@code ask("kubernetes.default.svc.cluster.local.", "A").found("... 30 IN A 10.96.0.1").row("3.1")}.
 */
final class ZoneCase {
  /** The outcome kinds of {@link Answer}; NOERROR with records is FOUND. */
  enum Outcome {
    FOUND,
    NODATA,
    NXDOMAIN,
    EXTERNAL,
    FALL_THROUGH,
    NOT_SYNCED,
    REFUSED
  }

  final String qname;
  final String qtype;
  Outcome outcome;
  final List<String> answer = new ArrayList<>();
  final List<String> additional = new ArrayList<>();
  /** For negative answers: the SOA owner as the question spells the zone; null = "cluster.local.". */
  String soaZone;
  /** For {@link Outcome#EXTERNAL}: the name the pipeline must resolve upstream. */
  String externalTarget;
  String row = "?";

  private ZoneCase(String qname, String qtype) {
    this.qname = qname;
    this.qtype = qtype;
  }

  static ZoneCase ask(String qname, String qtype) {
    return new ZoneCase(qname, qtype);
  }

  /** NOERROR with exactly these answer records (any order, except CNAMEs first and in chain order). */
  ZoneCase found(String... records) {
    outcome = Outcome.FOUND;
    answer.addAll(Arrays.asList(records));
    return this;
  }

  /** Exactly these additional records (any order); without this call the additional section must be empty. */
  ZoneCase extra(String... records) {
    additional.addAll(Arrays.asList(records));
    return this;
  }

  ZoneCase nodata() {
    outcome = Outcome.NODATA;
    return this;
  }

  ZoneCase nxdomain() {
    outcome = Outcome.NXDOMAIN;
    return this;
  }

  /** The SOA of a negative answer is owned by this zone (spelled as the question spells it). */
  ZoneCase soa(String zone) {
    soaZone = zone;
    return this;
  }

  /** CNAME chain (in order) ending outside the cluster zones, at {@code target}. */
  ZoneCase external(String target, String... cnames) {
    outcome = Outcome.EXTERNAL;
    externalTarget = target;
    answer.addAll(Arrays.asList(cnames));
    return this;
  }

  ZoneCase fallThrough() {
    outcome = Outcome.FALL_THROUGH;
    return this;
  }

  ZoneCase notSynced() {
    outcome = Outcome.NOT_SYNCED;
    return this;
  }

  ZoneCase refused() {
    outcome = Outcome.REFUSED;
    return this;
  }

  /** The behaviours.md row(s) this case proves. */
  ZoneCase row(String row) {
    this.row = row;
    return this;
  }

  @Override
  public String toString() {
    return "behaviours.md " + row + ": " + qname + " " + qtype + " -> " + outcome;
  }
}
