package io.clusterdns.config.corefile;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads one {@code acl [ZONES...] { ACTION [type QTYPE...] [net SOURCE...] }} directive as CoreDNS's
 * {@code plugin/acl/setup.go} does: ACTION is {@code allow}, {@code block}, {@code filter} or {@code drop} (any
 * letter case); the {@code type} and {@code net} sections may come in either order, each needs at least one value,
 * and {@code *} in either means "all" (as does leaving the section out). A source without a prefix length is one
 * address ({@code /32} or {@code /128}). Query types are checked for shape here and against dnsjava's table at
 * start-up, since this module knows no RR types.
 *
 * <p>Stateless.
 */
final class AclOptions {

  private AclOptions() {}

  static AclPlugin parse(Directive d, BlockContext ctx) throws CorefileException {
    List<String> zones = new ArrayList<>();
    for (Token z : d.args()) {
      for (String zone : CorefileValues.zones(z)) {
        if (!zones.contains(zone)) {
          zones.add(zone);
        }
      }
    }
    if (zones.isEmpty()) {
      zones.addAll(ctx.zones());
    }
    List<AclPlugin.Policy> policies = new ArrayList<>();
    for (Directive p : d.block()) {
      policies.add(policy(p));
    }
    return new AclPlugin(zones, policies, d.name().line());
  }

  private static AclPlugin.Policy policy(Directive p) throws CorefileException {
    BlockContext.noBlock(p);
    AclPlugin.Action action = switch (p.text().toLowerCase(Locale.ROOT)) {
      case "allow" -> AclPlugin.Action.ALLOW;
      case "block" -> AclPlugin.Action.BLOCK;
      case "filter" -> AclPlugin.Action.FILTER;
      case "drop" -> AclPlugin.Action.DROP;
      default -> throw CorefileException.at(p.name(), "acl: unknown action '" + p.text()
          + "' (expected allow, block, filter or drop)");
    };
    List<String> types = new ArrayList<>();
    List<AclPlugin.Prefix> sources = new ArrayList<>();
    boolean allTypes = false;
    boolean allSources = false;
    List<Token> args = p.args();
    int i = 0;
    while (i < args.size()) {
      Token section = args.get(i);
      if (!isSection(section)) {
        throw CorefileException.at(section, "acl: unexpected '" + section.text() + "' (expected 'type' or 'net')");
      }
      int start = ++i;
      while (i < args.size() && !isSection(args.get(i))) {
        i++;
      }
      if (i == start) {
        throw CorefileException.at(section, "acl: '" + section.text() + "' needs at least one value");
      }
      boolean isType = section.text().equalsIgnoreCase("type");
      for (Token v : args.subList(start, i)) {
        if (v.text().equals("*")) {
          // CoreDNS stops reading the section at '*': everything is matched anyway.
          if (isType) {
            allTypes = true;
          } else {
            allSources = true;
          }
          break;
        }
        if (isType) {
          types.add(type(v));
        } else {
          sources.add(prefix(v));
        }
      }
    }
    return new AclPlugin.Policy(action, allTypes ? List.of() : types, allSources ? List.of() : sources,
        p.name().line());
  }

  private static boolean isSection(Token t) {
    return !t.quoted() && (t.text().equalsIgnoreCase("type") || t.text().equalsIgnoreCase("net"));
  }

  private static String type(Token t) throws CorefileException {
    String s = t.text().toUpperCase(Locale.ROOT);
    if (!s.matches("[A-Z][A-Z0-9-]*|TYPE\\d{1,5}")) {
      throw CorefileException.at(t, "acl: unknown query type '" + t.text() + "'");
    }
    return s;
  }

  /** {@code IP} or {@code IP/LENGTH}; host bits are cleared, as Go's {@code net.ParseCIDR} does. */
  static AclPlugin.Prefix prefix(Token t) throws CorefileException {
    String s = t.text();
    int slash = s.indexOf('/');
    String ip = slash < 0 ? s : s.substring(0, slash);
    byte[] addr = ip.indexOf('%') >= 0 ? null : CorefileValues.ipBytes(ip);
    if (addr == null) {
      throw CorefileException.at(t, "acl: bad source '" + s + "' (expected an IP address or CIDR, or *)");
    }
    int length = addr.length * 8;
    if (slash >= 0) {
      String bits = s.substring(slash + 1);
      if (!CorefileValues.isInteger(bits) || Integer.parseInt(bits) > addr.length * 8) {
        throw CorefileException.at(t, "acl: bad prefix length in '" + s + "' (0-" + addr.length * 8 + ")");
      }
      length = Integer.parseInt(bits);
    }
    return new AclPlugin.Prefix(addr, length);
  }
}
