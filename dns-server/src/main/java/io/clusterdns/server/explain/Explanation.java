package io.clusterdns.server.explain;

import java.util.List;

/**
 * What {@code clusterdns explain} tells about one question (issue 22): the reply and where each part of it comes
 * from. The same record is printed for people ({@link ExplanationText}) and as JSON for tools, and is what the
 * running server's {@code /explain} endpoint returns, so all three say the same thing.
 *
 * @param name the question's name, absolute
 * @param type the question's type mnemonic
 * @param route what answers the name: a cluster zone, a reverse zone, a forward zone, or nothing
 * @param asked how the reply was obtained: {@code "server"} (a query to the running server, exactly what a client
 *     gets) or {@code "index"} (computed from the cluster index without a server; names outside the cluster
 *     zones are then not asked upstream)
 * @param rcode NOERROR, NXDOMAIN, SERVFAIL, REFUSED; null when nothing was asked (a forwarded name explained
 *     from the index)
 * @param answer the answer section as {@code dig} prints records
 * @param authority the authority section
 * @param additional the additional section
 * @param rule the rule of the DNS specification (or of CoreDNS's plugins) that decided the reply, citing the
 *     behaviours.md row
 * @param sources the Kubernetes objects the records come from, in answer order
 * @param why for NXDOMAIN, NODATA and notable answers: the reasons, most decisive first
 * @param closest names that exist near a missing one (same service in other namespaces, similar spellings)
 * @param ttl where the TTL of the records comes from
 * @param forwarding for names sent upstream: the route, the cache, who answered; null for cluster names
 */
public record Explanation(
    String name,
    String type,
    String route,
    String asked,
    String rcode,
    List<String> answer,
    List<String> authority,
    List<String> additional,
    String rule,
    List<Source> sources,
    List<String> why,
    List<String> closest,
    String ttl,
    Forwarding forwarding) {

  public Explanation {
    answer = List.copyOf(answer);
    authority = List.copyOf(authority);
    additional = List.copyOf(additional);
    sources = List.copyOf(sources);
    why = List.copyOf(why);
    closest = List.copyOf(closest);
  }

  /**
   * One Kubernetes object behind the reply.
   *
   * @param kind Namespace, Service, EndpointSlice, Endpoint, Pod
   * @param name {@code namespace/name} (an endpoint: its DNS name within the slice)
   * @param detail what of it the reply used, e.g. {@code "ready, address 10.244.1.7, ports http/TCP/8080"}
   */
  public record Source(String kind, String name, String detail) {}

  /**
   * How a name outside the cluster zones is answered.
   *
   * @param zone the forward zone that matched ({@code .} for everything), null when none did
   * @param upstreams that zone's upstreams in policy order
   * @param policy the forward policy (random, round_robin, sequential) and whether tries are hedged
   * @param cache the answer cache's state for this question before it was asked: {@code "hit, 23 s left"},
   *     {@code "miss"}, {@code "not consulted"} (no server asked) or {@code "off"}
   * @param answeredBy the upstream whose reply the server passed on; null when none was asked (a cache hit, no
   *     server, or no upstream answered)
   */
  public record Forwarding(String zone, List<String> upstreams, String policy, String cache, String answeredBy) {
    public Forwarding {
      upstreams = List.copyOf(upstreams);
    }
  }
}
