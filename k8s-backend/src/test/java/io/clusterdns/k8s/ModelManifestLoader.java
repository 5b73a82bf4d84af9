package io.clusterdns.k8s;

import io.clusterdns.index.ClusterState;
import io.clusterdns.index.EndpointSliceInfo;
import io.clusterdns.index.NamespaceInfo;
import io.clusterdns.index.PodInfo;
import io.clusterdns.index.ServiceInfo;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.logging.Logger;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The manifest loader as it was before issue 17, kept as the reference for {@link ManifestReaderTest}: every
 * document is read into a Jackson tree, mapped onto fabric8's model classes and converted by
 * {@link SlimConverter}. The streaming {@link ManifestLoader} must load the same snapshot and report the same
 * document and message (its own words only for type errors, which data binding phrases).
 */
final class ModelManifestLoader {
  private static final Logger LOG = Logger.getLogger(ModelManifestLoader.class.getName());

  /** Classpath location of the built-in demo cluster, relative to this class. */
  public static final String DEMO_RESOURCE = "demo-cluster.yaml";

  private static final String CORE_V1 = "v1";
  private static final String DISCOVERY_V1 = "discovery.k8s.io/v1";

  /** fabric8's model mapping; thread-safe once built. */
  private static final KubernetesSerialization MODEL = new KubernetesSerialization();

  private static final ObjectMapper YAML = YAMLMapper.builder().build();
  private static final ObjectMapper JSON = JsonMapper.builder().build();

  private ModelManifestLoader() {}

  /** What a load added; {@code impliedNamespaces} and {@code skippedKinds} were also logged as warnings. */
  public record Summary(
      int namespaces, int services, int endpointSlices, int pods,
      List<String> impliedNamespaces, Map<String, Integer> skippedKinds) {
    public Summary {
      impliedNamespaces = List.copyOf(impliedNamespaces);
      skippedKinds = Map.copyOf(skippedKinds);
    }
  }

  /** Loads one manifest file; the message of any error starts with the file name as given. */
  public static Summary load(Path file, ClusterState state) throws ManifestException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new ManifestException(file + ": cannot read: " + e.getMessage(), 0, e);
    }
    return load(bytes, file.toString(), state);
  }

  /**
   * Loads manifests from a stream (read to its end, not closed).
   *
   * @param source the name errors and warnings use for the input, usually the file name
   */
  public static Summary load(InputStream in, String source, ClusterState state) throws ManifestException {
    byte[] bytes;
    try {
      bytes = in.readAllBytes();
    } catch (IOException e) {
      throw new ManifestException(source + ": cannot read: " + e.getMessage(), 0, e);
    }
    return load(bytes, source, state);
  }

  /** Loads the built-in demo cluster ({@value #DEMO_RESOURCE}, a resource next to this class). */
  public static Summary loadDemo(ClusterState state) {
    try (InputStream in = ModelManifestLoader.class.getResourceAsStream(DEMO_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("the demo cluster resource " + DEMO_RESOURCE + " is missing from the jar");
      }
      return load(in, DEMO_RESOURCE, state);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (ManifestException e) {
      throw new IllegalStateException("the built-in demo cluster is invalid: " + e.getMessage(), e);
    }
  }

  // ------------------------------------------------------------------------------------------ parsing

  private static Summary load(byte[] bytes, String source, ClusterState state) throws ManifestException {
    Parsed parsed = new Parsed();
    int document = 0;
    ObjectMapper mapper = mapperFor(bytes);
    try (MappingIterator<JsonNode> docs = mapper.readerFor(JsonNode.class).readValues(bytes)) {
      while (true) {
        document++;
        JsonNode node;
        try {
          if (!docs.hasNextValue()) {
            break;
          }
          node = docs.nextValue();
        } catch (JacksonException e) {
          throw new ManifestException(
              source + ": document " + document + ": cannot parse" + at(e.getLocation()) + ": " + oneLine(e.getOriginalMessage()),
              document, e);
        }
        if (node == null || node.isNull() || node.isMissingNode()) {
          continue; // an empty document, e.g. after a trailing "---"
        }
        if (node.isArray() && mapper == JSON) { // a top-level JSON array of objects
          int item = 0;
          for (JsonNode o : node) {
            readObject(o, null, null, source, "document " + document + " item " + (++item), document, parsed);
          }
        } else {
          readDocument(node, source, document, parsed);
        }
      }
    }
    return apply(parsed, source, state);
  }

  private static ObjectMapper mapperFor(byte[] bytes) {
    for (byte b : bytes) {
      if (b == '{' || b == '[') {
        return JSON;
      }
      if (!Character.isWhitespace(b) && b != (byte) 0xEF && b != (byte) 0xBB && b != (byte) 0xBF) { // skip a BOM
        return YAML;
      }
    }
    return YAML;
  }

  private static void readDocument(JsonNode node, String source, int document, Parsed parsed)
      throws ManifestException {
    String where = "document " + document;
    if (!node.isObject()) {
      throw new ManifestException(
          source + ": " + where + ": expected a Kubernetes object, got " + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT),
          document, null);
    }
    String kind = text(node, "kind");
    JsonNode items = node.get("items");
    if (kind != null && kind.endsWith("List") && items != null && items.isArray()) {
      // "kind: List" items carry their own kind; a typed list's (ServiceList) items may omit it.
      String itemKind = kind.equals("List") ? null : kind.substring(0, kind.length() - "List".length());
      String itemApi = kind.equals("List") ? null : text(node, "apiVersion");
      int i = 0;
      for (JsonNode item : items) {
        readObject(item, itemKind, itemApi, source, where + " item " + (++i), document, parsed);
      }
      return;
    }
    readObject(node, null, null, source, where, document, parsed);
  }

  private static void readObject(JsonNode node, String defaultKind, String defaultApi, String source, String where,
      int document, Parsed parsed) throws ManifestException {
    if (node == null || !node.isObject()) {
      throw new ManifestException(source + ": " + where + ": expected a Kubernetes object", document, null);
    }
    String kind = text(node, "kind");
    String api = text(node, "apiVersion");
    kind = kind == null ? defaultKind : kind;
    api = api == null ? defaultApi : api;
    if (kind == null) {
      throw new ManifestException(source + ": " + where + ": kind is missing", document, null);
    }
    if (api == null) {
      throw new ManifestException(source + ": " + where + " (" + kind + "): apiVersion is missing", document, null);
    }
    String label = where + " (" + kind + " " + describe(node) + ")";
    try {
      if (kind.equals("Namespace") && api.equals(CORE_V1)) {
        NamespaceInfo ns = SlimConverter.namespace(MODEL.convertValue(node, Namespace.class));
        parsed.namespaces.put(ns.name(), ns);
      } else if (kind.equals("Service") && api.equals(CORE_V1)) {
        ServiceInfo svc = SlimConverter.service(MODEL.convertValue(node, Service.class));
        parsed.services.put(svc.namespace() + "/" + svc.name(), svc);
      } else if (kind.equals("EndpointSlice") && api.equals(DISCOVERY_V1)) {
        EndpointSliceInfo eps = SlimConverter.endpointSlice(MODEL.convertValue(node, EndpointSlice.class));
        parsed.slices.put(eps.namespace() + "/" + eps.name(), eps);
      } else if (kind.equals("Pod") && api.equals(CORE_V1)) {
        PodInfo pod = SlimConverter.pod(MODEL.convertValue(node, Pod.class));
        parsed.pods.put(pod.namespace() + "/" + pod.name(), pod);
      } else {
        parsed.skipped.merge(kind + " (" + api + ")", 1, Integer::sum);
      }
    } catch (ConversionException e) {
      throw new ManifestException(source + ": " + label + ": " + e.getMessage(), document, e);
    } catch (JacksonException e) {
      throw new ManifestException(
          source + ": " + label + ": " + jsonPath(e) + ": " + oneLine(e.getOriginalMessage()), document, e);
    } catch (IllegalArgumentException e) { // fabric8 wraps mapping errors in it
      Throwable c = e.getCause() instanceof JacksonException ? e.getCause() : e;
      String detail = c instanceof JacksonException j ? jsonPath(j) + ": " + oneLine(j.getOriginalMessage()) : e.getMessage();
      throw new ManifestException(source + ": " + label + ": " + detail, document, e);
    }
  }

  private static Summary apply(Parsed p, String source, ClusterState state) {
    TreeSet<String> implied = new TreeSet<>();
    p.services.values().forEach(s -> noteImplied(p, s.namespace(), implied));
    p.slices.values().forEach(s -> noteImplied(p, s.namespace(), implied));
    p.pods.values().forEach(s -> noteImplied(p, s.namespace(), implied));
    implied.removeAll(state.namespaceNames()); // already there from an earlier load
    p.skipped.forEach((kind, n) -> LOG.warning(source + ": skipped " + n + " " + kind + " object(s); clusterdns reads"
        + " only Namespace, Service, EndpointSlice (discovery.k8s.io/v1) and Pod"));
    if (!implied.isEmpty()) {
      LOG.warning(source + ": no Namespace document for " + String.join(", ", implied)
          + "; treating these namespaces as existing");
    }
    p.namespaces.values().forEach(state::putNamespace);
    implied.forEach(n -> state.putNamespace(new NamespaceInfo(n, Map.of())));
    p.services.values().forEach(state::putService);
    p.slices.values().forEach(state::putEndpointSlice);
    p.pods.values().forEach(state::putPod);
    return new Summary(p.namespaces.size() + implied.size(), p.services.size(), p.slices.size(), p.pods.size(),
        new ArrayList<>(implied), p.skipped);
  }

  private static void noteImplied(Parsed p, String ns, TreeSet<String> implied) {
    if (!p.namespaces.containsKey(ns)) {
      implied.add(ns);
    }
  }

  // ------------------------------------------------------------------------------------------- helpers

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v != null && v.isString() ? v.asString() : null;
  }

  /** "ns/name", "name" or "?" from the raw node, so an error can name the object before it is mapped. */
  private static String describe(JsonNode node) {
    JsonNode m = node.get("metadata");
    String name = m == null ? null : text(m, "name");
    String ns = m == null ? null : text(m, "namespace");
    if (name == null) {
      return "without a name";
    }
    return ns == null ? name : ns + "/" + name;
  }

  /** The JSON path of a mapping error: {@code spec.ports[0].port}. */
  private static String jsonPath(JacksonException e) {
    StringBuilder sb = new StringBuilder();
    for (JacksonException.Reference r : e.getPath()) {
      if (r.getPropertyName() != null) {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(r.getPropertyName());
      } else if (r.getIndex() >= 0) {
        sb.append('[').append(r.getIndex()).append(']');
      }
    }
    return sb.length() == 0 ? "(object)" : sb.toString();
  }

  private static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("\\s+", " ").trim();
  }

  private static String at(TokenStreamLocation loc) {
    if (loc == null || loc.getLineNr() < 1) {
      return "";
    }
    return " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
  }

  /** Converted objects of one file, keyed so a later document replaces an earlier one. */
  private static final class Parsed {
    final Map<String, NamespaceInfo> namespaces = new LinkedHashMap<>();
    final Map<String, ServiceInfo> services = new LinkedHashMap<>();
    final Map<String, EndpointSliceInfo> slices = new LinkedHashMap<>();
    final Map<String, PodInfo> pods = new LinkedHashMap<>();
    final Map<String, Integer> skipped = new LinkedHashMap<>();
  }
}
