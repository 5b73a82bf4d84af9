package io.clusterdns.server.zone;

import io.clusterdns.index.ClusterSnapshot;
import io.clusterdns.index.NamespaceView;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;

/**
 * Working state of one question against one zone: the name as asked, the snapshot read once, and the
 * records found so far. Created per question and confined to the event loop that answers it.
 */
final class Lookup {
  /** What the name turned out to be. */
  enum Kind {
    /** Records of the type were found (in {@link #answer}). */
    FOUND,
    /** The name exists without records of the type. */
    NODATA,
    /** The name does not exist. */
    NXDOMAIN,
    /** The name is an ExternalName service pointing at {@link #alias} and the type is one a CNAME answers. */
    ALIAS
  }

  final Name qname;
  final int qtype;
  final ZoneApex zone;
  final ClusterSnapshot snapshot;
  /** Number of labels left of the zone; 0 at the apex. */
  final int below;
  final List<Record> answer = new ArrayList<>(4);
  final List<Record> additional = new ArrayList<>(2);
  /** For {@link Kind#ALIAS}: the absolute {@code spec.externalName}. */
  Name alias;
  /**
   * The namespace view the answer was read from, when it is the only part of the snapshot it depends on
   * (names under {@code <ns>.svc} and {@code <ns>.pod}); else null. Lets an encoded answer be reused until
   * that namespace changes.
   */
  NamespaceView view;
  private Name suffix;

  Lookup(Name qname, int qtype, ZoneApex zone, ClusterSnapshot snapshot) {
    this.qname = qname;
    this.qtype = qtype;
    this.zone = zone;
    this.snapshot = snapshot;
    this.below = qname.labels() - zone.labels();
  }

  /**
   * Label {@code i} counted leftwards from the zone (0 is the label just left of the zone), lowercase, in
   * dnsjava's escaped text form so odd bytes never equal a Kubernetes name (behaviours.md 1.4).
   */
  String label(int i) {
    return lower(qname.getLabelString(below - 1 - i));
  }

  /** The zone as the question spells it (behaviours.md 9.3, 10.6). */
  Name suffix() {
    if (suffix == null) {
      suffix = below == 0 ? qname : new Name(qname, below);
    }
    return suffix;
  }

  /** ASCII lowercase; returns the same string when there is nothing to change. */
  static String lower(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        char[] out = s.toCharArray();
        for (int j = i; j < out.length; j++) {
          char d = out[j];
          if (d >= 'A' && d <= 'Z') {
            out[j] = (char) (d + ('a' - 'A'));
          }
        }
        return new String(out);
      }
    }
    return s;
  }
}
