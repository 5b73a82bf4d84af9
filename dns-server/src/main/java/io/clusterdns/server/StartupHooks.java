package io.clusterdns.server;

import io.clusterdns.k8s.WatchListener;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * What a command adds to the server's one start-up path ({@link Main#serve}): the {@code dev} command shows the
 * watch and the listening address to a person (issue 21); the server adds nothing ({@link #NONE}).
 *
 * <p>Threads: called on the starting thread; {@link #watchListener()}'s methods as it documents.
 */
interface StartupHooks {
  StartupHooks NONE = new StartupHooks() {};

  /** Told about the watch of the API server while it starts and runs. */
  default WatchListener watchListener() {
    return WatchListener.NONE;
  }

  /** Told about the watch of a further cluster ({@code context}, served under {@code zone}). */
  default WatchListener watchListener(String context, String zone) {
    return WatchListener.NONE;
  }

  /** The server is serving DNS on {@code bound} with {@code config}. */
  default void serving(EffectiveConfig config, List<InetSocketAddress> bound) {}
}
