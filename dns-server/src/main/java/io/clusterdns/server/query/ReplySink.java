package io.clusterdns.server.query;

/**
 * Sends one encoded reply back to the client that asked, over the transport it asked on. Callable from any
 * thread (forwarded answers complete on the forwarder's event loop).
 */
@FunctionalInterface
public interface ReplySink {
  void send(byte[] reply);
}
