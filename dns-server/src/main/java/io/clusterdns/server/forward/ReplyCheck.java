package io.clusterdns.server.forward;

import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;

/**
 * Decides whether bytes from an upstream are the reply to our query: QR set, our random ID, and the same
 * question (name case-insensitively, type, class). Anything else is a late, stray or spoofed packet and is
 * dropped (RFC 5452 section 9.1). Stateless.
 */
final class ReplyCheck {

  private ReplyCheck() {}

  /**
   * Parses {@code wire} and returns the reply if it answers {@code question} with {@code id}, else null.
   * A TC reply that dnsjava cannot parse in full (cut inside a record) becomes header + question + TC, which
   * is all the client needs to retry over TCP.
   */
  static Message accept(byte[] wire, int id, Record question) {
    if (wire.length < Header.LENGTH) {
      return null;
    }
    int wireId = ((wire[0] & 0xff) << 8) | (wire[1] & 0xff);
    boolean qr = (wire[2] & 0x80) != 0;
    if (wireId != id || !qr) {
      return null;
    }
    Message reply;
    try {
      reply = new Message(wire);
    } catch (java.io.IOException e) {
      boolean tc = (wire[2] & 0x02) != 0;
      return tc ? truncatedStub(id, question) : null;
    }
    Record q = reply.getQuestion();
    if (q == null) {
      // Error replies (FORMERR, NOTIMP, REFUSED) may omit the question; with our random ID on a connected
      // socket they are still ours. A NOERROR without question answers nothing and is dropped.
      if (reply.getRcode() == Rcode.NOERROR) {
        return null;
      }
      reply.addRecord(question, org.xbill.DNS.Section.QUESTION);
      return reply;
    }
    if (q.getType() != question.getType()
        || q.getDClass() != question.getDClass()
        || !q.getName().equals(question.getName())) {
      return null;
    }
    return reply;
  }

  private static Message truncatedStub(int id, Record question) {
    Message m = new Message(id);
    m.getHeader().setFlag(Flags.QR);
    m.getHeader().setFlag(Flags.TC);
    m.getHeader().setFlag(Flags.RD);
    m.getHeader().setFlag(Flags.RA);
    m.addRecord(question, org.xbill.DNS.Section.QUESTION);
    return m;
  }
}
