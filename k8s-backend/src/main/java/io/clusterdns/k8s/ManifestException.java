package io.clusterdns.k8s;

/**
 * A manifest file that cannot be loaded. The message is one line meant for the operator, naming the file,
 * the 1-based document number (and the object when known) and the field or reason, e.g.
 * {@code cluster.yaml: document 3 (Service default/web): spec.clusterIPs[0] 'abc' is not an IP address}.
 */
public final class ManifestException extends Exception {
  private static final long serialVersionUID = 1L;

  private final int document;

  public ManifestException(String message, int document, Throwable cause) {
    super(message, cause);
    this.document = document;
  }

  /** The 1-based number of the document at fault, or 0 when the file as a whole could not be read. */
  public int document() {
    return document;
  }
}
