package io.clusterdns.conformance;

import java.util.List;
import java.util.Set;

/**
 * What one dig invocation saw: header status and flags, the OPT pseudo-section (if any), the question
 * as the server echoed it, and the three record sections. {@code status} is null when no reply came.
 *
 * @param ednsVersion EDNS version of the reply's OPT record, or -1 when the reply had no OPT
 * @param raw the full dig output, kept for failure reports
 */
public record DigReply(
    String status,
    Set<String> flags,
    int ednsVersion,
    Set<String> ednsFlags,
    String questionName,
    String questionType,
    List<DigRecord> answer,
    List<DigRecord> authority,
    List<DigRecord> additional,
    String raw) {

  boolean answered() {
    return status != null;
  }

  List<DigRecord> section(Section s) {
    return switch (s) {
      case ANSWER -> answer;
      case AUTHORITY -> authority;
      case ADDITIONAL -> additional;
    };
  }

  /** The three record sections of a DNS message. */
  enum Section { ANSWER, AUTHORITY, ADDITIONAL }
}
