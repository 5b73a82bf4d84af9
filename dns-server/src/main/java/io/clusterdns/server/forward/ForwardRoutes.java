package io.clusterdns.server.forward;

import io.clusterdns.config.ForwardConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/**
 * Picks the forwarder for a name among the default route ({@code forward .}) and stub domains
 * ({@code example.local:53 { forward . 10.100.0.10 }}): the most specific zone wins (behaviours.md 11.3), and
 * a name under one of that forwarder's {@code except} zones is not forwarded at all. Immutable; any thread.
 * Matching compares labels case-insensitively ({@link Name#subdomain}); no strings are built per query.
 *
 * <p>Generic over what a route leads to: the server routes to live {@link Forwarder}s, {@code explain} to their
 * {@link ForwardConfig}s when it runs without a server, by the same rule.
 */
public final class ForwardRoutes<T> {

  private record Route<T>(Name zone, Name[] except, T target) {}

  private final List<Route<T>> routes; // most labels first, so the first match is the most specific

  /** Routes to each target by its forward block's zone and except zones. */
  public ForwardRoutes(List<T> targets, Function<T, ForwardConfig> config) {
    List<Route<T>> list = new ArrayList<>();
    for (T t : targets) {
      ForwardConfig c = config.apply(t);
      Name[] except = c.except().stream().map(ForwardRoutes::name).toArray(Name[]::new);
      list.add(new Route<>(name(c.zone()), except, t));
    }
    list.sort(Comparator.comparingInt((Route<T> r) -> r.zone().labels()).reversed());
    this.routes = List.copyOf(list);
  }

  /** The server's routes: to its forwarders. */
  public static ForwardRoutes<Forwarder> of(List<Forwarder> forwarders) {
    return new ForwardRoutes<>(forwarders, Forwarder::config);
  }

  /**
   * The target for {@code qname}, or null when no forward zone contains it or it lies in an
   * {@code except} zone of the most specific one (CoreDNS then passes to the next plugin; with none left
   * the client gets SERVFAIL).
   */
  public T select(Name qname) {
    for (Route<T> r : routes) {
      if (qname.subdomain(r.zone())) {
        for (Name e : r.except()) {
          if (qname.subdomain(e)) {
            return null;
          }
        }
        return r.target();
      }
    }
    return null;
  }

  private static Name name(String absolute) {
    try {
      return Name.fromString(absolute);
    } catch (TextParseException e) {
      throw new IllegalArgumentException("bad zone '" + absolute + "': " + e.getMessage(), e);
    }
  }
}
