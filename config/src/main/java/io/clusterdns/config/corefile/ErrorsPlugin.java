package io.clusterdns.config.corefile;

import java.time.Duration;
import java.util.List;

/**
 * {@code errors [stdout] { consolidate DURATION REGEXP [LEVEL]; stacktrace }}: log every query that failed
 * (SERVFAIL from an upstream failure or an internal error) as CoreDNS's {@code plugin/errors} does. Errors whose
 * text matches a {@code consolidate} pattern are counted instead, and one line per pattern and period says how
 * many there were.
 *
 * @param consolidate the patterns in written order (the first that matches counts the error)
 */
public record ErrorsPlugin(List<Consolidation> consolidate) {

  public ErrorsPlugin {
    consolidate = List.copyOf(consolidate);
  }

  /**
   * One {@code consolidate} line.
   *
   * @param period how long errors are counted before the summary line
   * @param pattern a Java regular expression, matched (find) against the error text
   * @param level the summary's level: {@code warning} (CoreDNS's default), {@code error}, {@code info}, {@code debug}
   */
  public record Consolidation(Duration period, String pattern, String level) {}
}
