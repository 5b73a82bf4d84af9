package io.clusterdns.server.zone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clusterdns.config.PodsMode;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DNSInput;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

/** No question makes the zone throw (it runs on the event loop): odd bytes, long names, every type. */
class ClusterZoneRobustnessTest {
  private static final List<String> SUFFIXES = List.of(
      "cluster.local.", "svc.cluster.local.", "ns1.svc.cluster.local.", "hl.ns1.svc.cluster.local.",
      "web.ns1.svc.cluster.local.", "ext.ns1.svc.cluster.local.", "ns1.pod.cluster.local.", "in-addr.arpa.",
      "ip6.arpa.", "96.10.in-addr.arpa.", "dns.cluster.local.");

  /** Bytes that make interesting labels: case, separators, escapes, '*', '_', NUL, high bytes. */
  private static final byte[] ALPHABET = "aAzZ09-_*.\\\" :fF".getBytes();

  @Test
  void randomQuestionsNeverThrow() throws Exception {
    Random random = new Random(20261123); // fixed seed: a failure is reproducible
    int[] types = {Type.A, Type.AAAA, Type.SRV, Type.PTR, Type.TXT, Type.CNAME, Type.NS, Type.SOA, Type.ANY,
        Type.AXFR, Type.IXFR, Type.HTTPS, Type.OPT, 0, 65535};
    for (PodsMode mode : PodsMode.values()) {
      ClusterZone zone = ZoneFixture.zone(mode);
      for (int i = 0; i < 3000; i++) {
        Name suffix = Name.fromConstantString(SUFFIXES.get(random.nextInt(SUFFIXES.size())));
        Name qname = randomName(random, suffix);
        int type = random.nextBoolean() ? types[random.nextInt(types.length)] : random.nextInt(65536);
        assertTrue(zone.covers(qname), qname.toString());
        assertNotNull(zone.lookup(qname, type), qname + " " + type); // lookup() has no catch-all
      }
    }
  }

  @Test
  void longestNamesAndOddLabelsAreAnswered() throws Exception {
    ClusterZone zone = ZoneFixture.zone(PodsMode.INSECURE);
    // 255-octet names under every branch of the grammar.
    for (String suffix : SUFFIXES) {
      Name n = fill(Name.fromConstantString(suffix));
      assertEquals(255, n.length());
      for (int type : new int[] {Type.A, Type.AAAA, Type.SRV, Type.PTR, Type.NS}) {
        assertNotNull(zone.lookup(n, type));
      }
    }
    // A label holding a dot or NUL byte is one label, never a match for a Kubernetes name.
    Name dotted = Name.concatenate(new Name(new DNSInput(new byte[] {3, 'w', '.', 'b', 0})).relativize(Name.root),
        Name.fromConstantString("hl.ns1.svc.cluster.local."));
    assertEquals("w\\.b.hl.ns1.svc.cluster.local.", dotted.toString());
    assertInstanceOf(Answer.NxDomain.class, zone.lookup(dotted, Type.A));
    Name nul = Name.concatenate(new Name(new DNSInput(new byte[] {4, 'w', 'e', 'b', 0, 0})).relativize(Name.root),
        Name.fromConstantString("ns1.svc.cluster.local."));
    assertInstanceOf(Answer.NxDomain.class, zone.lookup(nul, Type.A));
    // The public entry point never throws either.
    assertNotNull(zone.answer(dotted, Type.SRV));
  }

  private static Name randomName(Random random, Name suffix) throws Exception {
    Name n = suffix;
    int labels = random.nextInt(6);
    for (int i = 0; i < labels; i++) {
      int len = 1 + (random.nextInt(8) == 0 ? random.nextInt(63) : random.nextInt(12));
      byte[] wire = new byte[len + 2];
      wire[0] = (byte) len;
      for (int j = 1; j <= len; j++) {
        wire[j] = random.nextInt(10) == 0 ? (byte) random.nextInt(256) : ALPHABET[random.nextInt(ALPHABET.length)];
      }
      Name label = new Name(new DNSInput(wire)); // absolute one-label name; keep only the label
      Name relative = label.relativize(Name.root);
      if (n.length() + len + 1 > 255) {
        break;
      }
      n = Name.concatenate(relative, n);
    }
    return n;
  }

  /** Pads {@code suffix} with labels on the left until it is exactly 255 octets long. */
  private static Name fill(Name suffix) throws Exception {
    Name n = suffix;
    while (n.length() < 255) {
      int room = 255 - n.length() - 1;
      int len = Math.min(63, room);
      byte[] wire = new byte[len + 2];
      wire[0] = (byte) len;
      for (int j = 1; j <= len; j++) {
        wire[j] = (byte) ('a' + j % 26);
      }
      n = Name.concatenate(new Name(new DNSInput(wire)).relativize(Name.root), n);
    }
    return n;
  }
}
