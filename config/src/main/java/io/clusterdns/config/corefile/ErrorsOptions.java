package io.clusterdns.config.corefile;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads {@code errors [stdout] { ... }} (CoreDNS's {@code plugin/errors/setup.go}) into an {@link ErrorsPlugin}.
 *
 * <p>Stateless.
 */
final class ErrorsOptions {

  private ErrorsOptions() {}

  /** Levels a consolidated summary may be logged at, as CoreDNS names them. */
  static final Set<String> LEVELS = Set.of("warning", "error", "info", "debug");

  static ErrorsPlugin parse(Directive d, BlockContext ctx) throws CorefileException {
    BlockContext.args(d, 0, 1);
    if (!d.args().isEmpty() && !d.arg(0).equals("stdout")) {
      throw CorefileException.at(d.args().get(0), "errors takes only 'stdout', not '" + d.arg(0) + "'");
    }
    List<ErrorsPlugin.Consolidation> out = new ArrayList<>();
    for (Directive o : d.block()) {
      switch (o.text()) {
        case "consolidate" -> {
          BlockContext.property(o, 2, 3);
          Duration period = CorefileValues.duration(o.args().get(0), "consolidate period", Duration.ofMillis(1));
          String regex = o.arg(1);
          CorefileRegex.compile(o.args().get(1), "consolidate");
          String level = "warning";
          if (o.args().size() == 3) {
            level = o.arg(2);
            if (!LEVELS.contains(level)) {
              throw CorefileException.at(o.args().get(2), "consolidate level must be warning, error, info or "
                  + "debug, not '" + level + "'");
            }
          }
          for (ErrorsPlugin.Consolidation c : out) {
            if (c.pattern().equals(regex)) {
              throw CorefileException.at(o.args().get(1), "consolidate pattern '" + regex + "' is given twice");
            }
          }
          out.add(new ErrorsPlugin.Consolidation(period, regex, level));
        }
        case "stacktrace" -> {
          BlockContext.property(o, 0, 0);
          ctx.warn(o.name(), "errors option 'stacktrace' is accepted but not acted on: clusterdns recovers "
              + "internal errors without a stack trace in the log");
        }
        default -> throw BlockContext.unknownProperty(o, "errors");
      }
    }
    return new ErrorsPlugin(out);
  }
}
