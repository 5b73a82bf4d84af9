package io.clusterdns.config.corefile;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Splits Corefile text into {@link Token}s with the Caddyfile rules CoreDNS uses: words are separated by
 * white space; {@code "..."} makes one word (with {@code \"} for a quote); {@code #} outside quotes starts
 * a comment to the end of the line; {@code {$NAME}} and {@code {%NAME%}} are replaced by environment
 * variables (unset: empty, as in CoreDNS). One extension: an unquoted {@code ;} ends a logical line, so the
 * one-line notation {@code health { lameduck 5s; }} and the compact Corefiles of our spec parse.
 *
 * <p>Stateless; used by the parsing thread only.
 */
final class CorefileLexer {

  private CorefileLexer() {}

  static List<Token> lex(String text, String source, Function<String, String> env) throws CorefileException {
    List<Token> out = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    int line = 1;
    int col = 0;
    long group = 0;
    int startLine = 0;
    int startCol = 0;
    long startGroup = 0;
    boolean inWord = false;
    boolean quoted = false;
    boolean comment = false;
    int n = text.length();
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      col++;
      if (quoted) {
        if (c == '\\' && i + 1 < n && text.charAt(i + 1) == '"') {
          word.append('"');
          i++;
          col++;
        } else if (c == '"') {
          quoted = false;
          emit(out, word, true, source, startLine, startCol, startGroup, env);
          inWord = false;
        } else {
          if (c == '\n') {
            line++;
            col = 0;
          }
          word.append(c);
        }
        continue;
      }
      if (c == '\n' || c == ';' || c == '#' || Character.isWhitespace(c)) {
        if (inWord) {
          emit(out, word, false, source, startLine, startCol, startGroup, env);
          inWord = false;
        }
        if (c == '\n') {
          line++;
          col = 0;
          group++;
          comment = false;
        } else if (c == ';' && !comment) {
          group++;
        } else if (c == '#') {
          comment = true;
        }
        continue;
      }
      if (comment) {
        continue;
      }
      if (!inWord) {
        inWord = true;
        startLine = line;
        startCol = col;
        startGroup = group;
        if (c == '"') {
          quoted = true;
          continue;
        }
      }
      word.append(c);
    }
    if (quoted) {
      throw new CorefileException(source, startLine, startCol, "unterminated quoted string");
    }
    if (inWord) {
      emit(out, word, false, source, startLine, startCol, startGroup, env);
    }
    return out;
  }

  private static void emit(List<Token> out, StringBuilder word, boolean quoted, String source, int line,
      int col, long group, Function<String, String> env) {
    String text = substitute(word.toString(), env);
    word.setLength(0);
    // CoreDNS drops an address that became empty; we drop any unquoted word that did, so an unset
    // {$EXTRA_ZONES} simply adds nothing.
    if (!quoted && text.isEmpty()) {
      return;
    }
    out.add(new Token(text, quoted, source, line, col, group));
  }

  /** Replaces {@code {$NAME}} and {@code {%NAME%}} (CoreDNS's two spellings). */
  static String substitute(String s, Function<String, String> env) {
    if (s.indexOf('{') < 0) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length());
    int i = 0;
    while (i < s.length()) {
      int end = -1;
      int nameEnd = -1;
      if (s.startsWith("{$", i)) {
        nameEnd = s.indexOf('}', i + 2);
        end = nameEnd < 0 ? -1 : nameEnd + 1;
      } else if (s.startsWith("{%", i)) {
        nameEnd = s.indexOf("%}", i + 2);
        end = nameEnd < 0 ? -1 : nameEnd + 2;
      }
      if (end < 0) {
        b.append(s.charAt(i++));
        continue;
      }
      String value = env.apply(s.substring(i + 2, nameEnd));
      b.append(value == null ? "" : value);
      i = end;
    }
    return b.toString();
  }
}
