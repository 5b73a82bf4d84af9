package io.clusterdns.conformance;

import java.util.List;
import java.util.Set;

/**
 * One line of the case table, resolved: the query dig sends and everything the reply must show.
 *
 * @param qname the name exactly as sent (letter case matters for tag {@code case})
 * @param options extra dig options, e.g. {@code +tcp}, {@code +bufsize=512}, {@code -c CH}
 * @param rcodes acceptable status values as dig prints them (usually one)
 * @param flags header/OPT assertions: {@code aa}, {@code !aa}, {@code tc}, {@code rd}, {@code !rd},
 *     {@code cd}, {@code edns} (OPT present), {@code !edns}, {@code edns0} (OPT version 0), {@code do}
 * @param line line number in the table, for messages
 */
public record DigCase(
    String id,
    String qname,
    String qtype,
    List<String> options,
    Set<String> rcodes,
    List<String> flags,
    SectionExpectation answer,
    SectionExpectation authority,
    SectionExpectation additional,
    Set<String> tags,
    String note,
    int line) {

  /** Letter case of names is compared only where preserving it is what the case checks. */
  boolean exactCase() {
    return tags.contains("case");
  }

  /** The pods mode the server must run with for this case, or null if any mode will do. */
  String podsMode() {
    for (String t : tags) {
      if (t.startsWith("pods-")) {
        return t.substring("pods-".length());
      }
    }
    return null;
  }

  SectionExpectation section(DigReply.Section s) {
    return switch (s) {
      case ANSWER -> answer;
      case AUTHORITY -> authority;
      case ADDITIONAL -> additional;
    };
  }
}
