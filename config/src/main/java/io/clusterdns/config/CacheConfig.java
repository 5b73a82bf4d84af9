package io.clusterdns.config;

import java.time.Duration;
import java.util.List;

/**
 * The {@code cache} block: which replies the response cache keeps and for how long (CoreDNS {@code cache};
 * behaviours.md 11.4; features.md rows 22-27). TTLs are in seconds.
 *
 * @param zones zones whose replies are cached (absolute, lowercase; {@code .} for all)
 * @param successCapacity most positive replies kept (entries)
 * @param successMaxTtl cap on the TTL of a positive reply ({@code cache TTL}; CoreDNS default 3600)
 * @param successMinTtl floor on the TTL of a positive reply (CoreDNS default 5)
 * @param denialCapacity most negative replies (NXDOMAIN, NODATA) kept (entries)
 * @param denialMaxTtl cap on the TTL of a negative reply ({@code cache TTL}; CoreDNS default 1800)
 * @param denialMinTtl floor on the TTL of a negative reply (CoreDNS default 5)
 * @param servfailTtl how long an upstream SERVFAIL is cached, 0 to 300 (CoreDNS {@code servfail}, 5)
 * @param disableSuccess zones whose positive replies are not cached ({@code disable success ZONES})
 * @param disableDenial zones whose negative replies are not cached ({@code disable denial ZONES})
 * @param prefetchAmount hits within {@code prefetchDuration} that make an entry popular enough to be
 *     refreshed before it expires; 0 disables prefetch
 * @param prefetchDuration window in which the hits are counted (CoreDNS default 1 m)
 * @param prefetchPercentage refresh when at most this percentage of the original TTL is left (default 10)
 * @param serveStale how long past expiry an entry may still be served with TTL 0 while a refresh runs
 *     (RFC 8767); zero disables it
 * @param serveStaleVerify {@code verify} mode: ask upstream first and serve the stale entry only if that
 *     fails ({@code immediate} otherwise: serve stale at once, refresh in the background)
 * @param maxBytes estimated memory each of the success and denial sections may use, in bytes
 */
public record CacheConfig(
    List<String> zones,
    int successCapacity,
    int successMaxTtl,
    int successMinTtl,
    int denialCapacity,
    int denialMaxTtl,
    int denialMinTtl,
    int servfailTtl,
    List<String> disableSuccess,
    List<String> disableDenial,
    int prefetchAmount,
    Duration prefetchDuration,
    int prefetchPercentage,
    Duration serveStale,
    boolean serveStaleVerify,
    long maxBytes) {

  /** CoreDNS's default capacity per section: 256 shards of 39 entries. */
  public static final int DEFAULT_CAPACITY = 9984;

  /** CoreDNS's TTL cap for positive replies, seconds. */
  public static final int DEFAULT_SUCCESS_MAX_TTL = 3600;

  /** CoreDNS's TTL cap for negative replies, seconds. */
  public static final int DEFAULT_DENIAL_MAX_TTL = 1800;

  /** CoreDNS's TTL floor for both sections, seconds. */
  public static final int DEFAULT_MIN_TTL = 5;

  /** How long an upstream SERVFAIL is cached, seconds (CoreDNS default). */
  public static final int DEFAULT_SERVFAIL_TTL = 5;

  /** Memory estimate per section, bytes: 32 MiB, about 3.3 KiB per default entry. */
  public static final long DEFAULT_MAX_BYTES = 32L << 20;

  public CacheConfig {
    zones = zones.stream().map(KubernetesConfig::absolute).toList();
    disableSuccess = disableSuccess.stream().map(KubernetesConfig::absolute).toList();
    disableDenial = disableDenial.stream().map(KubernetesConfig::absolute).toList();
    if (successCapacity < 1 || denialCapacity < 1) {
      throw new IllegalArgumentException("cache capacity must be at least 1");
    }
    if (successMinTtl < 0 || successMaxTtl < successMinTtl || denialMinTtl < 0 || denialMaxTtl < denialMinTtl) {
      throw new IllegalArgumentException("cache TTLs must satisfy 0 <= MINTTL <= TTL");
    }
    if (servfailTtl < 0 || servfailTtl > 300) {
      throw new IllegalArgumentException("servfail must be between 0 and 300 seconds, not " + servfailTtl);
    }
    if (prefetchAmount < 0 || prefetchPercentage < 0 || prefetchPercentage > 100) {
      throw new IllegalArgumentException("prefetch AMOUNT must be >= 0 and PERCENTAGE within 0-100%");
    }
    if (serveStale.isNegative() || prefetchDuration.isNegative() || maxBytes < 1024) {
      throw new IllegalArgumentException("serve_stale and prefetch durations must be >= 0, max bytes >= 1024");
    }
  }

  /** {@code cache TTL} for the root zone: both caps set to {@code ttl}, everything else CoreDNS defaults. */
  public static CacheConfig of(int ttl) {
    return new CacheConfig(List.of("."), DEFAULT_CAPACITY, ttl, Math.min(DEFAULT_MIN_TTL, ttl), DEFAULT_CAPACITY,
        ttl, Math.min(DEFAULT_MIN_TTL, ttl), DEFAULT_SERVFAIL_TTL, List.of(), List.of(), 0,
        Duration.ofMinutes(1), 10, Duration.ZERO, false, DEFAULT_MAX_BYTES);
  }

  /** The kubeadm Corefile's {@code cache 30 { disable success ZONE; disable denial ZONE }}. */
  public static CacheConfig kubeadm(String clusterDomain) {
    CacheConfig c = of(30);
    return new CacheConfig(c.zones(), c.successCapacity(), c.successMaxTtl(), c.successMinTtl(),
        c.denialCapacity(), c.denialMaxTtl(), c.denialMinTtl(), c.servfailTtl(), List.of(clusterDomain),
        List.of(clusterDomain), 0, c.prefetchDuration(), 10, Duration.ZERO, false, c.maxBytes());
  }

  /** A copy with {@code prefetch AMOUNT DURATION PERCENTAGE%}. */
  public CacheConfig withPrefetch(int amount, Duration duration, int percentage) {
    return new CacheConfig(zones, successCapacity, successMaxTtl, successMinTtl, denialCapacity, denialMaxTtl,
        denialMinTtl, servfailTtl, disableSuccess, disableDenial, amount, duration, percentage, serveStale,
        serveStaleVerify, maxBytes);
  }

  /** A copy with {@code serve_stale DURATION immediate|verify}. */
  public CacheConfig withServeStale(Duration duration, boolean verify) {
    return new CacheConfig(zones, successCapacity, successMaxTtl, successMinTtl, denialCapacity, denialMaxTtl,
        denialMinTtl, servfailTtl, disableSuccess, disableDenial, prefetchAmount, prefetchDuration,
        prefetchPercentage, duration, verify, maxBytes);
  }

  /** A copy with other capacities (entries per section) and memory estimate per section. */
  public CacheConfig withCapacity(int success, int denial, long bytes) {
    return new CacheConfig(zones, success, successMaxTtl, successMinTtl, denial, denialMaxTtl, denialMinTtl,
        servfailTtl, disableSuccess, disableDenial, prefetchAmount, prefetchDuration, prefetchPercentage,
        serveStale, serveStaleVerify, bytes);
  }
}
