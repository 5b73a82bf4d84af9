package io.clusterdns.server.zone;

import static io.clusterdns.server.zone.ZoneCase.ask;

import io.clusterdns.config.PodsMode;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** {@code pods disabled} (the plugin default without the option): no pod records (behaviours.md 8.3). */
class ClusterZonePodsDisabledTest {
  private static final String POD = ".ns1.pod.cluster.local.";

  @TestFactory
  Stream<DynamicTest> pods() {
    return ZoneFixture.table(ZoneFixture.zone(PodsMode.DISABLED)).run(List.of(
        ask("10-244-5-5" + POD, "A").nxdomain().row("8.3 disabled: NXDOMAIN even for a running pod"),
        ask("fd00--5-5" + POD, "AAAA").nxdomain().row("8.3 disabled"),
        ask("ns1.pod.cluster.local.", "A").nodata().row("8.3 <ns>.pod is NODATA in every mode"),
        ask("pod.cluster.local.", "A").nodata().row("9.1 pod.<zone> interior"),
        ask("nope.pod.cluster.local.", "A").nxdomain().row("8.3 namespace must exist"),
        ask("kubernetes.default.svc.cluster.local.", "A")
            .found("kubernetes.default.svc.cluster.local. 30 IN A 10.96.0.1").row("3.1 services unaffected")));
  }
}
