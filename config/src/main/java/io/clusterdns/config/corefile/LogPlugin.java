package io.clusterdns.config.corefile;

import java.util.List;
import java.util.Set;

/**
 * {@code log [NAMES...] [FORMAT] { class CLASSES... }}: one line per query in CoreDNS's log format (off unless
 * configured). Each {@code log} line of a block is one rule; a query is logged once, by the first rule whose
 * names contain it and whose classes contain its reply's class.
 */
public record LogPlugin(List<Rule> rules) {

  /** CoreDNS's {@code {common}} format. */
  public static final String COMMON_FORMAT = "{remote}:{port} - {>id} \"{type} {class} {name} {proto} {size} {>do} "
      + "{>bufsize}\" {rcode} {>rflags} {rsize} {duration}";

  /** CoreDNS's {@code {combined}} format: common plus the opcode. */
  public static final String COMBINED_FORMAT = COMMON_FORMAT + " \"{>opcode}\"";

  /** The reply classes CoreDNS's {@code response.Classify} gives, plus {@code all}. */
  public static final Set<String> CLASSES = Set.of("all", "success", "denial", "error");

  public LogPlugin {
    rules = List.copyOf(rules);
  }

  /**
   * @param names zones (absolute, lowercase) whose queries this rule logs; the block's zones by default
   * @param format the line, with CoreDNS placeholders
   * @param classes {@code all}, or some of {@code success} (NOERROR with data, delegations), {@code denial}
   *     (NXDOMAIN, NODATA), {@code error} (every other rcode)
   */
  public record Rule(List<String> names, String format, Set<String> classes) {
    public Rule {
      names = List.copyOf(names);
      classes = Set.copyOf(classes);
    }
  }
}
