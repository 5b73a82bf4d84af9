package io.clusterdns.server.explain;

import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import io.clusterdns.server.explain.Explanation.Source;
import java.util.List;

/** An {@link Explanation} as people read it, and as JSON for tools (the same fields, the same words). */
public final class ExplanationText {
  private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  private ExplanationText() {}

  public static String json(Explanation e) {
    return JSON.writeValueAsString(e);
  }

  /** @throws tools.jackson.core.JacksonException when {@code text} is not an explanation */
  public static Explanation fromJson(String text) {
    return JSON.readValue(text, Explanation.class);
  }

  /**
   * Aligned sections, e.g.
   *
   * <pre>
   * web.shop.svc.cluster.local. A
   *   reply     NOERROR, from the running server
   *   answer    web.shop.svc.cluster.local.	30	IN	A	10.96.4.2
   *   rule      ClusterIP Service: A records are its spec.clusterIPs of that family, whatever its endpoints (3.1, 3.2)
   *   from      Service shop/web: ClusterIP 10.96.4.2; ports http/TCP/80
   * </pre>
   */
  public static String human(Explanation e) {
    StringBuilder b = new StringBuilder();
    b.append(e.name()).append(' ').append(e.type()).append('\n');
    String how = "server".equals(e.asked()) ? "from the running server" : "computed from the cluster index";
    line(b, "route", e.route());
    line(b, "reply", e.rcode() == null ? "not asked (" + how + ")" : e.rcode() + ", " + how);
    lines(b, "answer", e.answer());
    lines(b, "authority", e.authority());
    lines(b, "additional", e.additional());
    line(b, "rule", e.rule());
    for (Source s : e.sources()) {
      line(b, "from", s.kind() + " " + s.name() + ": " + s.detail());
    }
    lines(b, "why", e.why());
    if (!e.closest().isEmpty()) {
      line(b, "closest", String.join(", ", e.closest()));
    }
    line(b, "ttl", e.ttl());
    if (e.forwarding() != null) {
      Explanation.Forwarding f = e.forwarding();
      line(b, "forward", f.zone() == null ? "no forward zone"
          : "zone " + f.zone() + " -> " + String.join(", ", f.upstreams()) + " (policy " + f.policy() + ")");
      line(b, "cache", f.cache());
      if (f.answeredBy() != null) {
        line(b, "answered", "by upstream " + f.answeredBy());
      } else if ("server".equals(e.asked()) && f.cache() != null && f.cache().startsWith("hit")) {
        line(b, "answered", "by the cache (no upstream asked)");
      }
    }
    return b.toString();
  }

  private static void lines(StringBuilder b, String label, List<String> values) {
    for (String v : values) {
      line(b, label, v);
    }
  }

  private static void line(StringBuilder b, String label, String value) {
    if (value == null) {
      return;
    }
    b.append("  ").append(label).append(" ".repeat(Math.max(1, 11 - label.length()))).append(value).append('\n');
  }
}
