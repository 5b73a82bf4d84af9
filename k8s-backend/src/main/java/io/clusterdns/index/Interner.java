package io.clusterdns.index;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Shares equal small values across the index. A 100,000-service cluster repeats the same namespace names,
 * protocols and port lists hundreds of thousands of times; one shared instance of each keeps the index's
 * memory to what is distinct (issue 4 memory target: below CoreDNS's (Pods + Services) / 1000 + 54 MB).
 * Only values from small closed sets go here (ports, port lists), never per-object names, so the table stays
 * small. Thread-safe.
 */
final class Interner {
  /** Distinct values kept at most; beyond it values are returned as they are (no unbounded growth). */
  private static final int MAX_SIZE = 65_536;

  private static final ConcurrentHashMap<Object, Object> VALUES = new ConcurrentHashMap<>();

  private Interner() {}

  @SuppressWarnings("unchecked")
  static <T> T share(T value) {
    if (value == null) {
      return null;
    }
    Object existing = VALUES.get(value);
    if (existing != null) {
      return (T) existing;
    }
    if (VALUES.size() >= MAX_SIZE) {
      return value;
    }
    existing = VALUES.putIfAbsent(value, value);
    return existing == null ? value : (T) existing;
  }

  /**
   * Names repeated across objects (namespaces; service names, which each Service and its slices' labels
   * carry): the JVM's string table, which lets go of a name nothing uses any more.
   *
   * <p>In front of it, a small lossy cache of recent results: a name is mostly one seen moments ago (the
   * namespace of the previous object, the service of the slice just read), and {@link String#intern} is a
   * call into the VM and a lookup in its table of every name of the cluster: 4.7 % of the process's CPU during
   * a 100,000-object sync (RESULTS.md, issue 17). The cache holds at most {@value #RECENT} names strongly.
   * Racy by design: any slot's string is a canonical one, so a reader sees either a hit or a miss.
   */
  static String name(String s) {
    if (s == null) {
      return null;
    }
    int slot = s.hashCode() & (RECENT - 1);
    String seen = RECENT_NAMES[slot];
    if (seen != null && seen.equals(s)) {
      return seen;
    }
    String canonical = s.intern();
    RECENT_NAMES[slot] = canonical;
    return canonical;
  }

  private static final int RECENT = 16_384;
  private static final String[] RECENT_NAMES = new String[RECENT];
}
