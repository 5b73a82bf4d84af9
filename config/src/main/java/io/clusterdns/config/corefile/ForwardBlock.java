package io.clusterdns.config.corefile;

import io.clusterdns.config.ForwardConfig;
import io.clusterdns.config.ForwardPolicy;
import io.clusterdns.config.HedgeConfig;
import io.clusterdns.config.HostPort;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One {@code forward FROM TO... { ... }} directive as written (behaviours.md 11.1-11.3). The targets may
 * still contain resolv.conf paths; {@link #toConfig()} reads them and gives the {@link ForwardConfig} the
 * forwarder runs with.
 *
 * @param from the FROM zone, absolute and lowercase
 * @param to the TO targets in order (1 to 15 addresses plus files)
 * @param except {@code except} zones, absolute and lowercase
 * @param policy {@code policy}, random by default
 * @param forceTcp {@code force_tcp}
 * @param preferUdp {@code prefer_udp}
 * @param maxFails {@code max_fails} (2); 0 also when {@code health_check 0}
 * @param healthCheck {@code health_check} interval (0.5 s)
 * @param maxConcurrent {@code max_concurrent}; 0 = no limit (CoreDNS's default without the option)
 * @param expire {@code expire} (10 s)
 * @param hedge {@code hedge} (on, with {@link HedgeConfig#DEFAULTS})
 * @param line line of the {@code forward} word
 */
public record ForwardBlock(
    String from,
    List<ForwardTarget> to,
    List<String> except,
    ForwardPolicy policy,
    boolean forceTcp,
    boolean preferUdp,
    int maxFails,
    Duration healthCheck,
    int maxConcurrent,
    Duration expire,
    HedgeConfig hedge,
    int line) {

  public ForwardBlock {
    to = List.copyOf(to);
    except = List.copyOf(except);
  }

  /** The addresses written directly (without those a resolv.conf will add). */
  public List<HostPort> addresses() {
    List<HostPort> out = new ArrayList<>();
    for (ForwardTarget t : to) {
      if (t instanceof ForwardTarget.Address a) {
        out.add(a.address());
      }
    }
    return out;
  }

  /** True if some target is a resolv.conf file that must be read at start-up. */
  public boolean readsResolvConf() {
    return to.stream().anyMatch(t -> t instanceof ForwardTarget.ResolvConf);
  }

  /**
   * The forwarder's configuration with resolv.conf files read now; upstreams in written order, at most
   * {@link ForwardConfig#MAX_UPSTREAMS} (the first ones win, as CoreDNS takes a file's first 15).
   *
   * @throws IOException if a resolv.conf cannot be read
   * @throws IllegalArgumentException if a resolv.conf names no nameserver
   */
  public ForwardConfig toConfig() throws IOException {
    List<HostPort> upstreams = new ArrayList<>();
    for (ForwardTarget t : to) {
      if (t instanceof ForwardTarget.Address a) {
        upstreams.add(a.address());
      } else if (t instanceof ForwardTarget.ResolvConf r) {
        upstreams.addAll(ForwardConfig.readResolvConf(r.path()));
      }
    }
    return toConfig(upstreams.subList(0, Math.min(upstreams.size(), ForwardConfig.MAX_UPSTREAMS)));
  }

  /** The forwarder's configuration with the given upstreams (e.g. {@code --upstream}, which wins). */
  public ForwardConfig toConfig(List<HostPort> upstreams) {
    return new ForwardConfig(from, upstreams, except, policy, forceTcp, preferUdp,
        ForwardConfig.DEFAULT_TRY_TIMEOUT, ForwardConfig.DEFAULT_BUDGET, maxFails, healthCheck, maxConcurrent,
        expire, hedge);
  }
}
