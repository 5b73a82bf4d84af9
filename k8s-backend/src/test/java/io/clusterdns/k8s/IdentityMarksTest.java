package io.clusterdns.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a relist marks is found again by identity, through growth, and an equal copy is not it. */
class IdentityMarksTest {
  @Test
  void marksByIdentityThroughGrowth() {
    IdentityMarks marks = new IdentityMarks();
    List<String> kept = new ArrayList<>();
    for (int i = 0; i < 100_000; i++) {
      String s = new String("svc-" + i);
      kept.add(s);
      if (i % 2 == 0) {
        marks.add(s);
        marks.add(s); // twice is once
      }
    }
    assertEquals(50_000, marks.size());
    for (int i = 0; i < kept.size(); i++) {
      assertEquals(i % 2 == 0, marks.contains(kept.get(i)), "svc-" + i);
    }
    assertFalse(marks.contains(new String("svc-0")), "an equal object that is not the marked one");
    assertTrue(marks.contains(kept.get(0)));
  }
}
