package io.clusterdns.config.corefile;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

/**
 * The regular expressions a Corefile holds ({@code rewrite ... regex}, {@code answer name}, {@code template match},
 * {@code errors consolidate}) are Go's {@code regexp} in CoreDNS, which is RE2: linear in the input, no
 * backreferences or lookaround, {@code (?P<name>...)} groups. RE2J has the same syntax and guarantee, so a
 * Corefile copied from CoreDNS means the same here, and a pattern run on every query cannot backtrack
 * exponentially on a client's name (ReDoS).
 */
final class CorefileRegex {

  private CorefileRegex() {}

  /** Compiles {@code t}'s text, or fails naming its line and what RE2 rejected. */
  static Pattern compile(Token t, String what) throws CorefileException {
    try {
      return Pattern.compile(t.text());
    } catch (PatternSyntaxException e) {
      throw CorefileException.at(t, what + ": invalid regular expression '" + t.text() + "' (RE2 syntax, as Go's "
          + "regexp in CoreDNS): " + e.getDescription());
    }
  }
}
