package io.clusterdns.conformance;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Parses the output of {@code dig +noall +comments +question +answer +authority +additional}. When dig
 * printed more than one message (it does after "Truncated, retrying in TCP mode"), the last one counts,
 * since that is what a stub resolver would use. Stateless.
 */
final class DigOutputParser {

  private DigOutputParser() {}

  static DigReply parse(String out) {
    String status = null;
    Set<String> flags = new LinkedHashSet<>();
    int ednsVersion = -1;
    Set<String> ednsFlags = new LinkedHashSet<>();
    String qName = null;
    String qType = null;
    List<DigRecord> answer = new ArrayList<>();
    List<DigRecord> authority = new ArrayList<>();
    List<DigRecord> additional = new ArrayList<>();
    List<DigRecord> current = null;
    boolean inQuestion = false;
    for (String line : out.split("\n")) {
      String l = line.strip();
      if (l.startsWith(";; ->>HEADER<<-")) {
        // A new message starts: forget anything from an earlier (truncated) one.
        status = field(l, "status:");
        flags = new LinkedHashSet<>();
        ednsVersion = -1;
        ednsFlags = new LinkedHashSet<>();
        qName = null;
        qType = null;
        answer.clear();
        authority.clear();
        additional.clear();
        current = null;
        inQuestion = false;
      } else if (l.startsWith(";; flags:")) {
        String f = l.substring(";; flags:".length());
        int semi = f.indexOf(';');
        for (String s : (semi < 0 ? f : f.substring(0, semi)).trim().split("\\s+")) {
          if (!s.isEmpty()) {
            flags.add(s.toLowerCase(Locale.ROOT));
          }
        }
      } else if (l.startsWith("; EDNS:")) {
        String v = field(l, "version:");
        ednsVersion = v == null ? 0 : Integer.parseInt(v);
        int fi = l.indexOf("flags:");
        if (fi >= 0) {
          String rest = l.substring(fi + "flags:".length());
          int semi = rest.indexOf(';');
          for (String s : (semi < 0 ? rest : rest.substring(0, semi)).trim().split("\\s+")) {
            if (!s.isEmpty()) {
              ednsFlags.add(s.toLowerCase(Locale.ROOT));
            }
          }
        }
      } else if (l.equals(";; QUESTION SECTION:")) {
        inQuestion = true;
        current = null;
      } else if (l.equals(";; ANSWER SECTION:")) {
        inQuestion = false;
        current = answer;
      } else if (l.equals(";; AUTHORITY SECTION:")) {
        inQuestion = false;
        current = authority;
      } else if (l.equals(";; ADDITIONAL SECTION:")) {
        inQuestion = false;
        current = additional;
      } else if (l.isEmpty()) {
        inQuestion = false;
        current = null;
      } else if (inQuestion && l.startsWith(";")) {
        List<String> t = DigRecord.tokens(l.substring(1));
        if (!t.isEmpty()) {
          qName = t.get(0);
          qType = t.get(t.size() - 1).toUpperCase(Locale.ROOT);
        }
      } else if (current != null && !l.startsWith(";")) {
        current.add(DigRecord.parse(l));
      }
    }
    return new DigReply(status, Collections.unmodifiableSet(flags), ednsVersion,
        Collections.unmodifiableSet(ednsFlags), qName, qType,
        List.copyOf(answer), List.copyOf(authority), List.copyOf(additional), out);
  }

  /** The value after {@code key} up to the next comma, e.g. "NOERROR" for "status:". */
  private static String field(String line, String key) {
    int i = line.indexOf(key);
    if (i < 0) {
      return null;
    }
    String rest = line.substring(i + key.length()).trim();
    int end = rest.indexOf(',');
    return (end < 0 ? rest : rest.substring(0, end)).trim();
  }
}
