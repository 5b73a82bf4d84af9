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
   * carry): the JVM's string table.
   */
  static String name(String s) {
    return s == null ? null : s.intern();
  }
}
