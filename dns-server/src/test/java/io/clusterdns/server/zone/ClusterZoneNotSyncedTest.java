package io.clusterdns.server.zone;

import static io.clusterdns.server.zone.ZoneCase.ask;

import io.clusterdns.config.KubernetesConfig;
import io.clusterdns.config.PodsMode;
import io.clusterdns.index.ClusterState;
import io.clusterdns.index.SnapshotPublisher;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Before the first sync nothing is denied (behaviours.md 9.7); later snapshots show at once (5.5). */
class ClusterZoneNotSyncedTest {
  private static final String KUBE = "kubernetes.default.svc.cluster.local.";

  @TestFactory
  Stream<DynamicTest> beforeAndAfterSync() {
    SnapshotPublisher publisher = new SnapshotPublisher(); // empty, not synced
    ClusterZone zone = new ClusterZone(KubernetesConfig.kubeadm("cluster.local", PodsMode.INSECURE, 30),
        publisher, ZoneFixture.addresses("10.244.0.10"));
    ZoneTable before = new ZoneTable(zone, 30, 0);
    ZoneTable after = ZoneFixture.table(zone);
    ClusterState state = ZoneFixture.state();
    Stream<DynamicTest> unsynced = before.run(List.of(
        ask(KUBE, "A").notSynced().row("9.7 SERVFAIL, not NXDOMAIN, for an unknown service"),
        ask("ns1.svc.cluster.local.", "A").notSynced().row("9.7 unknown namespace"),
        ask("foo.cluster.local.", "A").notSynced().row("9.7 any would-be NXDOMAIN"),
        ask("9.9.9.9.in-addr.arpa.", "PTR").fallThrough().row("7.4, 9.7 fall-through comes first (CoreDNS)"),
        ask("dns-version.cluster.local.", "TXT").found("dns-version.cluster.local. 28800 IN TXT \"1.1.0\"")
            .row("2.1 needs no cluster data"),
        ask("cluster.local.", "A").nodata().row("9.1 apex exists without cluster data")));
    Stream<DynamicTest> sync = Stream.of(DynamicTest.dynamicTest("publish and mark synced", () -> {
      publisher.publish(state.build());
      publisher.markSynced();
    }));
    Stream<DynamicTest> synced = after.run(List.of(
        ask(KUBE, "A").found(KUBE + " 30 IN A 10.96.0.1").row("9.7 answers once synced"),
        ask("nope.ns1.svc.cluster.local.", "A").nxdomain().row("9.2 after sync, misses are NXDOMAIN")));
    Stream<DynamicTest> change = Stream.of(DynamicTest.dynamicTest("change the service", () -> {
      state.putService(ZoneFixture.clusterIp("default", "kubernetes", List.of("10.96.0.2"),
          ZoneFixture.port("https", "TCP", 443)));
      state.removeService("ns1", "web");
      publisher.publish(state.build());
    }));
    // The clock stands still in the fixture, so the second build's serial is the first one's plus one (9.3).
    ZoneTable afterChange = new ZoneTable(zone, ZoneFixture.TTL, ZoneFixture.SERIAL + 1);
    Stream<DynamicTest> changed = afterChange.run(List.of(
        ask(KUBE, "A").found(KUBE + " 30 IN A 10.96.0.2").row("5.5 changes show without restart"),
        ask("web.ns1.svc.cluster.local.", "A").nxdomain().row("5.5 a deleted service is gone; 9.3 serial moved")));
    return Stream.of(unsynced, sync, synced, change, changed).flatMap(s -> s);
  }
}
