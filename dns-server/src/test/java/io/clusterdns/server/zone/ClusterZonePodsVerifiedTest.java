package io.clusterdns.server.zone;

import static io.clusterdns.server.zone.ZoneCase.ask;

import io.clusterdns.config.PodsMode;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** {@code pods verified}: a pod name answers only for a non-terminating pod with that IP (behaviours.md 8.3). */
class ClusterZonePodsVerifiedTest {
  private static final String POD = ".ns1.pod.cluster.local.";

  @TestFactory
  Stream<DynamicTest> pods() {
    return ZoneFixture.table(ZoneFixture.zone(PodsMode.VERIFIED)).run(List.of(
        ask("10-244-5-5" + POD, "A").found("10-244-5-5" + POD + " 30 IN A 10.244.5.5").row("8.3 verified pod"),
        ask("fd00--5-5" + POD, "AAAA").found("fd00--5-5" + POD + " 30 IN AAAA fd00::5:5")
            .row("8.3 verified, second podIP"),
        ask("10-244-5-5" + POD, "AAAA").nodata().row("9.1 verified pod, other family"),
        ask("10-244-9-9" + POD, "A").nxdomain().row("8.3 no pod has this IP"),
        ask("10-244-5-6" + POD, "A").nxdomain().row("8.3 terminating pod does not verify"),
        ask("10-244-5-5.default.pod.cluster.local.", "A").nxdomain().row("8.3 pod is in another namespace"),
        ask("ns1.pod.cluster.local.", "A").nodata().row("8.3 <ns>.pod is NODATA"),
        ask("nope.pod.cluster.local.", "A").nxdomain().row("8.3 namespace must exist"),
        ask("not-an-ip" + POD, "A").nxdomain().row("8.2"),
        ask("kubernetes.default.svc.cluster.local.", "A")
            .found("kubernetes.default.svc.cluster.local. 30 IN A 10.96.0.1").row("3.1 services unaffected")));
  }
}
