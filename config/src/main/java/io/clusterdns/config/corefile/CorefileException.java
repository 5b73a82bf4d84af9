package io.clusterdns.config.corefile;

/**
 * A Corefile that cannot be used. The message is one line, {@code SOURCE:LINE:COL: reason}, so an operator
 * (or {@code kubectl logs}) sees at once where the problem is, as CoreDNS does for its own errors.
 */
public final class CorefileException extends Exception {

  private static final long serialVersionUID = 1L;

  private final String source;
  private final int line;
  private final int column;
  private final String reason;

  public CorefileException(String source, int line, int column, String reason) {
    super(source + ":" + line + ":" + column + ": " + oneLine(reason));
    this.source = source;
    this.line = line;
    this.column = column;
    this.reason = oneLine(reason);
  }

  /** A quoted word may span lines; the message must not (one log line per error). */
  static String oneLine(String s) {
    return s.replace("\r", "\\r").replace("\n", "\\n");
  }

  /** An error located at {@code token}. */
  static CorefileException at(Token token, String reason) {
    return new CorefileException(token.source(), token.line(), token.column(), reason);
  }

  /** The file name the error is reported against (the Corefile, or an imported file). */
  public String source() {
    return source;
  }

  /** 1-based line of the offending token. */
  public int line() {
    return line;
  }

  /** 1-based column of the offending token. */
  public int column() {
    return column;
  }

  /** The reason without the location prefix. */
  public String reason() {
    return reason;
  }
}
