package io.clusterdns.conformance;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Prints failures and the per-tag summary, and writes JUnit XML for CI. Stateless. */
public final class Report {

  private Report() {}

  /** One line per failing case with what was expected and what came back, then a summary per tag. */
  public static void print(List<CaseResult> results, PrintStream out) {
    for (CaseResult r : results) {
      if (r.failed()) {
        out.println(failureLine(r));
      }
    }
    Map<String, int[]> perTag = new TreeMap<>();
    int[] total = new int[3];
    for (CaseResult r : results) {
      int slot = r.passed() ? 0 : r.failed() ? 1 : 2;
      total[slot]++;
      for (String t : r.testCase().tags()) {
        perTag.computeIfAbsent(t, k -> new int[3])[slot]++;
      }
    }
    out.println();
    out.printf("%-20s %6s %6s %6s%n", "tag", "pass", "fail", "skip");
    perTag.forEach((t, n) -> out.printf("%-20s %6d %6d %6d%n", t, n[0], n[1], n[2]));
    out.printf("%-20s %6d %6d %6d%n", "TOTAL", total[0], total[1], total[2]);
  }

  static String failureLine(CaseResult r) {
    DigCase c = r.testCase();
    return "FAIL " + c.id() + ": dig @" + r.server() + " " + String.join(" ", c.options())
        + (c.options().isEmpty() ? "" : " ") + c.qname() + " " + c.qtype() + " (cases.tsv:" + c.line()
        + "; " + c.note() + "): " + String.join(" / ", r.problems());
  }

  /** Writes a JUnit XML report: one testcase per case, class name = the case's first tag. */
  public static void writeJunitXml(List<CaseResult> results, Path file, double seconds) throws IOException {
    long failures = results.stream().filter(CaseResult::failed).count();
    long skipped = results.stream().filter(CaseResult::skipped).count();
    StringBuilder sb = new StringBuilder();
    sb.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    sb.append(String.format("<testsuite name=\"clusterdns-conformance\" tests=\"%d\" failures=\"%d\" "
        + "errors=\"0\" skipped=\"%d\" time=\"%.3f\">%n", results.size(), failures, skipped, seconds));
    for (CaseResult r : results) {
      DigCase c = r.testCase();
      String cls = "conformance." + c.tags().iterator().next();
      sb.append(String.format("  <testcase classname=\"%s\" name=\"%s\" time=\"%.3f\">", xml(cls),
          xml(c.id() + " " + c.qname() + " " + c.qtype()), r.millis() / 1000.0));
      if (r.skipped()) {
        sb.append("<skipped message=\"").append(xml(r.skipReason())).append("\"/>");
      } else if (r.failed()) {
        sb.append("\n    <failure message=\"").append(xml(String.join(" / ", r.problems())))
            .append("\">").append(xml(failureLine(r) + "\n\n" + (r.reply() == null ? "" : r.reply().raw())))
            .append("</failure>\n  ");
      }
      sb.append("</testcase>\n");
    }
    sb.append("</testsuite>\n");
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(file, sb, StandardCharsets.UTF_8);
  }

  private static String xml(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      switch (ch) {
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '&' -> sb.append("&amp;");
        case '"' -> sb.append("&quot;");
        default -> {
          if (ch >= 0x20 || ch == '\n' || ch == '\t') {
            sb.append(ch);
          }
        }
      }
    }
    return sb.toString();
  }
}
