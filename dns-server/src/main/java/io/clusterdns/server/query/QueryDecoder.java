package io.clusterdns.server.query;

import java.io.IOException;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Step 1 of the query path: bytes to a dnsjava {@link Message}, or a rejection. Applies the header checks
 * CoreDNS's DNS library makes before any plugin runs (behaviours.md 10.4, miekg {@code acceptfunc.go}):
 * QR=1 ignored, opcode other than QUERY gets NOTIMP, more than one question or too many records in the
 * other sections gets FORMERR, so does an OPT RR repeated or outside the additional section (RFC 6891 6.1.1),
 * a body that does not parse gets FORMERR with the query's ID. Never throws.
 * Stateless; used from every event loop.
 */
public final class QueryDecoder {
  /** Length of the fixed DNS header (RFC 1035 4.1.1). */
  static final int HEADER_LENGTH = 12;

  private QueryDecoder() {}

  public static Decoded decode(byte[] packet) {
    if (packet.length < HEADER_LENGTH) {
      return new Decoded.Drop(Decoded.DropReason.TOO_SHORT);
    }
    int id = ((packet[0] & 0xff) << 8) | (packet[1] & 0xff);
    int flags = ((packet[2] & 0xff) << 8) | (packet[3] & 0xff);
    if ((flags & 0x8000) != 0) {
      return new Decoded.Drop(Decoded.DropReason.RESPONSE);
    }
    int opcode = (flags >>> 11) & 0xf;
    int qd = u16(packet, 4);
    int an = u16(packet, 6);
    int ns = u16(packet, 8);
    int ar = u16(packet, 10);
    Message m;
    try {
      m = new Message(packet);
    } catch (IOException | RuntimeException e) {
      m = null;
    }
    Record question = m != null && qd == 1 ? m.getQuestion() : null;
    if (opcode != Opcode.QUERY) {
      // NOTIFY is accepted by miekg's filter, but no secondary zone is served here, so it is not implemented either.
      return new Decoded.Reject(errorReply(id, flags, question, Rcode.NOTIMP));
    }
    // miekg acceptfunc: one question; at most one answer and one authority RR (for IXFR / NOTIFY shapes) and
    // two additional RRs (OPT plus TSIG).
    if (qd != 1 || an > 1 || ns > 1 || ar > 2 || question == null) {
      return new Decoded.Reject(errorReply(id, flags, question, Rcode.FORMERR));
    }
    if (misplacedOrRepeatedOpt(m)) {
      // RFC 6891 6.1.1: at most one OPT, and only in the additional section. The error reply carries no OPT,
      // since the client's was the fault (as BIND and Knot answer).
      return new Decoded.Reject(errorReply(id, flags, question, Rcode.FORMERR));
    }
    return new Decoded.Query(m);
  }

  /** More than one OPT RR, or one outside the additional section (RFC 6891 6.1.1). */
  private static boolean misplacedOrRepeatedOpt(Message m) {
    int opts = 0;
    for (int section = Section.ANSWER; section <= Section.ADDITIONAL; section++) {
      for (Record r : m.getSection(section)) {
        if (r.getType() == Type.OPT) {
          if (section != Section.ADDITIONAL) {
            return true;
          }
          opts++;
        }
      }
    }
    return opts > 1;
  }

  /**
   * An error reply: the query's ID, opcode, RD and CD, with QR and the rcode set, and the question echoed when
   * it could be read (clients match replies by ID and question), else a bare header.
   */
  static byte[] errorReply(int id, int queryFlags, Record question, int rcode) {
    Header h = new Header(id);
    h.setFlag(Flags.QR);
    h.setOpcode((queryFlags >>> 11) & 0xf);
    if ((queryFlags & 0x0100) != 0) {
      h.setFlag(Flags.RD);
    }
    if ((queryFlags & 0x0010) != 0) {
      h.setFlag(Flags.CD);
    }
    h.setRcode(rcode);
    if (question == null) {
      return h.toWire();
    }
    Message reply = new Message();
    reply.setHeader(h);
    reply.addRecord(question, Section.QUESTION);
    return reply.toWire();
  }

  /** The big-endian 16-bit value at {@code off} (RFC 1035 2.3.2); shared by the query path's byte readers. */
  static int u16(byte[] b, int off) {
    return ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff);
  }
}
