package io.clusterdns.server.forward;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/**
 * Picks the forwarder for a name among the default route ({@code forward .}) and stub domains
 * ({@code example.local:53 { forward . 10.100.0.10 }}): the most specific zone wins (behaviours.md 11.3), and
 * a name under one of that forwarder's {@code except} zones is not forwarded at all. Immutable; any thread.
 * Matching compares labels case-insensitively ({@link Name#subdomain}); no strings are built per query.
 */
public final class ForwardRoutes {

  private record Route(Name zone, Name[] except, Forwarder forwarder) {}

  private final Route[] routes; // most labels first, so the first match is the most specific

  public ForwardRoutes(List<Forwarder> forwarders) {
    List<Route> list = new ArrayList<>();
    for (Forwarder f : forwarders) {
      Name[] except = f.config().except().stream().map(ForwardRoutes::name).toArray(Name[]::new);
      list.add(new Route(name(f.config().zone()), except, f));
    }
    list.sort(Comparator.comparingInt((Route r) -> r.zone().labels()).reversed());
    this.routes = list.toArray(Route[]::new);
  }

  /**
   * The forwarder for {@code qname}, or null when no forward zone contains it or it lies in an
   * {@code except} zone of the most specific one (CoreDNS then passes to the next plugin; with none left
   * the client gets SERVFAIL).
   */
  public Forwarder select(Name qname) {
    for (Route r : routes) {
      if (qname.subdomain(r.zone())) {
        for (Name e : r.except()) {
          if (qname.subdomain(e)) {
            return null;
          }
        }
        return r.forwarder();
      }
    }
    return null;
  }

  /** Every forwarder, most specific zone first. */
  public List<Forwarder> forwarders() {
    List<Forwarder> out = new ArrayList<>();
    for (Route r : routes) {
      out.add(r.forwarder());
    }
    return out;
  }

  private static Name name(String absolute) {
    try {
      return Name.fromString(absolute);
    } catch (TextParseException e) {
      throw new IllegalArgumentException("bad zone '" + absolute + "': " + e.getMessage(), e);
    }
  }
}
