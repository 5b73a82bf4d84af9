package io.clusterdns.k8s;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.annotation.JsonDeserialize;

/**
 * The watch's resource classes: only the fields {@link SlimConverter} reads, everything else of an object
 * skipped while it is parsed (performance.md 2.8). Registered on the watch's own client
 * ({@link #serialization()}), so a watch event is decoded straight into one of these and no model object of
 * fabric8's, nor its deserializer graph, is made. Metadata is {@link LeanMeta}: no managed fields, owner
 * references or finalizers.
 *
 * <p>Each class: {@code @JsonDeserialize(using = None)} so fabric8's own deserializer of
 * {@code KubernetesResource} (which would look the kind up in the full model) is not inherited, unknown
 * fields ignored, and the fabric8 annotations that name the API (an empty group is the core {@code /api/v1}).
 */
final class SlimResources {
  private SlimResources() {}

  /**
   * A serialization that decodes the four watched kinds into these classes; for the watch's client only. It does
   * not search the class path for kinds: fabric8's registry of every kind loads ~740 model classes (5 MB of
   * metaspace at 100k, RESULTS.md issue 17) that a DNS server never decodes; the server's jar leaves the
   * registry out (dns-server/pom.xml). {@link Status} is the one model kind a watch still needs:
   * a {@code 410 Gone} arrives as an ERROR event carrying one, and it is what makes the kind relist.
   */
  static KubernetesSerialization serialization() {
    KubernetesSerialization s = new KubernetesSerialization(new ObjectMapper(), false);
    s.registerKubernetesResource(Status.class);
    s.registerKubernetesResource(SlimNamespace.class);
    s.registerKubernetesResource(SlimService.class);
    s.registerKubernetesResource(SlimEndpointSlice.class);
    s.registerKubernetesResource(SlimPod.class);
    return s;
  }

  /** Object metadata without what DNS never reads and objects carry a lot of. */
  @JsonIgnoreProperties(value = {"managedFields", "ownerReferences", "finalizers"}, ignoreUnknown = true)
  public static class LeanMeta extends ObjectMeta {
    private static final long serialVersionUID = 1L;
  }

  /** What every slim kind shares. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public abstract static class Base implements HasMetadata {
    private ObjectMeta metadata;
    private String apiVersion;

    @Override
    public ObjectMeta getMetadata() {
      return metadata;
    }

    @Override
    @JsonDeserialize(as = LeanMeta.class)
    public void setMetadata(ObjectMeta metadata) {
      this.metadata = metadata;
    }

    @Override
    public String getApiVersion() {
      return apiVersion == null ? HasMetadata.super.getApiVersion() : apiVersion;
    }

    @Override
    public void setApiVersion(String apiVersion) {
      this.apiVersion = apiVersion;
    }

    /** Ignored: the class is the kind. */
    public void setKind(String kind) {}
  }

  @Version("v1") @Group("") @Kind("Namespace") @Plural("namespaces")
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonDeserialize(using = ValueDeserializer.None.class)
  public static class SlimNamespace extends Base {}

  @Version("v1") @Group("") @Kind("Service") @Plural("services")
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonDeserialize(using = ValueDeserializer.None.class)
  public static class SlimService extends Base implements Namespaced {
    public ServiceSpec spec;
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  public static class ServiceSpec {
    public String type;
    public String externalName;
    public String clusterIP;
    public List<String> clusterIPs;
    public List<Port> ports;
    public Map<String, String> selector;
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  public static class Port {
    public String name;
    public String protocol;
    public Integer port;
  }

  @Version("v1") @Group("discovery.k8s.io") @Kind("EndpointSlice") @Plural("endpointslices")
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonDeserialize(using = ValueDeserializer.None.class)
  public static class SlimEndpointSlice extends Base implements Namespaced {
    public List<Endpoint> endpoints;
    public List<Port> ports;
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  public static class Endpoint {
    public List<String> addresses;
    public String hostname;
    public Conditions conditions;
    public TargetRef targetRef;
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  public static class Conditions {
    public Boolean ready;
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  public static class TargetRef {
    public String kind;
    public String name;
  }

  @Version("v1") @Group("") @Kind("Pod") @Plural("pods")
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonDeserialize(using = ValueDeserializer.None.class)
  public static class SlimPod extends Base implements Namespaced {
    public PodStatus status;
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  public static class PodStatus {
    public String podIP;
    public List<PodIP> podIPs;
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  public static class PodIP {
    public String ip;
  }
}
