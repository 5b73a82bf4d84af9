package io.clusterdns.config.corefile;

import java.util.List;

/**
 * {@code rewrite [continue|stop] name|type|class ...}: the question is rewritten before any zone sees it, and the
 * client's question is put back in the reply (CoreDNS's {@code plugin/rewrite}; behaviours.md 11.9). Rules run in
 * written order; a rule that matched with {@code stop} (the default) ends the list.
 *
 * @param rules the block's rules in written order
 */
public record RewritePlugin(List<Rule> rules) {

  public RewritePlugin {
    rules = List.copyOf(rules);
  }

  /** What a rule rewrites. */
  public enum Field { NAME, TYPE, CLASS }

  /** How a name rule matches: CoreDNS's match types. */
  public enum Match { EXACT, PREFIX, SUFFIX, SUBSTRING, REGEX }

  /**
   * One rule.
   *
   * @param stop {@code stop} (true, the default) or {@code continue}
   * @param field what is rewritten
   * @param match for names: how FROM matches; null for type and class rules
   * @param from names: lowercase (exact and suffix absolute), or a Java regular expression; types and classes:
   *     their mnemonic in upper case
   * @param to the replacement; for regex, {@code {N}} is the Nth group
   * @param answerAuto the reply's owner names are rewritten back by the inverse of this rule ({@code answer auto})
   * @param answerFrom {@code answer name FROM TO}: a regular expression on the reply's owner names, or null
   * @param answerTo its replacement, {@code {N}} for groups
   * @param line the Corefile line of the rule's field, for errors found after parsing (an unknown RR type)
   */
  public record Rule(boolean stop, Field field, Match match, String from, String to, boolean answerAuto,
      String answerFrom, String answerTo, int line) {}
}
