package io.clusterdns.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JsonParser;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * A list response read by {@link ManifestReader#readListPage} (the watch's lists) gives the very records a
 * watch event of the same object gives through the slim classes and {@link SlimConverter}: otherwise every
 * relist would look like a change of every object.
 */
class ListPageTest {
  private static final KubernetesSerialization SLIM = SlimResources.serialization();

  private static final String SERVICE = "{\"metadata\":{\"name\":\"web\",\"namespace\":\"a\",\"resourceVersion\":"
      + "\"11\",\"labels\":{\"app\":\"web\"},\"managedFields\":[{\"manager\":\"kubectl\"}]},\"spec\":{\"type\":"
      + "\"ClusterIP\",\"clusterIP\":\"10.96.0.5\",\"clusterIPs\":[\"10.96.0.5\",\"fd00::5\"],\"selector\":{\"app\":"
      + "\"web\"},\"ports\":[{\"name\":\"http\",\"port\":80,\"protocol\":\"TCP\",\"targetPort\":8080},{\"name\":"
      + "\"dns\",\"port\":\"53\",\"protocol\":\"UDP\"}]},\"status\":{\"loadBalancer\":{}}}";
  private static final String HEADLESS = "{\"metadata\":{\"name\":\"db\",\"namespace\":\"a\"},\"spec\":{\"clusterIP\":"
      + "\"None\",\"selector\":{}}}";
  private static final String EXTERNAL = "{\"metadata\":{\"name\":\"ext\",\"namespace\":\"b\"},\"spec\":{\"type\":"
      + "\"ExternalName\",\"externalName\":\"example.org\"}}";
  private static final String BAD_PORT = "{\"metadata\":{\"name\":\"bad\",\"namespace\":\"a\"},\"spec\":{\"clusterIP\":"
      + "\"10.96.0.9\",\"ports\":[{\"port\":\"eighty\"}]}}";
  private static final String SLICE = "{\"metadata\":{\"name\":\"db-x1\",\"namespace\":\"a\",\"labels\":{"
      + "\"kubernetes.io/service-name\":\"db\"},\"annotations\":{\"endpoints.kubernetes.io/last-change-trigger-time\":"
      + "\"2026-01-01T00:00:00Z\"}},\"addressType\":\"IPv4\",\"endpoints\":[{\"addresses\":[\"10.1.0.1\"],"
      + "\"hostname\":\"db-0\",\"conditions\":{\"ready\":true}},{\"addresses\":[\"10.1.0.2\"],\"conditions\":{"
      + "\"ready\":false},\"targetRef\":{\"kind\":\"Pod\",\"name\":\"db-1\"}}],\"ports\":[{\"name\":\"pg\",\"port\":"
      + "5432,\"protocol\":\"TCP\"}]}";
  private static final String POD = "{\"metadata\":{\"name\":\"p1\",\"namespace\":\"a\",\"deletionTimestamp\":"
      + "\"2026-01-01T00:00:00Z\"},\"spec\":{\"containers\":[{\"name\":\"c\"}]},\"status\":{\"podIP\":\"10.1.0.7\","
      + "\"podIPs\":[{\"ip\":\"10.1.0.7\"},{\"ip\":\"fd00::7\"}]}}";
  private static final String NAMESPACE = "{\"metadata\":{\"name\":\"a\",\"labels\":{\"team\":\"x\"}},\"spec\":{"
      + "\"finalizers\":[\"kubernetes\"]}}";

  /**
   * The page as the watch reads it ({@link JsonListTokens}, here with a 7-byte buffer so every token crosses
   * refills), checked to be the page Jackson's parser gives.
   */
  private static ManifestReader.ListPage read(String json, String kind, String apiVersion) {
    ManifestReader.ListPage jackson;
    try (JsonParser p = new JsonFactory().createParser(ObjectReadContext.empty(), json)) {
      jackson = ManifestReader.readListPage(ManifestTokens.of(p), kind, apiVersion);
    }
    ManifestReader.ListPage page = ManifestReader.readListPage(
        new JsonListTokens(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), 7), kind, apiVersion);
    assertEquals(jackson.items, page.items);
    assertEquals(jackson.rejected, page.rejected);
    assertEquals(jackson.resourceVersion, page.resourceVersion);
    assertEquals(jackson.continueToken, page.continueToken);
    assertEquals(jackson.servicesWithSelector.size(), page.servicesWithSelector.size());
    return page;
  }

  private static String list(String kind, String apiVersion, String metadata, boolean metadataLast, String... items) {
    String head = "{\"kind\":\"" + kind + "List\",\"apiVersion\":\"" + apiVersion + "\"";
    String meta = ",\"metadata\":" + metadata;
    String body = ",\"items\":[" + String.join(",", items) + "]";
    return head + (metadataLast ? body + meta : meta + body) + "}";
  }

  @Test
  void servicesMatchTheWatchPathAndCarryTheListMetadata() {
    ManifestReader.ListPage page = read(list("Service", "v1", "{\"resourceVersion\":\"42\",\"continue\":\"tok\"}",
        false, SERVICE, HEADLESS, EXTERNAL), "Service", "v1");
    assertEquals("42", page.resourceVersion);
    assertEquals("tok", page.continueToken);
    List<Object> expected = new ArrayList<>();
    for (String item : List.of(SERVICE, HEADLESS, EXTERNAL)) {
      expected.add(SlimConverter.service(SLIM.unmarshal(item, SlimResources.SlimService.class)));
    }
    assertEquals(expected, page.items);
    // web has a selector; db's is empty, which is no selector; ext has none
    assertEquals(1, page.servicesWithSelector.size(), "an empty selector is no selector");
    assertEquals(true, page.servicesWithSelector.contains(page.items.get(0)), "web has a selector");
    assertEquals(List.of(), page.rejected);
  }

  @Test
  void metadataAfterTheItemsAndALastPageWithoutAToken() {
    ManifestReader.ListPage page = read(list("Service", "v1", "{\"resourceVersion\":\"7\"}", true, EXTERNAL),
        "Service", "v1");
    assertEquals("7", page.resourceVersion);
    assertNull(page.continueToken);
    assertEquals(1, page.items.size());
  }

  @Test
  void slicesPodsAndNamespacesMatchTheWatchPath() {
    assertEquals(List.of(SlimConverter.endpointSlice(SLIM.unmarshal(SLICE, SlimResources.SlimEndpointSlice.class))),
        read(list("EndpointSlice", "discovery.k8s.io/v1", "{}", false, SLICE), "EndpointSlice",
            "discovery.k8s.io/v1").items);
    assertEquals(List.of(SlimConverter.pod(SLIM.unmarshal(POD, SlimResources.SlimPod.class))),
        read(list("Pod", "v1", "{}", false, POD), "Pod", "v1").items);
    assertEquals(List.of(SlimConverter.namespace(SLIM.unmarshal(NAMESPACE, SlimResources.SlimNamespace.class))),
        read(list("Namespace", "v1", "{}", false, NAMESPACE), "Namespace", "v1").items);
  }

  @Test
  void anItemThatCannotBeConvertedIsLeftOutAndNamed() {
    ManifestReader.ListPage page = read(list("Service", "v1", "{}", false, SERVICE, BAD_PORT, EXTERNAL), "Service",
        "v1");
    assertEquals(2, page.items.size(), "the other items stay");
    assertEquals(1, page.rejected.size());
    assertEquals(true, page.rejected.get(0).startsWith("Service a/bad: "), page.rejected.get(0));
  }
}
