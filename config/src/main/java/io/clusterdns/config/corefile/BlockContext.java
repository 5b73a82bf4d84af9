package io.clusterdns.config.corefile;

import java.util.List;

/**
 * What a plugin parser needs from its surroundings: the zones of the enclosing server block (the default
 * zones of {@code kubernetes} and {@code cache}), the place to put warnings, and shared argument checks.
 *
 * <p>One per server block, parsing thread only.
 */
final class BlockContext {

  private final List<String> zones;
  private final List<CorefileWarning> warnings;

  BlockContext(List<String> zones, List<CorefileWarning> warnings) {
    this.zones = zones;
    this.warnings = warnings;
  }

  /** Zones of the server block, absolute and lowercase. */
  List<String> zones() {
    return zones;
  }

  void warn(Token at, String message) {
    warnings.add(CorefileWarning.at(at, message));
  }

  static CorefileException unknownProperty(Directive option, String plugin) {
    return CorefileException.at(option.name(), "unknown property '" + option.text() + "' in " + plugin);
  }

  /** Fails unless the directive has between {@code min} and {@code max} arguments. */
  static void args(Directive d, int min, int max) throws CorefileException {
    int n = d.args().size();
    if (n < min) {
      throw CorefileException.at(d.name(), d.text() + " needs "
          + (min == max ? "exactly " : "at least ") + min + " argument" + (min == 1 ? "" : "s") + ", got " + n);
    }
    if (n > max) {
      Token extra = d.args().get(max);
      throw CorefileException.at(extra, max == 0 ? d.text() + " takes no arguments"
          : d.text() + " takes at most " + max + " argument" + (max == 1 ? "" : "s") + ", got " + n);
    }
  }

  /** Fails if the directive has a { } block. */
  static void noBlock(Directive d) throws CorefileException {
    if (d.hasBlock()) {
      throw CorefileException.at(d.open(), d.text() + " takes no { } block");
    }
  }

  /** A property inside a plugin block: checks its argument count and that it has no block of its own. */
  static void property(Directive d, int min, int max) throws CorefileException {
    noBlock(d);
    args(d, min, max);
  }
}
