package io.clusterdns.config.corefile;

/**
 * Something the Corefile asks for that clusterdns accepts but does not act on (a cosmetic plugin, a tuning
 * option of the API client). The server logs these once at start-up; {@link #toString()} gives the same
 * {@code SOURCE:LINE:COL: message} shape as {@link CorefileException}.
 */
public record CorefileWarning(String source, int line, int column, String message) {

  static CorefileWarning at(Token token, String message) {
    return new CorefileWarning(token.source(), token.line(), token.column(), CorefileException.oneLine(message));
  }

  @Override
  public String toString() {
    return source + ":" + line + ":" + column + ": " + message;
  }
}
