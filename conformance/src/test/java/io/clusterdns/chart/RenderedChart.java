package io.clusterdns.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The chart ({@code ../chart} from this module) rendered by Helm's own {@code template}, in-process through
 * helm-java, into the Kubernetes objects it would install: a release named {@code clusterdns} in
 * {@code kube-system}, as README "Replacing CoreDNS" installs it. Objects are plain maps as YAML reads them, so the
 * tests assert fields, not text. Immutable.
 */
public final class RenderedChart {

  /** The chart's directory, relative to the conformance module (where Maven runs its tests). */
  static final Path CHART = Path.of("..", "chart");

  static final String RELEASE = "clusterdns";
  static final String NAMESPACE = "kube-system";

  /**
   * The Kubernetes version rendered for, as {@code helm template --kube-version}: Helm's offline default is v1.20,
   * below the chart's kubeVersion (1.22, where the unprivileged-port sysctl became safe).
   */
  static final String KUBE_VERSION = "v1.31.0";

  private final List<Map<String, Object>> objects;

  private RenderedChart(List<Map<String, Object>> objects) {
    this.objects = objects;
  }

  /** The chart with its defaults. */
  public static RenderedChart defaults() throws IOException {
    return render("");
  }

  /**
   * The chart with {@code values} (YAML, as in a {@code -f values.yaml}) over its defaults; a values file rather
   * than {@code --set} because the overrides include lists of maps (server blocks).
   */
  static RenderedChart render(String values) throws IOException {
    Path file = Files.createTempFile("clusterdns-values", ".yaml");
    try {
      Files.writeString(file, values, StandardCharsets.UTF_8);
      TemplateCommand template = new Helm(CHART).template().withName(RELEASE).withNamespace(NAMESPACE)
          .withKubeVersion(KUBE_VERSION).withValuesFile(file);
      return parse(template.call());
    } finally {
      Files.deleteIfExists(file);
    }
  }

  @SuppressWarnings("unchecked")
  private static RenderedChart parse(String yaml) {
    List<Map<String, Object>> objects = new ArrayList<>();
    for (Object doc : new Load(LoadSettings.builder().build()).loadAllFromString(yaml)) {
      if (doc != null) { // an empty document between two "---"
        objects.add((Map<String, Object>) doc);
      }
    }
    return new RenderedChart(objects);
  }

  List<Map<String, Object>> all() {
    return objects;
  }

  /** The objects of one kind. */
  List<Map<String, Object>> ofKind(String kind) {
    return objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
  }

  /** The only object of this kind; fails if there are none or several. */
  Map<String, Object> one(String kind) {
    List<Map<String, Object>> found = ofKind(kind);
    assertEquals(1, found.size(), "rendered objects of kind " + kind + ": " + found);
    return found.get(0);
  }

  boolean has(String kind) {
    return !ofKind(kind).isEmpty();
  }

  /** The Corefile the ConfigMap carries. */
  public String corefile() {
    return (String) get(one("ConfigMap"), "data.Corefile");
  }

  /** The Deployment's only container. */
  public Map<String, Object> container() {
    List<Map<String, Object>> containers = list(one("Deployment"), "spec.template.spec.containers");
    assertEquals(1, containers.size(), containers.toString());
    return containers.get(0);
  }

  /** The value at a dotted path of map keys, e.g. {@code spec.template.spec}; fails if a step is missing. */
  @SuppressWarnings("unchecked")
  public static Object get(Map<String, Object> object, String path) {
    Object at = object;
    for (String key : path.split("\\.")) {
      assertTrue(at instanceof Map, "no map at '" + key + "' of " + path + " in " + object);
      Map<String, Object> map = (Map<String, Object>) at;
      assertTrue(map.containsKey(key), "no '" + key + "' of " + path + " in " + map);
      at = map.get(key);
    }
    return at;
  }

  /** The value at a dotted path, or null when any step is missing. */
  @SuppressWarnings("unchecked")
  static Object find(Map<String, Object> object, String path) {
    Object at = object;
    for (String key : path.split("\\.")) {
      if (!(at instanceof Map)) {
        return null;
      }
      at = ((Map<String, Object>) at).get(key);
    }
    return at;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Map<String, Object> object, String path) {
    return (Map<String, Object>) get(object, path);
  }

  @SuppressWarnings("unchecked")
  static <T> List<T> list(Map<String, Object> object, String path) {
    return (List<T>) get(object, path);
  }

  /** The element of a list of maps whose {@code name} is {@code name}; fails if there is none. */
  static Map<String, Object> named(List<Map<String, Object>> items, String name) {
    return items.stream().filter(i -> name.equals(i.get("name"))).findFirst()
        .orElseThrow(() -> new AssertionError("no item named " + name + " in " + items));
  }
}
