package io.clusterdns.server.query;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * CoreDNS {@code loadbalance}: shuffles the A, AAAA and MX records of an answer so clients that take the first
 * address spread over all of them; CNAMEs and every other record keep their places, so a CNAME still comes
 * before its target (behaviours.md 11.5). Stateless; any thread.
 */
final class RoundRobin {
  private RoundRobin() {}

  /** Shuffles, in place, the A/AAAA/MX records among the positions they already hold. */
  static void shuffle(List<Record> answer) {
    int n = answer.size();
    if (n < 2) {
      return;
    }
    int[] slots = new int[n];
    int count = 0;
    for (int i = 0; i < n; i++) {
      int t = answer.get(i).getType();
      if (t == Type.A || t == Type.AAAA || t == Type.MX) {
        slots[count++] = i;
      }
    }
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    for (int i = count - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      Record a = answer.get(slots[i]);
      answer.set(slots[i], answer.get(slots[j]));
      answer.set(slots[j], a);
    }
  }
}
