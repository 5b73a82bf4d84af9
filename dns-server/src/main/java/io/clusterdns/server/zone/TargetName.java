package io.clusterdns.server.zone;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.xbill.DNS.Name;

/**
 * Builds names such as {@code <endpoint>.<svc>.<ns>.svc.<zone>} from Kubernetes object names and a zone
 * suffix, in wire form, so no text is parsed and a name that happens to contain a dot or backslash stays
 * one label. Stateless; any thread.
 */
final class TargetName {
  /** RFC 1035 2.3.4: labels are at most 63 octets. */
  private static final int MAX_LABEL = 63;

  /** RFC 1035 2.3.4: names are at most 255 octets in wire form. */
  private static final int MAX_NAME = 255;

  private static final byte[] SVC = {'s', 'v', 'c'};

  private TargetName() {}

  /** {@code <svc>.<ns>.svc.<suffix>}; null if it would not be a valid name. */
  static Name service(String service, String namespace, Name suffix) {
    return build(null, service, namespace, suffix);
  }

  /** {@code <endpoint>.<svc>.<ns>.svc.<suffix>}; null if it would not be a valid name. */
  static Name endpoint(String endpoint, String service, String namespace, Name suffix) {
    return build(endpoint, service, namespace, suffix);
  }

  private static Name build(String endpoint, String service, String namespace, Name suffix) {
    byte[] e = endpoint == null ? null : endpoint.getBytes(StandardCharsets.UTF_8);
    byte[] s = service.getBytes(StandardCharsets.UTF_8);
    byte[] n = namespace.getBytes(StandardCharsets.UTF_8);
    byte[] z = suffix.toWire();
    int len = (e == null ? 0 : e.length + 1) + s.length + 1 + n.length + 1 + SVC.length + 1 + z.length;
    if (len > MAX_NAME || !fits(e) || !fits(s) || !fits(n)) {
      return null;
    }
    byte[] wire = new byte[len];
    int pos = 0;
    if (e != null) {
      pos = put(wire, pos, e);
    }
    pos = put(wire, pos, s);
    pos = put(wire, pos, n);
    pos = put(wire, pos, SVC);
    System.arraycopy(z, 0, wire, pos, z.length);
    try {
      return new Name(wire);
    } catch (IOException ex) {
      return null;
    }
  }

  private static boolean fits(byte[] label) {
    return label == null || (label.length > 0 && label.length <= MAX_LABEL);
  }

  private static int put(byte[] wire, int pos, byte[] label) {
    wire[pos] = (byte) label.length;
    System.arraycopy(label, 0, wire, pos + 1, label.length);
    return pos + 1 + label.length;
  }
}
