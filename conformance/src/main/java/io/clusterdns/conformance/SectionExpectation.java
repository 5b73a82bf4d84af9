package io.clusterdns.conformance;

import java.util.ArrayList;
import java.util.List;

/**
 * What one section of the reply must hold. In the case table: {@code -} = empty; {@code *} = not checked;
 * records separated by {@code |} = exactly these (as a multiset, any order); the same prefixed with
 * {@code ~} = a non-empty subset of these (a truncated reply keeps some RRs, behaviours.md 10.2).
 * Immutable.
 */
public record SectionExpectation(Mode mode, List<RecordPattern> records) {

  /** How the records are compared with the reply's section. */
  public enum Mode { EXACT, SUBSET, UNCHECKED }

  static final SectionExpectation EMPTY = new SectionExpectation(Mode.EXACT, List.of());

  static SectionExpectation parse(String text) {
    String t = text.trim();
    if (t.equals("-") || t.isEmpty()) {
      return EMPTY;
    }
    if (t.equals("*")) {
      return new SectionExpectation(Mode.UNCHECKED, List.of());
    }
    Mode mode = Mode.EXACT;
    if (t.startsWith("~")) {
      mode = Mode.SUBSET;
      t = t.substring(1);
    }
    List<RecordPattern> rs = new ArrayList<>();
    for (String part : t.split("\\|")) {
      if (!part.isBlank()) {
        rs.add(RecordPattern.parse(part));
      }
    }
    return new SectionExpectation(mode, List.copyOf(rs));
  }

  /**
   * Compares; returns null when the section matches, else a one-line description of the difference.
   */
  String check(List<DigRecord> got, boolean exactCase) {
    if (mode == Mode.UNCHECKED) {
      return null;
    }
    List<RecordPattern> missing = new ArrayList<>(records);
    List<DigRecord> extra = new ArrayList<>();
    for (DigRecord r : got) {
      RecordPattern hit = null;
      for (RecordPattern p : missing) {
        if (p.matches(r, exactCase)) {
          hit = p;
          break;
        }
      }
      if (hit == null) {
        extra.add(r);
      } else {
        missing.remove(hit);
      }
    }
    if (mode == Mode.SUBSET) {
      if (got.isEmpty()) {
        return "expected some of " + records.size() + " records, got none";
      }
      return extra.isEmpty() ? null : "unexpected " + brief(extra);
    }
    if (missing.isEmpty() && extra.isEmpty()) {
      return null;
    }
    StringBuilder sb = new StringBuilder();
    if (!missing.isEmpty()) {
      sb.append("missing ").append(brief(missing));
    }
    if (!extra.isEmpty()) {
      sb.append(sb.length() > 0 ? "; " : "").append("unexpected ").append(brief(extra));
    }
    return sb.toString();
  }

  /** Keeps failure lines readable when a 40-record set is missing entirely. */
  private static String brief(List<?> items) {
    if (items.size() <= 6) {
      return items.toString();
    }
    return items.subList(0, 5).toString().replaceFirst("]$", ", ... " + (items.size() - 5) + " more]");
  }

  @Override
  public String toString() {
    return switch (mode) {
      case UNCHECKED -> "*";
      case SUBSET -> "~" + records;
      case EXACT -> records.isEmpty() ? "-" : records.toString();
    };
  }
}
