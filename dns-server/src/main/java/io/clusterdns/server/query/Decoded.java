package io.clusterdns.server.query;

import org.xbill.DNS.Message;

/** What the decoder made of a packet: a query to answer, an error reply to send at once, or nothing. */
public sealed interface Decoded {

  /** A well-formed query (QR=0, opcode QUERY, exactly one question). */
  record Query(Message message) implements Decoded {}

  /** The header was readable but the packet is not answerable: send these bytes (FORMERR, NOTIMP, ...). */
  record Reject(byte[] reply) implements Decoded {}

  /** No reply at all: shorter than a header, or a response (QR=1) sent to us (behaviours.md 10.4). */
  record Drop(DropReason reason) implements Decoded {}

  /** Why a packet got no reply; each reason is counted. */
  enum DropReason {
    TOO_SHORT,
    RESPONSE
  }
}
