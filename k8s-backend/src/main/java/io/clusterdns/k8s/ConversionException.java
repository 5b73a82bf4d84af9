package io.clusterdns.k8s;

/**
 * A Kubernetes object that cannot become a slim record: a required field is missing or holds a value DNS
 * cannot use. The message is "{@code <field> <reason>}", e.g. {@code spec.clusterIPs[0] 'abc' is not an IP
 * address}; the manifest loader prefixes the file and document, the watch the object's key.
 */
public final class ConversionException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String field;

  public ConversionException(String field, String reason) {
    super(field + " " + reason);
    this.field = field;
  }

  /** The JSON path of the offending field, e.g. {@code spec.ports[1].port}. */
  public String field() {
    return field;
  }
}
