package io.clusterdns.conformance;

import java.util.Map;

/**
 * What the servers under test can answer: one server per pods mode it runs with, and which optional
 * tags the environment cannot satisfy (tag to reason, e.g. {@code upstream} without the Knot fixture).
 * Immutable.
 *
 * @param servers pods mode ({@code insecure}, {@code verified}, {@code disabled}) to server address;
 *     cases without a pods tag go to {@code defaultPods}'s server
 */
public record Environment(Map<String, ServerAddress> servers, String defaultPods,
    Map<String, String> unavailableTags) {

  /** Why this case cannot run here, or null when it can. */
  String skipReason(DigCase c) {
    for (String t : c.tags()) {
      String why = unavailableTags.get(t);
      if (why != null) {
        return why;
      }
    }
    String pods = c.podsMode();
    if (pods != null && !servers.containsKey(pods)) {
      return "needs a server with --pods " + pods;
    }
    return null;
  }

  ServerAddress serverFor(DigCase c) {
    String pods = c.podsMode();
    return servers.get(pods == null ? defaultPods : pods);
  }
}
