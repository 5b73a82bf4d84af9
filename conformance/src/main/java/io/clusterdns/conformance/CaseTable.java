package io.clusterdns.conformance;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Reads the case table ({@code cases.tsv}): one case per line, eleven tab-separated columns
 *
 * <pre>id  qname  qtype  options  rcode  flags  answer  authority  additional  tags  note</pre>
 *
 * <p>{@code #} starts a comment line. A line {@code @name<TAB>records} defines a record list that a
 * section column (or one {@code |}-separated part of it) can name as {@code @name}. In records,
 * {@code @q} stands for the query name exactly as sent. A qname {@code x:ADDRESS} is the reverse name of
 * that address (like {@code dig -x}). Empty option/flag columns are written {@code -}. Stateless.
 */
public final class CaseTable {

  private static final int COLUMNS = 11;

  private CaseTable() {}

  /**
   * Parses the table. {@code rewrite} is applied to every case line after macro expansion (mode 3 maps
   * fixture addresses to allocated ones; a non-default cluster domain is substituted here).
   */
  public static List<DigCase> parse(String text, UnaryOperator<String> rewrite) {
    Map<String, String> macros = new HashMap<>();
    List<DigCase> cases = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    String[] lines = text.split("\n", -1);
    for (int n = 0; n < lines.length; n++) {
      String line = lines[n].replace("\r", "");
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int lineNo = n + 1;
      if (line.startsWith("@")) {
        int tab = line.indexOf('\t');
        if (tab < 0) {
          throw new IllegalArgumentException("line " + lineNo + ": macro without a tab");
        }
        macros.put(line.substring(0, tab).trim(), line.substring(tab + 1).trim());
        continue;
      }
      String[] c = line.split("\t", -1);
      if (c.length != COLUMNS) {
        throw new IllegalArgumentException("line " + lineNo + ": " + c.length + " columns, want " + COLUMNS);
      }
      for (int i = 6; i <= 8; i++) {
        c[i] = expand(c[i].trim(), macros, lineNo);
      }
      c = rewrite.apply(String.join("\t", c)).split("\t", -1);
      try {
        DigCase dc = toCase(c, lineNo);
        if (!ids.add(dc.id())) {
          throw new IllegalArgumentException("duplicate id " + dc.id());
        }
        cases.add(dc);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("line " + lineNo + ": " + e.getMessage(), e);
      }
    }
    return List.copyOf(cases);
  }

  private static DigCase toCase(String[] c, int lineNo) {
    String id = c[0].trim();
    String qname = c[1].trim();
    if (qname.startsWith("x:")) {
      qname = ReverseName.of(qname.substring(2));
    }
    String fqdn = qname.endsWith(".") ? qname : qname + ".";
    String qtype = c[2].trim().toUpperCase(Locale.ROOT);
    List<String> options = dashList(c[3]);
    Set<String> rcodes = new LinkedHashSet<>(Arrays.asList(c[4].trim().toUpperCase(Locale.ROOT).split("\\|")));
    List<String> flags = dashList(c[5]);
    SectionExpectation answer = SectionExpectation.parse(c[6].replace("@q", fqdn));
    SectionExpectation authority = SectionExpectation.parse(c[7].replace("@q", fqdn));
    SectionExpectation additional = SectionExpectation.parse(c[8].replace("@q", fqdn));
    Set<String> tags = new LinkedHashSet<>(dashList(c[9]));
    if (tags.isEmpty()) {
      throw new IllegalArgumentException("case " + id + " has no tag");
    }
    String note = c[10].trim();
    if (note.isEmpty()) {
      throw new IllegalArgumentException("case " + id + " cites no source");
    }
    return new DigCase(id, qname, qtype, options, rcodes, flags, answer, authority, additional,
        tags, note, lineNo);
  }

  private static List<String> dashList(String s) {
    String t = s.trim();
    if (t.isEmpty() || t.equals("-")) {
      return List.of();
    }
    return List.of(t.split("[\\s,]+"));
  }

  /** Replaces whole-part references {@code @name} (optionally after a leading {@code ~}). */
  private static String expand(String column, Map<String, String> macros, int lineNo) {
    String prefix = "";
    String body = column;
    if (body.startsWith("~")) {
      prefix = "~";
      body = body.substring(1);
    }
    StringBuilder sb = new StringBuilder(prefix);
    for (String part : body.split("\\|")) {
      String p = part.trim();
      if (p.startsWith("@") && !p.startsWith("@q ") && !p.contains(" ")) {
        String m = macros.get(p);
        if (m == null) {
          throw new IllegalArgumentException("line " + lineNo + ": unknown macro " + p);
        }
        p = m;
      }
      if (sb.length() > prefix.length()) {
        sb.append(" | ");
      }
      sb.append(p);
    }
    return sb.toString();
  }
}
