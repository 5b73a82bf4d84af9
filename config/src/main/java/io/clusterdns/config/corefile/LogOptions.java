package io.clusterdns.config.corefile;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads one {@code log} directive (CoreDNS's {@code plugin/log/setup.go}) into a {@link LogPlugin.Rule}: the
 * last argument is the format when it holds a {@code {}, the others are names; no names means the block's zones.
 *
 * <p>Stateless.
 */
final class LogOptions {

  private LogOptions() {}

  static LogPlugin.Rule parse(Directive d, BlockContext ctx) throws CorefileException {
    List<Token> args = d.args();
    String format = LogPlugin.COMMON_FORMAT;
    int nameCount = args.size();
    if (!args.isEmpty() && args.get(args.size() - 1).text().contains("{")) {
      format = args.get(args.size() - 1).text();
      nameCount--;
      if (format.equals("{common}")) {
        format = LogPlugin.COMMON_FORMAT;
      } else if (format.equals("{combined}")) {
        format = LogPlugin.COMBINED_FORMAT;
      }
    }
    List<String> names = new ArrayList<>();
    for (Token t : args.subList(0, nameCount)) {
      names.addAll(CorefileValues.zones(t));
    }
    if (names.isEmpty()) {
      names.addAll(ctx.zones());
    }
    Set<String> classes = new HashSet<>();
    for (Directive o : d.block()) {
      if (!o.text().equals("class")) {
        throw BlockContext.unknownProperty(o, "log");
      }
      BlockContext.property(o, 1, Integer.MAX_VALUE);
      for (Token c : o.args()) {
        String cls = c.text().toLowerCase(java.util.Locale.ROOT);
        if (!LogPlugin.CLASSES.contains(cls)) {
          throw CorefileException.at(c, "unknown log class '" + c.text() + "' (expected all, success, denial or "
              + "error)");
        }
        classes.add(cls);
      }
    }
    if (classes.isEmpty() || classes.contains("all")) {
      classes = Set.of("all");
    }
    return new LogPlugin.Rule(names, format, classes);
  }
}
