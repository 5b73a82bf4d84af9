package io.clusterdns.k8s;

/**
 * A set of objects by identity, keys only: what a relist of 100,000 objects marks as still there, at half the
 * size of an {@code IdentityHashMap}-backed set (which stores a value beside every key). The marks live for
 * the whole relist, long enough to be promoted, so their size is part of a relist's peak RSS (issue 17).
 *
 * <p>Threads: the indexer thread only.
 */
final class IdentityMarks {
  private Object[] table = new Object[64];
  private int size;

  void add(Object o) {
    if ((size + 1) * 3 > table.length * 2) {
      grow();
    }
    if (insert(table, o)) {
      size++;
    }
  }

  boolean contains(Object o) {
    int mask = table.length - 1;
    for (int i = slot(o, mask); ; i = (i + 1) & mask) {
      Object t = table[i];
      if (t == null) {
        return false;
      }
      if (t == o) {
        return true;
      }
    }
  }

  int size() {
    return size;
  }

  private static int slot(Object o, int mask) {
    int h = System.identityHashCode(o);
    return (h ^ (h >>> 16)) * 0x9E3779B9 >>> 7 & mask;
  }

  /** Linear probing; false when {@code o} is already there. */
  private static boolean insert(Object[] t, Object o) {
    int mask = t.length - 1;
    for (int i = slot(o, mask); ; i = (i + 1) & mask) {
      if (t[i] == null) {
        t[i] = o;
        return true;
      }
      if (t[i] == o) {
        return false;
      }
    }
  }

  private void grow() {
    Object[] next = new Object[table.length * 2];
    for (Object o : table) {
      if (o != null) {
        insert(next, o);
      }
    }
    table = next;
  }
}
