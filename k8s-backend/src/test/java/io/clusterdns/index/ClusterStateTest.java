package io.clusterdns.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The incremental index builder: what a watch event rebuilds, what it leaves alone, and what it publishes. */
class ClusterStateTest {
  private static final PortInfo HTTP = new PortInfo("http", "TCP", 8080);

  private static ServiceInfo clusterIp(String ns, String name, String ip) {
    return new ServiceInfo(ns, name, ServiceKind.CLUSTER_IP, List.of(IpAddress.parse(ip)),
        List.of(new PortInfo("http", "TCP", 80)), null);
  }

  private static EndpointSliceInfo slice(String ns, String name, String svc, EndpointInfo... eps) {
    return new EndpointSliceInfo(ns, name, svc, List.of(eps), List.of(HTTP));
  }

  private static EndpointInfo ep(String ip, String hostname, boolean ready, String pod) {
    return new EndpointInfo(List.of(IpAddress.parse(ip)), hostname, ready, pod);
  }

  private static ClusterState twoNamespaces() {
    ClusterState s = new ClusterState(false, () -> 1_700_000_000_000L);
    s.putNamespace(new NamespaceInfo("a", Map.of()));
    s.putNamespace(new NamespaceInfo("b", Map.of()));
    s.putService(clusterIp("a", "web", "10.96.0.5"));
    s.putService(clusterIp("b", "api", "10.96.0.6"));
    return s;
  }

  @Test
  void anEventRebuildsOnlyItsNamespaceAndTheOthersAreReused() {
    ClusterState s = twoNamespaces();
    ClusterSnapshot first = s.build();
    assertTrue(s.putService(clusterIp("a", "web", "10.96.0.7")));
    ClusterSnapshot second = s.build();
    assertNotSame(first.namespace("a"), second.namespace("a"));
    assertSame(first.namespace("b"), second.namespace("b"), "an untouched namespace keeps its view");
    assertTrue(second.namespace("a").generation() > first.namespace("a").generation());
    assertEquals(first.generation() + 1, second.generation());
    assertEquals(List.of(new PtrTarget("a", "web", null)), second.ptr(IpAddress.parse("10.96.0.7")));
    assertTrue(second.ptr(IpAddress.parse("10.96.0.5")).isEmpty(), "the old ClusterIP's PTR is gone");
  }

  @Test
  void theSoaSerialIsTheChangeTimeAndMovesWithEveryPublishedChange() {
    ClusterState s = twoNamespaces(); // the clock stands still at 1,700,000,000 s
    long first = s.build().serial();
    assertEquals(1_700_000_000L, first);
    s.putService(clusterIp("a", "web", "10.96.0.8"));
    assertEquals(first + 1, s.build().serial(), "a second change in the same second still moves the serial");
  }

  @Test
  void anUpdateThatChangesNothingDnsCanSeePublishesNothing() {
    ClusterState s = twoNamespaces();
    ClusterSnapshot first = s.build();
    assertFalse(s.putService(clusterIp("a", "web", "10.96.0.5")));
    assertFalse(s.dirty());
    assertSame(first, s.build());
  }

  @Test
  void endpointsOfEverySliceAreMergedAndNotReadyOnesLeftOut() {
    ClusterState s = twoNamespaces();
    s.putService(new ServiceInfo("a", "db", ServiceKind.HEADLESS, List.of(), List.of(), null));
    s.putEndpointSlice(slice("a", "db-1", "db", ep("10.244.0.1", "db-0", true, null),
        ep("10.244.0.2", null, false, null)));
    s.putEndpointSlice(slice("a", "db-2", "db", ep("10.244.0.3", null, true, null)));
    ServiceView db = s.build().namespace("a").service("db");
    assertEquals(List.of("db-0", "10-244-0-3"), db.endpoints().stream().map(EndpointAddress::name).toList());
    assertEquals(1, db.endpointsNamed("db-0").size());

    assertTrue(s.removeEndpointSlice("a", "db-1"));
    ServiceView after = s.build().namespace("a").service("db");
    assertEquals(List.of("10-244-0-3"), after.endpoints().stream().map(EndpointAddress::name).toList());
    assertTrue(after.endpointsNamed("db-0").isEmpty());
  }

  @Test
  void aSliceRelabelledToAnotherServiceMovesWithIt() {
    ClusterState s = twoNamespaces();
    s.putService(new ServiceInfo("a", "x", ServiceKind.HEADLESS, List.of(), List.of(), null));
    s.putService(new ServiceInfo("a", "y", ServiceKind.HEADLESS, List.of(), List.of(), null));
    s.putEndpointSlice(slice("a", "s1", "x", ep("10.244.1.1", null, true, null)));
    assertEquals(1, s.build().namespace("a").service("x").endpoints().size());
    s.putEndpointSlice(slice("a", "s1", "y", ep("10.244.1.1", null, true, null)));
    ClusterSnapshot snap = s.build();
    assertTrue(snap.namespace("a").service("x").endpoints().isEmpty());
    assertEquals(1, snap.namespace("a").service("y").endpoints().size());
  }

  @Test
  void podNamesNameEndpointsOnlyWithEndpointPodNames() {
    for (boolean podNames : new boolean[] {false, true}) {
      ClusterState s = new ClusterState(podNames);
      s.putNamespace(new NamespaceInfo("a", Map.of()));
      s.putService(new ServiceInfo("a", "db", ServiceKind.HEADLESS, List.of(), List.of(), null));
      s.putEndpointSlice(slice("a", "s", "db", ep("10.244.2.1", null, true, "db-7f9c")));
      String name = s.build().namespace("a").service("db").endpoints().get(0).name();
      assertEquals(podNames ? "db-7f9c" : "10-244-2-1", name);
    }
  }

  @Test
  void aNamespaceWithoutItsNamespaceObjectDoesNotExist() {
    ClusterState s = new ClusterState(false);
    s.putService(clusterIp("ghost", "web", "10.96.9.9"));
    assertNull(s.build().namespace("ghost"), "services alone do not make a namespace (behaviours.md 1.5)");
    s.putNamespace(new NamespaceInfo("ghost", Map.of()));
    assertEquals(1, s.build().namespace("ghost").services().size());
    s.removeNamespace("ghost");
    assertNull(s.build().namespace("ghost"));
  }

  @Test
  void clusterIpOwnersComeBeforeEndpointOwnersInReverseLookups() {
    ClusterState s = twoNamespaces();
    s.putService(new ServiceInfo("b", "hl", ServiceKind.HEADLESS, List.of(), List.of(), null));
    s.putEndpointSlice(slice("b", "hl-1", "hl", ep("10.96.0.5", null, true, null)));
    List<PtrTarget> targets = s.build().ptr(IpAddress.parse("10.96.0.5"));
    assertEquals(new PtrTarget("a", "web", null), targets.get(0));
    assertEquals(new PtrTarget("b", "hl", "10-96-0-5"), targets.get(1));
  }
}
