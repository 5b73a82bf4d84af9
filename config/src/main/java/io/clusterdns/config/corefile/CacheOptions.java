package io.clusterdns.config.corefile;

import io.clusterdns.config.CacheConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads {@code cache [TTL] [ZONES...] { ... }} with the options of CoreDNS's {@code plugin/cache}
 * (behaviours.md 11.4) into a {@link CacheConfig}.
 *
 * <p>Stateless.
 */
final class CacheOptions {

  private CacheOptions() {}

  /** CoreDNS's {@code serve_stale} duration when none is given. */
  static final Duration DEFAULT_SERVE_STALE = Duration.ofHours(1);

  /** Longest {@code servfail} CoreDNS accepts. */
  static final Duration MAX_SERVFAIL = Duration.ofMinutes(5);

  static CacheConfig parse(Directive d, BlockContext ctx) throws CorefileException {
    List<Token> args = d.args();
    int successMax = CacheConfig.DEFAULT_SUCCESS_MAX_TTL;
    int denialMax = CacheConfig.DEFAULT_DENIAL_MAX_TTL;
    int first = 0;
    if (!args.isEmpty() && looksNumeric(args.get(0).text())) {
      // "cache 30": a leading number is the TTL cap of both sections (CoreDNS: must be > 0)
      int ttl = CorefileValues.integer(args.get(0), "cache TTL", 1, Integer.MAX_VALUE);
      successMax = ttl;
      denialMax = ttl;
      first = 1;
    }
    List<String> zones = new ArrayList<>();
    for (Token z : args.subList(first, args.size())) {
      zones.addAll(CorefileValues.zones(z));
    }
    if (zones.isEmpty()) {
      zones.addAll(ctx.zones());
    }
    int successCap = CacheConfig.DEFAULT_CAPACITY;
    int denialCap = CacheConfig.DEFAULT_CAPACITY;
    Integer successMin = null;
    Integer denialMin = null;
    int servfail = CacheConfig.DEFAULT_SERVFAIL_TTL;
    List<String> disableSuccess = new ArrayList<>();
    List<String> disableDenial = new ArrayList<>();
    int prefetch = 0;
    Duration prefetchDuration = Duration.ofMinutes(1);
    int prefetchPercentage = 10;
    Duration serveStale = Duration.ZERO;
    boolean verify = false;
    for (Directive o : d.block()) {
      switch (o.text()) {
        case "success", "denial" -> {
          BlockContext.property(o, 1, 3);
          boolean success = o.text().equals("success");
          int cap = CorefileValues.integer(o.args().get(0), o.text() + " CAPACITY", 1, Integer.MAX_VALUE);
          int max = o.args().size() > 1
              ? CorefileValues.integer(o.args().get(1), o.text() + " TTL", 1, Integer.MAX_VALUE)
              : (success ? successMax : denialMax);
          Integer min = null;
          if (o.args().size() > 2) {
            min = CorefileValues.integer(o.args().get(2), o.text() + " MINTTL", 0, max);
          }
          if (success) {
            successCap = cap;
            successMax = max;
            successMin = min;
          } else {
            denialCap = cap;
            denialMax = max;
            denialMin = min;
          }
        }
        case "prefetch" -> {
          BlockContext.property(o, 1, 3);
          prefetch = CorefileValues.integer(o.args().get(0), "prefetch AMOUNT", 1, Integer.MAX_VALUE);
          if (o.args().size() > 1) {
            prefetchDuration = CorefileValues.duration(o.args().get(1), "prefetch DURATION", Duration.ofSeconds(1));
          }
          if (o.args().size() > 2) {
            Token p = o.args().get(2);
            if (!p.text().endsWith("%")) {
              throw CorefileException.at(p, "prefetch PERCENTAGE must end in '%', e.g. 10%");
            }
            prefetchPercentage = CorefileValues.integer(
                new Token(p.text().substring(0, p.text().length() - 1), p.quoted(), p.source(), p.line(),
                    p.column(), p.group()), "prefetch PERCENTAGE", 0, 100);
          }
        }
        case "serve_stale" -> {
          BlockContext.property(o, 0, 2);
          serveStale = DEFAULT_SERVE_STALE;
          for (Token a : o.args()) {
            if (a.text().equals("verify") || a.text().equals("immediate")) {
              verify = a.text().equals("verify");
            } else if (a == o.args().get(0)) {
              serveStale = CorefileValues.duration(a, "serve_stale DURATION", Duration.ZERO);
            } else {
              throw CorefileException.at(a, "serve_stale refresh mode must be immediate or verify, not '"
                  + a.text() + "'");
            }
          }
        }
        case "servfail" -> {
          BlockContext.property(o, 1, 1);
          Duration sf = CorefileValues.duration(o.args().get(0), "servfail", Duration.ZERO);
          if (sf.compareTo(MAX_SERVFAIL) > 0) {
            throw CorefileException.at(o.args().get(0), "servfail must be at most 5m, not " + o.arg(0));
          }
          servfail = (int) sf.toSeconds();
        }
        case "disable" -> {
          BlockContext.property(o, 1, Integer.MAX_VALUE);
          Token which = o.args().get(0);
          List<String> target = switch (which.text()) {
            case "success" -> disableSuccess;
            case "denial" -> disableDenial;
            default -> throw CorefileException.at(which, "disable takes success or denial, not '"
                + which.text() + "'");
          };
          if (o.args().size() == 1) {
            target.addAll(zones);
          }
          for (Token z : o.args().subList(1, o.args().size())) {
            target.addAll(CorefileValues.zones(z));
          }
        }
        case "keepttl" -> {
          BlockContext.property(o, 0, 0);
          ctx.warn(o.name(), "cache option 'keepttl' is accepted but not acted on: cached replies count their "
              + "TTLs down");
        }
        default -> throw BlockContext.unknownProperty(o, "cache");
      }
    }
    int sMin = successMin != null ? successMin : Math.min(CacheConfig.DEFAULT_MIN_TTL, successMax);
    int dMin = denialMin != null ? denialMin : Math.min(CacheConfig.DEFAULT_MIN_TTL, denialMax);
    // Keep the per-entry memory estimate of the defaults when capacities grow.
    long perEntry = CacheConfig.DEFAULT_MAX_BYTES / CacheConfig.DEFAULT_CAPACITY;
    long bytes = Math.max(CacheConfig.DEFAULT_MAX_BYTES, perEntry * Math.max(successCap, denialCap));
    try {
      return new CacheConfig(zones, successCap, successMax, sMin, denialCap, denialMax, dMin, servfail,
          disableSuccess, disableDenial, prefetch, prefetchDuration, prefetchPercentage, serveStale, verify, bytes);
    } catch (IllegalArgumentException e) {
      throw CorefileException.at(d.name(), "cache: " + e.getMessage());
    }
  }

  private static boolean looksNumeric(String s) {
    String body = s.startsWith("-") || s.startsWith("+") ? s.substring(1) : s;
    return !body.isEmpty() && body.chars().allMatch(Character::isDigit);
  }
}
