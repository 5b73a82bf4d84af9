package io.clusterdns.server.forward;

/**
 * A pooled upstream socket that carries {@link UpstreamTry tries}: {@link UdpSocket} or
 * {@link TcpConnection}. Event loop only (the loop of its {@link LoopConnections}).
 */
interface Carrier {

  /** Sends the try's query with an ID free on this carrier; binds the try to (this, ID) first. */
  void send(UpstreamTry t);

  /** The try got its reply through this carrier: forget the ID; a TCP connection goes back idle. */
  void answered(int id);

  /** The try was given up (timed out): forget the ID. */
  void abandon(int id);
}
