package io.clusterdns.config.corefile;

import io.clusterdns.config.ForwardConfig;
import io.clusterdns.config.ForwardPolicy;
import io.clusterdns.config.HedgeConfig;
import io.clusterdns.config.HostPort;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads {@code forward FROM TO... { ... }} with the options of CoreDNS's {@code plugin/forward}
 * (behaviours.md 11.1, 11.2). TO is an IP literal with an optional port, optionally {@code dns://}, or a
 * resolv.conf path; host names are refused (CoreDNS never resolves them either).
 *
 * <p>Stateless.
 */
final class ForwardOptions {

  private ForwardOptions() {}

  static ForwardBlock parse(Directive d, BlockContext ctx, Path baseDir) throws CorefileException {
    BlockContext.args(d, 2, Integer.MAX_VALUE);
    Token fromTok = d.args().get(0);
    List<String> fromZones = CorefileValues.zones(fromTok);
    if (fromZones.size() > 1) {
      // CoreDNS does the same: only the first zone of a non-octet CIDR is used.
      ctx.warn(fromTok, "forward FROM '" + fromTok.text() + "' expands to " + fromZones.size()
          + " zones; only " + fromZones.get(0) + " is used");
    }
    List<ForwardTarget> to = new ArrayList<>();
    int addresses = 0;
    for (Token t : d.args().subList(1, d.args().size())) {
      ForwardTarget target = target(t, baseDir);
      if (target instanceof ForwardTarget.Address && ++addresses > ForwardConfig.MAX_UPSTREAMS) {
        throw CorefileException.at(t, "too many upstreams: forward takes at most " + ForwardConfig.MAX_UPSTREAMS);
      }
      to.add(target);
    }
    List<String> except = new ArrayList<>();
    ForwardPolicy policy = ForwardPolicy.RANDOM;
    Token forceTcp = null;
    Token preferUdp = null;
    int maxFails = ForwardConfig.DEFAULT_MAX_FAILS;
    Duration healthCheck = ForwardConfig.DEFAULT_HEALTH_CHECK;
    boolean healthCheckOff = false;
    int maxConcurrent = 0;
    Duration expire = ForwardConfig.DEFAULT_EXPIRE;
    HedgeConfig hedge = HedgeConfig.DEFAULTS;
    for (Directive o : d.block()) {
      switch (o.text()) {
        case "except" -> {
          BlockContext.property(o, 1, Integer.MAX_VALUE);
          for (Token z : o.args()) {
            except.addAll(CorefileValues.zones(z));
          }
        }
        case "force_tcp" -> {
          BlockContext.property(o, 0, 0);
          forceTcp = o.name();
        }
        case "prefer_udp" -> {
          BlockContext.property(o, 0, 0);
          preferUdp = o.name();
        }
        case "expire" -> {
          BlockContext.property(o, 1, 1);
          expire = CorefileValues.duration(o.args().get(0), "expire", Duration.ofMillis(1));
        }
        case "max_fails" -> {
          BlockContext.property(o, 1, 1);
          maxFails = CorefileValues.integer(o.args().get(0), "max_fails", 0, Integer.MAX_VALUE);
        }
        case "health_check" -> {
          BlockContext.property(o, 1, 4);
          Duration hc = CorefileValues.duration(o.args().get(0), "health_check", Duration.ZERO);
          healthCheckOff = hc.isZero();
          healthCheck = hc.isZero() ? ForwardConfig.DEFAULT_HEALTH_CHECK : hc;
          healthCheckOptions(o, ctx);
        }
        case "policy" -> {
          BlockContext.property(o, 1, 1);
          try {
            policy = ForwardPolicy.parse(o.arg(0));
          } catch (IllegalArgumentException e) {
            throw CorefileException.at(o.args().get(0), e.getMessage());
          }
        }
        case "max_concurrent" -> {
          BlockContext.property(o, 1, 1);
          maxConcurrent = CorefileValues.integer(o.args().get(0), "max_concurrent", 0, Integer.MAX_VALUE);
        }
        case "hedge" -> hedge = hedge(o);
        case "max_connect_attempts" -> {
          BlockContext.property(o, 1, 1);
          CorefileValues.integer(o.args().get(0), "max_connect_attempts", 0, Integer.MAX_VALUE);
          ctx.warn(o.name(), "forward option 'max_connect_attempts' is accepted but not acted on: "
              + "the query's time budget bounds the attempts");
        }
        case "failfast_all_unhealthy_upstreams" -> {
          BlockContext.property(o, 0, 0);
          ctx.warn(o.name(), "forward option 'failfast_all_unhealthy_upstreams' is accepted but not acted on: "
              + "when all upstreams are down one is still tried");
        }
        case "tls", "tls_servername" -> {
          BlockContext.property(o, o.text().equals("tls") ? 0 : 1, 3);
          ctx.warn(o.name(), "forward option '" + o.text() + "' is accepted but not acted on: it only applies "
              + "to tls:// upstreams, which clusterdns does not support");
        }
        case "next", "failover", "next_on_nodata" -> throw CorefileException.at(o.name(), "forward option '"
            + o.text() + "' is not supported by clusterdns yet: upstream answers would be passed on unchanged");
        default -> throw BlockContext.unknownProperty(o, "forward");
      }
    }
    if (forceTcp != null && preferUdp != null) {
      Token later = forceTcp.line() > preferUdp.line() ? forceTcp : preferUdp;
      throw CorefileException.at(later, "force_tcp and prefer_udp cannot both be set");
    }
    return new ForwardBlock(fromZones.get(0), to, except, policy, forceTcp != null, preferUdp != null,
        healthCheckOff ? 0 : maxFails, healthCheck, maxConcurrent, expire, hedge, d.name().line());
  }

  /** {@code hedge off} or {@code hedge on [min DURATION] [max DURATION] [rate N]} (issue 22; not in CoreDNS). */
  private static HedgeConfig hedge(Directive o) throws CorefileException {
    BlockContext.property(o, 1, 7);
    Token onOff = o.args().get(0);
    if (onOff.text().equals("off")) {
      if (o.args().size() > 1) {
        throw CorefileException.at(o.args().get(1), "hedge off takes no options");
      }
      return HedgeConfig.OFF;
    }
    if (!onOff.text().equals("on")) {
      throw CorefileException.at(onOff, "hedge: expected 'on' or 'off', not '" + onOff.text() + "'");
    }
    Duration min = HedgeConfig.DEFAULT_MIN;
    Duration max = HedgeConfig.DEFAULT_MAX;
    int rate = HedgeConfig.DEFAULT_RATE;
    Token maxTok = null;
    List<Token> rest = o.args().subList(1, o.args().size());
    for (int i = 0; i < rest.size(); i += 2) {
      Token key = rest.get(i);
      if (!key.text().equals("min") && !key.text().equals("max") && !key.text().equals("rate")) {
        throw CorefileException.at(key, "hedge: unknown option '" + key.text()
            + "' (expected min DURATION, max DURATION or rate N)");
      }
      if (i + 1 >= rest.size()) {
        throw CorefileException.at(key, "hedge: " + key.text() + " needs a value");
      }
      Token value = rest.get(i + 1);
      switch (key.text()) {
        case "min" -> min = CorefileValues.duration(value, "hedge min", Duration.ofMillis(1));
        case "max" -> {
          max = CorefileValues.duration(value, "hedge max", Duration.ofMillis(1));
          maxTok = value;
        }
        default -> rate = CorefileValues.integer(value, "hedge rate", 1, 1_000_000);
      }
    }
    if (max.compareTo(min) < 0) {
      throw CorefileException.at(maxTok != null ? maxTok : onOff, "hedge max (" + CorefileValues.text(max)
          + ") must not be below min (" + CorefileValues.text(min) + ")");
    }
    return new HedgeConfig(true, min, max, rate);
  }

  private static void healthCheckOptions(Directive o, BlockContext ctx) throws CorefileException {
    List<Token> rest = o.args().subList(1, o.args().size());
    for (int i = 0; i < rest.size(); i++) {
      Token t = rest.get(i);
      if (t.text().equals("no_rec")) {
        ctx.warn(t, "health_check option 'no_rec' is accepted but not acted on: probes ask with RD set");
      } else if (t.text().equals("domain") && i + 1 < rest.size()) {
        CorefileValues.zone(rest.get(i + 1), rest.get(i + 1).text());
        ctx.warn(t, "health_check option 'domain' is accepted but not acted on: probes ask for '. IN NS'");
        i++;
      } else {
        throw CorefileException.at(t, "health_check: unknown option '" + t.text()
            + "' (expected no_rec or domain NAME)");
      }
    }
  }

  /** One TO: {@code [dns://]IP[:PORT]}, {@code [dns://][V6]:PORT}, or a resolv.conf path. */
  static ForwardTarget target(Token t, Path baseDir) throws CorefileException {
    String s = t.text();
    boolean schemed = false;
    int scheme = s.indexOf("://");
    if (scheme >= 0) {
      String name = s.substring(0, scheme).toLowerCase(java.util.Locale.ROOT);
      if (!name.equals("dns")) {
        throw CorefileException.at(t, "upstream scheme '" + name + "://' is not supported: clusterdns forwards "
            + "plain DNS (dns:// or no scheme)");
      }
      s = s.substring(scheme + 3);
      schemed = true;
    }
    if (!s.startsWith("/") && !s.startsWith(".")) {
      try {
        HostPort hp = HostPort.parse(s, 53);
        if (CorefileValues.ipBytes(hp.host()) != null) {
          if (hp.port() == 0) {
            throw CorefileException.at(t, "bad upstream '" + t.text() + "': port 0");
          }
          return new ForwardTarget.Address(hp);
        }
      } catch (IllegalArgumentException e) {
        if (schemed || s.startsWith("[") || CorefileValues.ipBytes(s.substring(0, Math.max(0, s.lastIndexOf(':'))))
            != null) {
          throw CorefileException.at(t, "bad upstream '" + t.text() + "': " + e.getMessage());
        }
      }
    }
    Path p = baseDir.resolve(s);
    if (!schemed && (s.indexOf('/') >= 0 || Files.isRegularFile(p))) {
      return new ForwardTarget.ResolvConf(s.startsWith("/") ? Path.of(s) : p);
    }
    throw CorefileException.at(t, "bad upstream '" + t.text() + "': not an IP address or a file "
        + "(forward takes IP[:PORT], [IPv6]:PORT or a resolv.conf path; host names are not resolved)");
  }
}
