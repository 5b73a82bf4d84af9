package io.clusterdns.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clusterdns.index.EndpointInfo;
import io.clusterdns.index.EndpointSliceInfo;
import io.clusterdns.index.IpAddress;
import io.clusterdns.index.PodInfo;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Conversion details the manifest tests do not reach. */
class SlimConverterTest {

  @Test
  void targetNameIsKeptOnlyForPodReferences() {
    EndpointSlice s = new EndpointSliceBuilder().withNewMetadata().withNamespace("n").withName("s").endMetadata()
        .addNewEndpoint().withAddresses("10.0.0.1").withNewTargetRef().withKind("Pod").withName("web-0")
        .endTargetRef().endEndpoint()
        .addNewEndpoint().withAddresses("10.0.0.2").withNewTargetRef().withKind("Node").withName("node-1")
        .endTargetRef().endEndpoint()
        .addNewEndpoint().withAddresses("example.com").endEndpoint()
        .build();
    EndpointSliceInfo info = SlimConverter.endpointSlice(s);
    assertNull(info.serviceName(), "no service-name label: belongs to no service");
    assertEquals(List.of(
        new EndpointInfo(List.of(IpAddress.parse("10.0.0.1")), null, true, "web-0"),
        new EndpointInfo(List.of(IpAddress.parse("10.0.0.2")), null, true, null)), info.endpoints(),
        "FQDN addresses are dropped");
  }

  @Test
  void triggerTimeIsReadFromTheAnnotation() {
    EndpointSlice s = new EndpointSliceBuilder().withNewMetadata().withNamespace("n").withName("s")
        .addToAnnotations(SlimConverter.TRIGGER_TIME_ANNOTATION, "2026-01-02T03:04:05Z").endMetadata().build();
    assertEquals(1767323045000L, SlimConverter.triggerTimeMillis(s));
    s.getMetadata().setAnnotations(Map.of(SlimConverter.TRIGGER_TIME_ANNOTATION, "yesterday"));
    assertEquals(-1, SlimConverter.triggerTimeMillis(s));
    s.getMetadata().setAnnotations(null);
    assertEquals(-1, SlimConverter.triggerTimeMillis(s));
  }

  @Test
  void selectorPresenceDecidesTheHeadlessHistogramLabel() {
    assertTrue(SlimConverter.hasSelector(new ServiceBuilder().withNewSpec().addToSelector("app", "x").endSpec()
        .build()));
    assertFalse(SlimConverter.hasSelector(new ServiceBuilder().withNewSpec().endSpec().build()));
    assertFalse(SlimConverter.hasSelector(new ServiceBuilder().build()));
  }

  @Test
  void podWithoutPodIpsFallsBackToPodIpAndDropsDuplicates() {
    PodInfo single = SlimConverter.pod(new PodBuilder().withNewMetadata().withNamespace("n").withName("p")
        .endMetadata().withNewStatus().withPodIP("10.0.0.9").endStatus().build());
    assertEquals(List.of(IpAddress.parse("10.0.0.9")), single.ips());
    assertFalse(single.terminating());
    PodInfo pending = SlimConverter.pod(new PodBuilder().withNewMetadata().withNamespace("n").withName("p")
        .endMetadata().build());
    assertTrue(pending.ips().isEmpty(), "a pending pod has no address yet");
  }
}
