package io.clusterdns.index;

import java.util.Map;

/** The slim form of a Namespace: its name, and labels for the {@code namespace_labels} filter. */
public record NamespaceInfo(String name, Map<String, String> labels) {
  public NamespaceInfo {
    name = Interner.name(name);
    labels = Map.copyOf(labels);
  }
}
