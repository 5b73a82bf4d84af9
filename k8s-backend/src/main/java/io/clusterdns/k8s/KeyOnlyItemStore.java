package io.clusterdns.k8s;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The store behind each informer: it keeps only each object's key and resourceVersion, never the object, so
 * fabric8's cache costs one small map entry per object instead of a full model tree (the slim records in
 * {@code ClusterState} are the only copy of the data; STYLE "The snapshot index").
 *
 * <p>What the informer needs from its store is exactly this: the key set (a relist deletes keys it no
 * longer sees) and the resourceVersion (an item whose version is unchanged on relist raises no event), so a
 * relist is a diff against what is known, not a second copy of the cluster (kubernetes#139117). Objects it
 * hands back are blanks with name, namespace and resourceVersion only; delete and update notifications
 * carry such a blank as the "old" object, which the watch ignores.
 *
 * <p>{@link #isFullState()} is false so the informer delivers each listed item as it arrives instead of
 * deferring adds until the list ends and then re-reading them from the store (which holds no data).
 *
 * <p>Threads: fabric8's informer threads; backed by a concurrent map.
 */
final class KeyOnlyItemStore<T extends HasMetadata> implements ItemStore<T> {
  private final Supplier<T> blank;
  /**
   * key ("namespace/name" or "name") to resourceVersion: a {@link Long} when the version is a decimal number
   * (as every API server writes it; ~16 bytes instead of a ~50-byte String at 300,000 objects), else the
   * String itself; "" when the object has none.
   */
  private final Map<String, Object> versions = new ConcurrentHashMap<>();

  KeyOnlyItemStore(Supplier<T> blank) {
    this.blank = blank;
  }

  @Override
  public String getKey(T obj) {
    return keyOf(obj.getMetadata().getNamespace(), obj.getMetadata().getName());
  }

  static String keyOf(String namespace, String name) {
    return namespace == null || namespace.isEmpty() ? name : namespace + "/" + name;
  }

  @Override
  public T put(String key, T obj) {
    Object old = versions.put(key, compact(obj.getMetadata().getResourceVersion()));
    return old == null ? null : restore(key, old);
  }

  @Override
  public T remove(String key) {
    Object old = versions.remove(key);
    return old == null ? null : restore(key, old);
  }

  @Override
  public Stream<String> keySet() {
    return versions.keySet().stream();
  }

  @Override
  public Stream<T> values() {
    return versions.entrySet().stream().map(e -> restore(e.getKey(), e.getValue()));
  }

  @Override
  public int size() {
    return versions.size();
  }

  @Override
  public T get(String key) {
    Object rv = versions.get(key);
    return rv == null ? null : restore(key, rv);
  }

  @Override
  public boolean isFullState() {
    return false;
  }

  /** The stored form of a resourceVersion; {@link #restore} turns it back into the same text. */
  static Object compact(String rv) {
    if (rv == null || rv.isEmpty()) {
      return "";
    }
    int n = rv.length();
    if (n > 18 || (rv.charAt(0) == '0' && n > 1)) {
      return rv; // would overflow a long, or a leading zero would not survive the round trip
    }
    for (int i = 0; i < n; i++) {
      char c = rv.charAt(i);
      if (c < '0' || c > '9') {
        return rv;
      }
    }
    return Long.valueOf(rv);
  }

  private T restore(String key, Object stored) {
    String rv = stored.toString();
    T obj = blank.get();
    ObjectMeta m = new ObjectMeta();
    int slash = key.indexOf('/');
    if (slash >= 0) {
      m.setNamespace(key.substring(0, slash));
      m.setName(key.substring(slash + 1));
    } else {
      m.setName(key);
    }
    m.setResourceVersion(rv.isEmpty() ? null : rv);
    obj.setMetadata(m);
    return obj;
  }
}
