package io.clusterdns.config.corefile;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads one {@code template} directive (CoreDNS's {@code plugin/template/setup.go}) into a {@link TemplatePlugin}.
 * Record templates may use the simple actions {@code {{ .Name }}}, {@code {{ .Type }}}, {@code {{ .Class }}},
 * {@code {{ index .Match N }}} and {@code {{ .Group.NAME }}}; any other Go template action is refused with its line,
 * since its records would not come out as written.
 *
 * <p>Stateless.
 */
final class TemplateOptions {

  private TemplateOptions() {}

  /** The Go template actions clusterdns substitutes. */
  static final Pattern ACTION = Pattern.compile("\\{\\{\\s*(\\.Name|\\.Type|\\.Class|index \\.Match \\d+|\\.Group\\.\\w+)"
      + "\\s*}}");

  private static final Pattern ANY_ACTION = Pattern.compile("\\{\\{.*?}}");

  private static final Set<String> CLASSES = Set.of("IN", "CH", "HS", "ANY", "NONE");

  /** Rcode names CoreDNS's template accepts, with their values. */
  private static final Map<String, Integer> RCODES = Map.of("NOERROR", 0, "FORMERR", 1, "SERVFAIL", 2,
      "NXDOMAIN", 3, "NOTIMP", 4, "REFUSED", 5);

  static TemplatePlugin parse(Directive d, BlockContext ctx) throws CorefileException {
    BlockContext.args(d, 2, Integer.MAX_VALUE);
    String qclass = d.arg(0).toUpperCase(Locale.ROOT);
    if (!CLASSES.contains(qclass)) {
      throw CorefileException.at(d.args().get(0), "template: unknown class '" + d.arg(0) + "'");
    }
    String qtype = d.arg(1).toUpperCase(Locale.ROOT);
    if (!qtype.matches("[A-Z][A-Z0-9]*|TYPE\\d+")) {
      throw CorefileException.at(d.args().get(1), "template: unknown type '" + d.arg(1) + "'");
    }
    List<String> zones = new ArrayList<>();
    for (Token z : d.args().subList(2, d.args().size())) {
      zones.addAll(CorefileValues.zones(z));
    }
    if (zones.isEmpty()) {
      zones.addAll(ctx.zones());
    }
    List<String> patterns = new ArrayList<>();
    List<String> answer = new ArrayList<>();
    List<String> additional = new ArrayList<>();
    List<String> authority = new ArrayList<>();
    int rcode = 0;
    List<String> fallthrough = null;
    for (Directive o : d.block()) {
      switch (o.text()) {
        case "match" -> {
          BlockContext.property(o, 1, Integer.MAX_VALUE);
          for (Token t : o.args()) {
            CorefileRegex.compile(t, "template match");
            patterns.add(t.text());
          }
        }
        case "answer", "additional", "authority" -> {
          BlockContext.property(o, 1, 1);
          Token t = o.args().get(0);
          Matcher m = ANY_ACTION.matcher(t.text());
          while (m.find()) {
            if (!ACTION.matcher(m.group()).matches()) {
              throw CorefileException.at(t, "template action " + m.group() + " is not supported by clusterdns yet "
                  + "(only .Name, .Type, .Class, index .Match N, .Group.NAME)");
            }
          }
          (o.text().equals("answer") ? answer : o.text().equals("additional") ? additional : authority)
              .add(t.text());
        }
        case "rcode" -> {
          BlockContext.property(o, 1, 1);
          Integer code = RCODES.get(o.arg(0).toUpperCase(Locale.ROOT));
          if (code == null) {
            throw CorefileException.at(o.args().get(0), "template rcode must be NOERROR, FORMERR, SERVFAIL, "
                + "NXDOMAIN, NOTIMP or REFUSED, not '" + o.arg(0) + "'");
          }
          rcode = code;
        }
        case "fallthrough" -> {
          fallthrough = new ArrayList<>();
          for (Token z : o.args()) {
            fallthrough.addAll(CorefileValues.zones(z));
          }
        }
        case "ederror" -> {
          BlockContext.property(o, 1, 2);
          ctx.warn(o.name(), "template option 'ederror' is accepted but not acted on: replies carry no extended "
              + "DNS error");
        }
        default -> throw BlockContext.unknownProperty(o, "template");
      }
    }
    if (patterns.isEmpty()) {
      patterns.add(".*");
    }
    return new TemplatePlugin(qclass, qtype, zones, patterns, rcode, answer, additional, authority, fallthrough);
  }
}
