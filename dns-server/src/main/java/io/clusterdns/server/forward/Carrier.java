package io.clusterdns.server.forward;

/**
 * A pooled upstream socket that carries tries of {@link Exchange}s: {@link UdpSocket} or
 * {@link TcpConnection}. Event loop only (the loop of its {@link LoopConnections}).
 */
interface Carrier {

  /** Sends the exchange's query with an ID free on this carrier; binds the exchange to (this, ID) first. */
  void send(Exchange exchange);

  /** The exchange got its reply through this carrier: forget the ID; a TCP connection goes back idle. */
  void answered(int id);

  /** The exchange gave up on this try (timeout, or it finished elsewhere): forget the ID. */
  void abandon(int id);
}
