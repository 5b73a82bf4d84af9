package io.clusterdns.conformance;

import java.util.List;
import java.util.Locale;

/**
 * One expected record, written in zone-file text with two relaxations: the TTL may be {@code *} (any) or a
 * range {@code lo-hi} (forwarded answers, whose TTL counts down in a cache), and any rdata token may be
 * {@code *} (the SOA serial, which no client can know). Names compare case-insensitively unless the case
 * is tagged {@code case}, where letter case is the point (behaviours.md 10.6). Immutable.
 */
public record RecordPattern(String owner, long ttlMin, long ttlMax, String rclass, String type,
    List<String> rdata) {

  /** Parses {@code owner ttl class type rdata...}; {@code ttl} is a number, {@code *} or {@code lo-hi}. */
  static RecordPattern parse(String text) {
    List<String> t = DigRecord.tokens(text.trim());
    if (t.size() < 4) {
      throw new IllegalArgumentException("expected 'owner ttl class type rdata', got: " + text);
    }
    String ttl = t.get(1);
    long lo;
    long hi;
    if (ttl.equals("*")) {
      lo = 0;
      hi = Long.MAX_VALUE;
    } else if (ttl.contains("-")) {
      lo = Long.parseLong(ttl.substring(0, ttl.indexOf('-')));
      hi = Long.parseLong(ttl.substring(ttl.indexOf('-') + 1));
    } else {
      lo = hi = Long.parseLong(ttl);
    }
    return new RecordPattern(t.get(0), lo, hi, t.get(2).toUpperCase(Locale.ROOT),
        t.get(3).toUpperCase(Locale.ROOT), List.copyOf(t.subList(4, t.size())));
  }

  boolean matches(DigRecord r, boolean exactCase) {
    return sameName(owner, r.owner(), exactCase)
        && r.ttl() >= ttlMin && r.ttl() <= ttlMax
        && rclass.equals(r.rclass())
        && type.equals(r.type())
        && sameRdata(r.rdata(), exactCase);
  }

  private boolean sameRdata(List<String> got, boolean exactCase) {
    if (got.size() != rdata.size()) {
      return false;
    }
    for (int i = 0; i < rdata.size(); i++) {
      String want = rdata.get(i);
      String have = got.get(i);
      if (want.equals("*")) {
        continue;
      }
      boolean same = switch (type) {
        case "A", "AAAA" -> sameAddress(want, have);
        case "TXT" -> want.equals(have);
        default -> sameName(want, have, exactCase);
      };
      if (!same) {
        return false;
      }
    }
    return true;
  }

  /** Names (and other rdata tokens): trailing dot optional, letter case per {@code exactCase}. */
  static boolean sameName(String want, String have, boolean exactCase) {
    String w = want.endsWith(".") ? want : want + ".";
    String h = have.endsWith(".") ? have : have + ".";
    return exactCase ? w.equals(h) : w.equalsIgnoreCase(h);
  }

  private static boolean sameAddress(String want, String have) {
    return ReverseName.isLiteral(want) && ReverseName.isLiteral(have)
        && ReverseName.canonical(want).equals(ReverseName.canonical(have));
  }

  @Override
  public String toString() {
    String ttl = ttlMin == ttlMax ? Long.toString(ttlMin)
        : ttlMax == Long.MAX_VALUE && ttlMin == 0 ? "*" : ttlMin + "-" + ttlMax;
    return owner + " " + ttl + " " + rclass + " " + type + (rdata.isEmpty() ? "" : " " + String.join(" ", rdata));
  }
}
