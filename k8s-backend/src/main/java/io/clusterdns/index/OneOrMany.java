package io.clusterdns.index;

import java.util.List;

/**
 * A list held the way the index holds most of its lists, which have one element (a Service's one ClusterIP,
 * a slice's one endpoint, an endpoint's one address): the element itself, or an immutable list when there
 * are none or several. At 100,000 services + 100,000 pods that is ~390,000 list objects (9 MB) fewer. The
 * holders' accessors give a {@link List} back, made when asked; both forms are canonical, so holders compare
 * the stored forms.
 */
final class OneOrMany {
  private OneOrMany() {}

  /** The stored form of {@code list}: its one element, else an immutable copy. */
  static Object of(List<?> list) {
    return list.size() == 1 ? list.get(0) : List.copyOf(list);
  }

  /** {@code stored} as a list again. */
  @SuppressWarnings("unchecked")
  static <T> List<T> list(Object stored) {
    return stored instanceof List<?> l ? (List<T>) l : List.of((T) stored);
  }
}
