package io.clusterdns.server.zone;

import io.clusterdns.index.IpAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SRVRecord;

/**
 * Collects the (target, port, address) entries of one SRV answer and renders them the way CoreDNS's
 * {@code SRV()} does (behaviours.md 3.5): priority 0, weight {@code floor(100/N)} but at least 1, where N counts
 * every entry before duplicates are removed; entries with the same target and port become one SRV record;
 * each target's addresses go to the additional section (3.4, 4.5). One instance per query, on the event loop.
 */
final class SrvSet {
  /** SRV weights are shares of 100 (CoreDNS backend_lookup.go). */
  private static final int WEIGHT_TOTAL = 100;

  /** Up to this many entries, duplicates are found by scanning (no allocation); above, by hashing. */
  private static final int SCAN_LIMIT = 16;

  private final List<Name> targets = new ArrayList<>(4);
  private final List<IpAddress> addresses = new ArrayList<>(4);
  private int[] ports = new int[4];

  /** Adds one entry; an entry whose target could not be named or whose port is out of range is skipped. */
  void add(Name target, int port, IpAddress address) {
    if (target == null || port < 0 || port > 0xFFFF) {
      return;
    }
    int i = targets.size();
    if (i == ports.length) {
      ports = Arrays.copyOf(ports, i * 2);
    }
    ports[i] = port;
    targets.add(target);
    addresses.add(address);
  }

  boolean isEmpty() {
    return targets.isEmpty();
  }

  /** Appends the SRV records (owner {@code owner}) to {@code answer} and target addresses to {@code additional}. */
  void render(Name owner, long ttl, List<Record> answer, List<Record> additional) {
    int n = targets.size();
    if (n == 0) {
      return;
    }
    int weight = Math.max(1, WEIGHT_TOTAL / n);
    // Small sets (nearly every answer) are deduplicated by scanning; large headless services by hashing.
    Set<Object> seenSrv = n > SCAN_LIMIT ? new HashSet<>(n * 2) : null;
    Set<Object> seenAddress = n > SCAN_LIMIT ? new HashSet<>(n * 2) : null;
    for (int i = 0; i < n; i++) {
      Name target = targets.get(i);
      IpAddress address = addresses.get(i);
      boolean newSrv;
      boolean newAddress;
      if (seenSrv != null) {
        newSrv = seenSrv.add(List.of(target, ports[i]));
        newAddress = seenAddress.add(List.of(target, address));
      } else {
        newSrv = true;
        newAddress = true;
        for (int j = 0; j < i; j++) {
          if (targets.get(j).equals(target)) {
            newSrv &= ports[j] != ports[i];
            newAddress &= !addresses.get(j).equals(address);
          }
        }
      }
      if (newSrv) {
        answer.add(new SRVRecord(owner, DClass.IN, ttl, 0, weight, ports[i], target));
      }
      if (newAddress) {
        additional.add(address(target, ttl, address));
      }
    }
  }

  static Record address(Name owner, long ttl, IpAddress address) {
    return address.v6()
        ? new AAAARecord(owner, DClass.IN, ttl, address.toBytes())
        : new ARecord(owner, DClass.IN, ttl, address.toBytes());
  }
}
