package io.clusterdns.index;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class InternerTest {
  /** Equal names from different objects (two list pages, a watch event) end as one string in the index. */
  @Test
  void equalNamesBecomeTheOneCanonicalString() {
    String literal = "ns-interner-test"; // literals are the JVM's canonical strings
    for (int i = 0; i < 3; i++) { // a miss, then hits of the recent-names cache
      assertSame(literal, Interner.name(new String(literal.toCharArray())));
    }
    String first = Interner.name(new String("svc-" + 7));
    assertSame(first, Interner.name(new String("svc-" + 7)));
    assertSame(first, ("svc-" + 7).intern());
    assertNull(Interner.name(null));
  }

  /** Names whose slots in the recent-names cache collide still come back canonical. */
  @Test
  void collidingNamesStayCanonical() {
    // "Aa" and "BB" have the same String hash, so they share a slot of the cache.
    for (int i = 0; i < 3; i++) {
      assertSame("Aa", Interner.name(new String("Aa".toCharArray())));
      assertSame("BB", Interner.name(new String("BB".toCharArray())));
    }
  }
}
