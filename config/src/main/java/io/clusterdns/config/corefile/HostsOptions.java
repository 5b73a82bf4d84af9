package io.clusterdns.config.corefile;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads {@code hosts [FILE [ZONES...]] { ... }} (CoreDNS's {@code plugin/hosts/setup.go}) into a
 * {@link HostsPlugin}. The file is not read here: the server reads it at start and on every reload check.
 *
 * <p>Stateless.
 */
final class HostsOptions {

  private HostsOptions() {}

  /** The file CoreDNS reads when none is named. */
  static final String DEFAULT_FILE = "/etc/hosts";

  static HostsPlugin parse(Directive d, BlockContext ctx, java.nio.file.Path baseDir) throws CorefileException {
    String file = DEFAULT_FILE;
    List<String> zones = new ArrayList<>();
    if (!d.args().isEmpty()) {
      java.nio.file.Path p = java.nio.file.Path.of(d.arg(0));
      file = (p.isAbsolute() ? p : baseDir.resolve(p)).toString();
      for (Token z : d.args().subList(1, d.args().size())) {
        zones.addAll(CorefileValues.zones(z));
      }
    }
    if (zones.isEmpty()) {
      zones.addAll(ctx.zones());
    }
    List<HostsPlugin.Entry> inline = new ArrayList<>();
    int ttl = HostsPlugin.DEFAULT_TTL;
    boolean noReverse = false;
    Duration reload = HostsPlugin.DEFAULT_RELOAD;
    List<String> fallthrough = null;
    for (Directive o : d.block()) {
      byte[] ip = CorefileValues.ipBytes(o.text());
      if (ip != null) {
        if (o.args().isEmpty()) {
          throw CorefileException.at(o.name(), "hosts entry " + o.text() + " names no host");
        }
        List<String> names = new ArrayList<>();
        for (Token t : o.args()) {
          String n = CorefileValues.zone(t, t.text());
          if (HostsPlugin.inZones(n, zones)) {
            names.add(n);
          }
        }
        if (!names.isEmpty()) {
          inline.add(new HostsPlugin.Entry(ip, names));
        }
        continue;
      }
      switch (o.text()) {
        case "ttl" -> {
          BlockContext.property(o, 1, 1);
          ttl = CorefileValues.integer(o.args().get(0), "hosts ttl", 1, Integer.MAX_VALUE);
        }
        case "no_reverse" -> {
          BlockContext.property(o, 0, 0);
          noReverse = true;
        }
        case "reload" -> {
          BlockContext.property(o, 1, 1);
          reload = CorefileValues.duration(o.args().get(0), "hosts reload", Duration.ZERO);
        }
        case "fallthrough" -> {
          fallthrough = new ArrayList<>();
          for (Token z : o.args()) {
            fallthrough.addAll(CorefileValues.zones(z));
          }
        }
        default -> throw BlockContext.unknownProperty(o, "hosts");
      }
    }
    return new HostsPlugin(file, zones, inline, ttl, noReverse, reload, fallthrough);
  }
}
