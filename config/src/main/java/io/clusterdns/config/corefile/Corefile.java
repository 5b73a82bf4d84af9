package io.clusterdns.config.corefile;

import io.clusterdns.config.HostPort;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * A parsed Corefile: its server blocks in written order, and the warnings about what was accepted but is
 * not acted on. Immutable; safe to share between threads.
 *
 * <p>{@code health}, {@code ready}, {@code prometheus} and {@code reload} serve the whole process in
 * clusterdns (one endpoint each), so the parser has checked that every block that names them agrees, and
 * the accessors here return the one setting.
 */
public record Corefile(List<ServerBlock> serverBlocks, List<CorefileWarning> warnings) {

  public Corefile {
    serverBlocks = List.copyOf(serverBlocks);
    warnings = List.copyOf(warnings);
  }

  /** The health endpoint, if any block has {@code health}. */
  public Optional<HealthEndpoint> health() {
    return first(ServerBlock::health);
  }

  /** The ready address, if any block has {@code ready}. */
  public Optional<HostPort> ready() {
    return first(ServerBlock::ready);
  }

  /** The metrics address, if any block has {@code prometheus}. */
  public Optional<HostPort> prometheus() {
    return first(ServerBlock::prometheus);
  }

  /** The reload schedule, if any block has {@code reload}. */
  public Optional<ReloadSchedule> reload() {
    return first(ServerBlock::reload);
  }

  /** The first {@code kubernetes} directive (clusterdns runs one cluster index). */
  public Optional<KubernetesBlock> kubernetes() {
    return first(ServerBlock::kubernetes);
  }

  /** The first {@code autopath} (it is kept only beside a {@code kubernetes}, and clusterdns runs one index). */
  public Optional<AutopathPlugin> autopath() {
    return first(ServerBlock::autopath);
  }

  /** The ports listened on, in order of first appearance. */
  public List<Integer> ports() {
    return serverBlocks.stream().map(ServerBlock::port).distinct().toList();
  }

  /**
   * The block that handles {@code name} on {@code port}: the one with the longest zone containing the name
   * (CoreDNS's server selection; stub domains are such blocks). Empty if none matches (CoreDNS: REFUSED).
   *
   * @param name absolute, lowercase
   */
  public Optional<ServerBlock> blockFor(String name, int port) {
    ServerBlock best = null;
    int bestLength = -1;
    for (ServerBlock b : serverBlocks) {
      if (b.port() != port) {
        continue;
      }
      String z = b.zoneFor(name);
      if (z != null && z.length() > bestLength) {
        best = b;
        bestLength = z.length();
      }
    }
    return Optional.ofNullable(best);
  }

  private <T> Optional<T> first(Function<ServerBlock, Optional<T>> f) {
    for (ServerBlock b : serverBlocks) {
      Optional<T> v = f.apply(b);
      if (v.isPresent()) {
        return v;
      }
    }
    return Optional.empty();
  }
}
