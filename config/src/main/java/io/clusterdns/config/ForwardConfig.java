package io.clusterdns.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One {@code forward FROM TO...} block: where names of a zone go when no local zone answers them, and how
 * hard the forwarder tries (CoreDNS {@code forward} plugin; behaviours.md 11.1, 11.2, 11.3).
 *
 * @param zone the FROM zone, absolute and lowercase ({@code .} for the default route; a stub domain
 *     otherwise)
 * @param upstreams 1 to {@link #MAX_UPSTREAMS} upstream addresses (IP literals, port usually 53)
 * @param except zones below {@code zone} that are not forwarded (absolute, lowercase)
 * @param policy order in which upstreams are tried
 * @param forceTcp always ask upstreams over TCP
 * @param preferUdp ask over UDP even when the client came over TCP (a TC reply is then passed back)
 * @param tryTimeout how long one try at one upstream may take (CoreDNS reads with a 2 s timeout)
 * @param budget overall time for one query across all tries; SERVFAIL after it (CoreDNS: 5 s)
 * @param maxFails consecutive failures after which an upstream is taken out until a health check passes;
 *     0 disables health checking
 * @param healthCheck interval of the {@code . IN NS} probe sent to an upstream while it is failing
 * @param maxConcurrent queries in flight beyond which new ones get REFUSED at once; 0 means no limit
 * @param expire how long an idle pooled upstream connection is kept
 * @param hedge whether and when a slow UDP try is hedged to the next upstream ({@link HedgeConfig})
 */
public record ForwardConfig(
    String zone,
    List<HostPort> upstreams,
    List<String> except,
    ForwardPolicy policy,
    boolean forceTcp,
    boolean preferUdp,
    Duration tryTimeout,
    Duration budget,
    int maxFails,
    Duration healthCheck,
    int maxConcurrent,
    Duration expire,
    HedgeConfig hedge) {

  /** Most upstreams one forward block takes (CoreDNS {@code max 15}). */
  public static final int MAX_UPSTREAMS = 15;

  /** Timeout of one try at one upstream (CoreDNS forward's read timeout). */
  public static final Duration DEFAULT_TRY_TIMEOUT = Duration.ofSeconds(2);

  /** Overall time for one forwarded query (CoreDNS forward's {@code defaultTimeout}). */
  public static final Duration DEFAULT_BUDGET = Duration.ofSeconds(5);

  /** Consecutive failures before an upstream counts as down (CoreDNS {@code max_fails}). */
  public static final int DEFAULT_MAX_FAILS = 2;

  /** Health-check interval while an upstream fails (CoreDNS {@code health_check}). */
  public static final Duration DEFAULT_HEALTH_CHECK = Duration.ofMillis(500);

  /** Idle time after which a pooled upstream connection is closed (CoreDNS {@code expire}). */
  public static final Duration DEFAULT_EXPIRE = Duration.ofSeconds(10);

  /** In-flight limit of the kubeadm Corefile ({@code max_concurrent 1000}). */
  public static final int KUBEADM_MAX_CONCURRENT = 1000;

  public ForwardConfig {
    zone = KubernetesConfig.absolute(zone);
    upstreams = List.copyOf(upstreams);
    except = except.stream().map(KubernetesConfig::absolute).toList();
    if (upstreams.isEmpty()) {
      throw new IllegalArgumentException("forward " + zone + " needs at least one upstream");
    }
    if (upstreams.size() > MAX_UPSTREAMS) {
      throw new IllegalArgumentException(
          "forward " + zone + " has " + upstreams.size() + " upstreams; at most " + MAX_UPSTREAMS);
    }
    if (forceTcp && preferUdp) {
      throw new IllegalArgumentException("force_tcp and prefer_udp cannot both be set");
    }
    requirePositive("timeout", tryTimeout);
    requirePositive("budget", budget);
    requirePositive("health_check", healthCheck);
    requirePositive("expire", expire);
    if (maxFails < 0) {
      throw new IllegalArgumentException("max_fails must be 0 or more, not " + maxFails);
    }
    if (hedge == null) {
      throw new IllegalArgumentException("hedge must be set (HedgeConfig.OFF for none)");
    }
    if (maxConcurrent < 0) {
      throw new IllegalArgumentException("max_concurrent must be 0 or more, not " + maxConcurrent);
    }
  }

  /**
   * CoreDNS's defaults for {@code forward . UPSTREAMS} with no options (kubeadm adds max_concurrent), plus
   * hedging, which CoreDNS does not have (on: see {@link HedgeConfig}).
   */
  public static ForwardConfig defaults(List<HostPort> upstreams) {
    return new ForwardConfig(
        ".",
        upstreams,
        List.of(),
        ForwardPolicy.RANDOM,
        false,
        false,
        DEFAULT_TRY_TIMEOUT,
        DEFAULT_BUDGET,
        DEFAULT_MAX_FAILS,
        DEFAULT_HEALTH_CHECK,
        KUBEADM_MAX_CONCURRENT,
        DEFAULT_EXPIRE,
        HedgeConfig.DEFAULTS);
  }

  /** A copy with other upstreams. */
  public ForwardConfig withUpstreams(List<HostPort> newUpstreams) {
    return new ForwardConfig(zone, newUpstreams, except, policy, forceTcp, preferUdp, tryTimeout, budget,
        maxFails, healthCheck, maxConcurrent, expire, hedge);
  }

  /** A copy with another per-try timeout and overall budget. */
  public ForwardConfig withTimeouts(Duration newTryTimeout, Duration newBudget) {
    return new ForwardConfig(zone, upstreams, except, policy, forceTcp, preferUdp, newTryTimeout, newBudget,
        maxFails, healthCheck, maxConcurrent, expire, hedge);
  }

  /** A copy with another policy. */
  public ForwardConfig withPolicy(ForwardPolicy newPolicy) {
    return new ForwardConfig(zone, upstreams, except, newPolicy, forceTcp, preferUdp, tryTimeout, budget,
        maxFails, healthCheck, maxConcurrent, expire, hedge);
  }

  /** A copy for another FROM zone (a stub domain) with its own upstreams. */
  public ForwardConfig withZone(String newZone, List<HostPort> newUpstreams) {
    return new ForwardConfig(newZone, newUpstreams, except, policy, forceTcp, preferUdp, tryTimeout, budget,
        maxFails, healthCheck, maxConcurrent, expire, hedge);
  }

  /** A copy with other {@code except} zones. */
  public ForwardConfig withExcept(List<String> newExcept) {
    return new ForwardConfig(zone, upstreams, newExcept, policy, forceTcp, preferUdp, tryTimeout, budget,
        maxFails, healthCheck, maxConcurrent, expire, hedge);
  }

  /** A copy with {@code force_tcp} / {@code prefer_udp} set. */
  public ForwardConfig withTransport(boolean newForceTcp, boolean newPreferUdp) {
    return new ForwardConfig(zone, upstreams, except, policy, newForceTcp, newPreferUdp, tryTimeout, budget,
        maxFails, healthCheck, maxConcurrent, expire, hedge);
  }

  /** A copy with other {@code max_fails} and {@code health_check} interval. */
  public ForwardConfig withHealthCheck(int newMaxFails, Duration newInterval) {
    return new ForwardConfig(zone, upstreams, except, policy, forceTcp, preferUdp, tryTimeout, budget,
        newMaxFails, newInterval, maxConcurrent, expire, hedge);
  }

  /** A copy with another {@code max_concurrent} (0: no limit). */
  public ForwardConfig withMaxConcurrent(int newMaxConcurrent) {
    return new ForwardConfig(zone, upstreams, except, policy, forceTcp, preferUdp, tryTimeout, budget,
        maxFails, healthCheck, newMaxConcurrent, expire, hedge);
  }

  /** A copy with another connection {@code expire}. */
  public ForwardConfig withExpire(Duration newExpire) {
    return new ForwardConfig(zone, upstreams, except, policy, forceTcp, preferUdp, tryTimeout, budget,
        maxFails, healthCheck, maxConcurrent, newExpire, hedge);
  }

  /** A copy with another {@code hedge} setting. */
  public ForwardConfig withHedge(HedgeConfig newHedge) {
    return new ForwardConfig(zone, upstreams, except, policy, forceTcp, preferUdp, tryTimeout, budget,
        maxFails, healthCheck, maxConcurrent, expire, newHedge);
  }

  /**
   * The {@code nameserver} lines of a resolv.conf, in order, port 53, at most {@link #MAX_UPSTREAMS}
   * (CoreDNS {@code forward . /etc/resolv.conf}). Zone ids ({@code fe80::1%eth0}) are kept in the host.
   *
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException if it names no nameserver
   */
  public static List<HostPort> readResolvConf(Path path) throws IOException {
    List<HostPort> out = new ArrayList<>();
    for (String line : Files.readAllLines(path)) {
      String t = line.strip();
      if (t.isEmpty() || t.charAt(0) == '#' || t.charAt(0) == ';') {
        continue;
      }
      String[] words = t.split("\\s+");
      if (words.length >= 2 && words[0].equals("nameserver") && out.size() < MAX_UPSTREAMS) {
        out.add(HostPort.parse(words[1], 53));
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(path + " names no nameserver");
    }
    return List.copyOf(out);
  }

  private static void requirePositive(String what, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(what + " must be a positive duration, not " + d);
    }
  }
}
