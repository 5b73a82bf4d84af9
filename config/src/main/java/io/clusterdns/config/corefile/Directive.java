package io.clusterdns.config.corefile;

import java.util.List;

/**
 * One statement of a server block or of a plugin's sub-block: a name, its arguments on the same logical
 * line, and an optional {@code { ... }} block of further statements.
 *
 * @param name the first word
 * @param args the other words on its line
 * @param block statements inside the braces; empty if there are none
 * @param open the {@code {} token, or null when the statement has no block
 */
record Directive(Token name, List<Token> args, List<Directive> block, Token open) {

  String text() {
    return name.text();
  }

  boolean hasBlock() {
    return open != null;
  }

  /** Argument {@code i}'s text. */
  String arg(int i) {
    return args.get(i).text();
  }
}
