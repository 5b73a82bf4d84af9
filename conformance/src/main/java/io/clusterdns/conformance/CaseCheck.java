package io.clusterdns.conformance;

import java.util.ArrayList;
import java.util.List;

/**
 * Compares one dig reply with one case: status, the echoed question (exact bytes incl. letter case,
 * behaviours.md 10.6), header and OPT flags, the three sections, and CNAME-before-target order (6.2).
 * Stateless.
 */
final class CaseCheck {

  private CaseCheck() {}

  /** Returns the differences, empty when the reply satisfies the case. */
  static List<String> problems(DigCase c, DigReply r) {
    List<String> p = new ArrayList<>();
    if (!r.answered()) {
      String[] lines = r.raw().strip().split("\n");
      p.add("no reply: " + (lines.length == 0 ? "" : lines[lines.length - 1].strip()));
      return p;
    }
    if (!c.rcodes().contains(r.status())) {
      p.add("rcode: expected " + String.join("|", c.rcodes()) + ", got " + r.status());
    }
    String want = c.qname().endsWith(".") ? c.qname() : c.qname() + ".";
    // IXFR=serial is dig's spelling; the wire type is IXFR.
    String wantType = c.qtype().contains("=") ? c.qtype().substring(0, c.qtype().indexOf('=')) : c.qtype();
    if (c.options().contains("+header-only")) {
      // The query had no question (behaviours.md 10.4), so there is nothing to echo.
      if (r.questionName() != null) {
        p.add("question: none sent, got " + r.questionName());
      }
    } else if (r.questionName() == null) {
      p.add("question: expected " + want + " " + c.qtype() + " echoed, got none");
    } else if (!want.equals(r.questionName()) || !wantType.equals(r.questionType())) {
      p.add("question: expected " + want + " " + c.qtype() + ", got " + r.questionName() + " "
          + r.questionType());
    }
    checkFlags(c, r, p);
    for (DigReply.Section s : DigReply.Section.values()) {
      String diff = c.section(s).check(r.section(s), c.exactCase());
      if (diff != null) {
        p.add(s.name().toLowerCase() + ": " + diff);
      }
    }
    String order = cnameOrder(r.answer());
    if (order != null) {
      p.add("answer order: " + order);
    }
    return p;
  }

  private static void checkFlags(DigCase c, DigReply r, List<String> p) {
    if (!r.flags().contains("qr")) {
      p.add("flags: qr not set");
    }
    // An unexpected truncation is always wrong; cases that expect it say so.
    if (!c.flags().contains("tc") && r.flags().contains("tc")) {
      p.add("flags: tc set, not expected");
    }
    for (String f : c.flags()) {
      boolean negate = f.startsWith("!");
      String name = negate ? f.substring(1) : f;
      boolean present = switch (name) {
        case "edns" -> r.ednsVersion() >= 0;
        case "edns0" -> r.ednsVersion() == 0;
        case "do" -> r.ednsFlags().contains("do");
        default -> r.flags().contains(name);
      };
      if (present == negate) {
        p.add("flags: expected " + f + ", got header [" + String.join(" ", r.flags()) + "]"
            + (r.ednsVersion() < 0 ? " no OPT" : " OPT version " + r.ednsVersion() + " flags ["
                + String.join(" ", r.ednsFlags()) + "]"));
      }
    }
  }

  /** A CNAME must come before any record owned by its target (RFC 1034 4.3.2 order, e2e's check). */
  private static String cnameOrder(List<DigRecord> answer) {
    for (int i = 0; i < answer.size(); i++) {
      DigRecord cname = answer.get(i);
      if (!cname.type().equals("CNAME") || cname.rdata().isEmpty()) {
        continue;
      }
      String target = cname.rdata().get(0);
      for (int j = 0; j < i; j++) {
        if (RecordPattern.sameName(target, answer.get(j).owner(), false)) {
          return "CNAME " + cname.owner() + " -> " + target + " comes after its target's " + answer.get(j);
        }
      }
    }
    return null;
  }
}
