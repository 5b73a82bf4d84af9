package io.clusterdns.conformance;

import java.util.ArrayList;
import java.util.List;

/**
 * One resource record as dig prints it in a section: owner, TTL, class, type and the rdata tokens.
 * Immutable; shared freely between threads.
 */
public record DigRecord(String owner, long ttl, String rclass, String type, List<String> rdata) {

  /** Parses one dig section line (zone-file presentation: {@code owner ttl class type rdata...}). */
  static DigRecord parse(String line) {
    List<String> t = tokens(line);
    if (t.size() < 4) {
      throw new IllegalArgumentException("not a record line: " + line);
    }
    return new DigRecord(t.get(0), Long.parseLong(t.get(1)), t.get(2).toUpperCase(),
        t.get(3).toUpperCase(), List.copyOf(t.subList(4, t.size())));
  }

  /** Splits presentation text on white space, keeping "quoted strings" (TXT) as one token each. */
  static List<String> tokens(String text) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quoted) {
        cur.append(c);
        if (c == '\\' && i + 1 < text.length()) {
          cur.append(text.charAt(++i));
        } else if (c == '"') {
          quoted = false;
        }
      } else if (c == '"') {
        cur.append(c);
        quoted = true;
      } else if (Character.isWhitespace(c)) {
        if (cur.length() > 0) {
          out.add(cur.toString());
          cur.setLength(0);
        }
      } else {
        cur.append(c);
      }
    }
    if (cur.length() > 0) {
      out.add(cur.toString());
    }
    return out;
  }

  @Override
  public String toString() {
    return owner + " " + ttl + " " + rclass + " " + type + (rdata.isEmpty() ? "" : " " + String.join(" ", rdata));
  }
}
