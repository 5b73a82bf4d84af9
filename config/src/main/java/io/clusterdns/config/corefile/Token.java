package io.clusterdns.config.corefile;

/**
 * One word of a Corefile after lexing: quotes removed, environment variables substituted.
 *
 * @param text the word
 * @param quoted written in double quotes: never a brace, never a keyword
 * @param source file the word comes from (errors name it)
 * @param line 1-based line where the word starts
 * @param column 1-based column where the word starts
 * @param group identity of the logical line the word is on: words with equal groups belong to one
 *     statement. A newline or {@code ;} starts a new group; imported words get fresh groups.
 */
record Token(String text, boolean quoted, String source, int line, int column, long group) {

  /** True for the unquoted word {@code word}. */
  boolean is(String word) {
    return !quoted && text.equals(word);
  }

  boolean isOpen() {
    return is("{");
  }

  boolean isClose() {
    return is("}");
  }

  /** A copy whose logical-line identity is moved into a fresh namespace (import splices). */
  Token regrouped(long splice) {
    return new Token(text, quoted, source, line, column, (splice << 32) | (group & 0xffffffffL));
  }
}
