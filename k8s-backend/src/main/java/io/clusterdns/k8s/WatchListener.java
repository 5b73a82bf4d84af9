package io.clusterdns.k8s;

/**
 * What a caller that shows the watch to a person learns of it (the {@code dev} command's status, issue 21).
 * The server itself passes {@link #NONE}: its log lines say the same.
 *
 * <p>Threads: {@link #started} on the thread that starts the watch; the others on the API server probe's
 * thread. Implementations must return quickly.
 */
public interface WatchListener {
  /** Listens to nothing. */
  WatchListener NONE = new WatchListener() {};

  /** The watch has started and the first sync is about to be awaited, so its progress can be shown. */
  default void started(WatchedCluster cluster) {}

  /** The API server cannot be used: one line naming its address and the cause (never the credentials). */
  default void apiProblem(String line) {}

  /** Every request of the watch was answered; {@code recovered} when a problem was reported before. */
  default void apiUsable(boolean recovered) {}
}
