package io.clusterdns.config.corefile;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads one {@code rewrite} line, or a {@code rewrite [continue|stop] { name regex ...; answer name ... }} block,
 * (CoreDNS's {@code plugin/rewrite/setup.go}) into a {@link RewritePlugin.Rule}. The fields clusterdns does not
 * rewrite ({@code edns0}, {@code ttl}, {@code rcode}, {@code cname}) and {@code answer value} are refused with the
 * line, since the answers would differ.
 *
 * <p>Stateless.
 */
final class RewriteOptions {

  private RewriteOptions() {}

  private static final Set<String> CLASSES = Set.of("IN", "CH", "HS", "NONE", "ANY");

  static RewritePlugin.Rule parse(Directive d, BlockContext ctx) throws CorefileException {
    List<Token> args = d.args();
    int i = 0;
    boolean stop = true;
    if (!args.isEmpty() && (args.get(0).text().equals("continue") || args.get(0).text().equals("stop"))) {
      stop = args.get(0).text().equals("stop");
      i = 1;
    }
    if (d.hasBlock()) {
      // The strict two-line form: name regex FROM TO, then answer name FROM TO.
      if (i != args.size() || d.block().size() != 2 || !d.block().get(0).text().equals("name")
          || !d.block().get(1).text().equals("answer")) {
        throw CorefileException.at(d.name(), "rewrite block must hold exactly 'name regex FROM TO' and then "
            + "'answer name FROM TO'");
      }
      Directive name = d.block().get(0);
      Directive answer = d.block().get(1);
      List<Token> all = new java.util.ArrayList<>(name.args());
      all.add(answer.name());
      all.addAll(answer.args());
      return nameRule(stop, name.name(), all, 0);
    }
    if (i >= args.size()) {
      throw CorefileException.at(d.name(), "rewrite needs a field: name, type or class");
    }
    Token field = args.get(i);
    switch (field.text()) {
      case "name" -> {
        return nameRule(stop, field, args, i + 1);
      }
      case "type", "class" -> {
        if (args.size() - i - 1 != 2) {
          throw CorefileException.at(field, "rewrite " + field.text() + " takes FROM TO");
        }
        String from = args.get(i + 1).text().toUpperCase(Locale.ROOT);
        String to = args.get(i + 2).text().toUpperCase(Locale.ROOT);
        if (field.text().equals("class")) {
          for (int k = 1; k <= 2; k++) {
            String c = args.get(i + k).text().toUpperCase(Locale.ROOT);
            if (!CLASSES.contains(c)) {
              throw CorefileException.at(args.get(i + k), "rewrite class: unknown class '" + args.get(i + k).text()
                  + "'");
            }
          }
        } else {
          for (int k = 1; k <= 2; k++) {
            if (!args.get(i + k).text().matches("(?i)[a-z][a-z0-9]*|type\\d+")) {
              throw CorefileException.at(args.get(i + k), "rewrite type: unknown type '" + args.get(i + k).text()
                  + "'");
            }
          }
        }
        return new RewritePlugin.Rule(stop, field.text().equals("type") ? RewritePlugin.Field.TYPE
            : RewritePlugin.Field.CLASS, null, from, to, false, null, null, field.line());
      }
      case "edns0", "ttl", "rcode", "cname" -> throw CorefileException.at(field, "rewrite " + field.text()
          + " is not supported by clusterdns yet: its replies would differ");
      default -> throw CorefileException.at(field, "unknown rewrite field '" + field.text() + "' (expected name, "
          + "type or class)");
    }
  }

  private static RewritePlugin.Rule nameRule(boolean stop, Token at, List<Token> args, int i)
      throws CorefileException {
    RewritePlugin.Match match = RewritePlugin.Match.EXACT;
    if (i < args.size()) {
      switch (args.get(i).text()) {
        case "exact" -> {
          match = RewritePlugin.Match.EXACT;
          i++;
        }
        case "prefix" -> {
          match = RewritePlugin.Match.PREFIX;
          i++;
        }
        case "suffix" -> {
          match = RewritePlugin.Match.SUFFIX;
          i++;
        }
        case "substring" -> {
          match = RewritePlugin.Match.SUBSTRING;
          i++;
        }
        case "regex" -> {
          match = RewritePlugin.Match.REGEX;
          i++;
        }
        default -> { }
      }
    }
    if (args.size() - i < 2) {
      throw CorefileException.at(at, "rewrite name takes [exact|prefix|suffix|substring|regex] FROM TO");
    }
    Token fromTok = args.get(i);
    Token toTok = args.get(i + 1);
    String from = fromTok.text();
    String to = toTok.text();
    switch (match) {
      case EXACT -> {
        from = CorefileValues.zone(fromTok, from);
        to = CorefileValues.zone(toTok, to);
      }
      case SUFFIX -> {
        from = absolute(from.toLowerCase(Locale.ROOT));
        to = absolute(to.toLowerCase(Locale.ROOT));
      }
      case PREFIX, SUBSTRING -> {
        from = from.toLowerCase(Locale.ROOT);
        to = to.toLowerCase(Locale.ROOT);
      }
      case REGEX -> regex(fromTok);
      default -> { }
    }
    i += 2;
    boolean auto = false;
    String answerFrom = null;
    String answerTo = null;
    if (i < args.size()) {
      if (!args.get(i).text().equals("answer") || i + 1 >= args.size()) {
        throw CorefileException.at(args.get(i), "after FROM TO, rewrite name takes only 'answer auto' or "
            + "'answer name FROM TO'");
      }
      Token kind = args.get(i + 1);
      switch (kind.text()) {
        case "auto" -> {
          if (match == RewritePlugin.Match.REGEX) {
            throw CorefileException.at(kind, "answer auto cannot invert a regex rule; use answer name FROM TO");
          }
          if (i + 2 != args.size()) {
            throw CorefileException.at(kind, "answer auto takes no arguments");
          }
          auto = true;
        }
        case "name" -> {
          if (i + 4 != args.size()) {
            throw CorefileException.at(kind, "answer name takes FROM TO");
          }
          regex(args.get(i + 2));
          answerFrom = args.get(i + 2).text();
          answerTo = args.get(i + 3).text();
        }
        case "value" -> throw CorefileException.at(kind, "rewrite answer value is not supported by clusterdns yet: "
            + "names inside the records would not be rewritten");
        default -> throw CorefileException.at(kind, "answer takes auto or name, not '" + kind.text() + "'");
      }
    }
    return new RewritePlugin.Rule(stop, RewritePlugin.Field.NAME, match, from, to, auto, answerFrom, answerTo,
        at.line());
  }

  private static String absolute(String s) {
    return s.endsWith(".") ? s : s + ".";
  }

  private static void regex(Token t) throws CorefileException {
    CorefileRegex.compile(t, "rewrite");
  }
}
