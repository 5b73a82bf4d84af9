package io.clusterdns.conformance;

import java.util.List;

/**
 * Outcome of one case. {@code skipReason} is set when the environment cannot run the case (no upstream
 * fixture, other pods mode); then {@code problems} is empty and {@code reply} null. Immutable.
 */
public record CaseResult(DigCase testCase, List<String> problems, String skipReason, DigReply reply,
    ServerAddress server, long millis) {

  public boolean skipped() {
    return skipReason != null;
  }

  public boolean passed() {
    return !skipped() && problems.isEmpty();
  }

  public boolean failed() {
    return !skipped() && !problems.isEmpty();
  }
}
