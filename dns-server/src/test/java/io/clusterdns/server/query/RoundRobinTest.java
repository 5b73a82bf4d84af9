package io.clusterdns.server.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;

/** behaviours.md 11.5: addresses are shuffled, the CNAME stays in front, nothing is lost or added. */
class RoundRobinTest {

  @Test
  void addressesAreShuffledBehindTheirCname() throws Exception {
    Name owner = Name.fromString("svc.example.");
    List<Record> answer = new ArrayList<>();
    answer.add(new CNAMERecord(Name.fromString("alias.example."), DClass.IN, 30, owner));
    for (int i = 1; i <= 8; i++) {
      answer.add(new ARecord(owner, DClass.IN, 30, InetAddress.getByName("192.0.2." + i)));
    }
    Set<Record> first = new HashSet<>();
    for (int round = 0; round < 200; round++) {
      List<Record> copy = new ArrayList<>(answer);
      RoundRobin.shuffle(copy);
      assertEquals(answer.get(0), copy.get(0), "the CNAME keeps its place");
      assertEquals(new HashSet<>(answer), new HashSet<>(copy));
      first.add(copy.get(1));
    }
    // 200 shuffles of 8 addresses: every address leads at some point (chance of a miss ~ 8 * (7/8)^200).
    assertTrue(first.size() == 8, "leading addresses seen: " + first.size());
  }
}
