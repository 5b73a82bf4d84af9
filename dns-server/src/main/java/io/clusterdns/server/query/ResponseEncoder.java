package io.clusterdns.server.query;

import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.TcpKeepaliveOption;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/**
 * Step 4 of the query path, and the only place a reply's size is decided (STYLE.md "Size the reply in one
 * place"; CoreDNS {@code request.Scrub}): the transport and the client's EDNS payload give the limit; the
 * reply is rendered with name compression and, if it still does not fit, whole RRs are dropped from the end
 * and TC is set whenever any RR was dropped, additional ones included (behaviours.md 10.2, miekg
 * {@code Msg.Truncate}). Adds an OPT RR only when the query had one (behaviours.md 10.3). Stateless.
 */
public final class ResponseEncoder {
  /** UDP reply limit without EDNS, bytes (RFC 1035 4.2.1); also the floor for smaller EDNS sizes (RFC 6891 6.2.5). */
  public static final int UDP_MIN = 512;

  /** TCP reply limit, bytes: the 2-byte length prefix (RFC 1035 4.2.2). */
  public static final int TCP_MAX = 65535;

  /** Header flags a truncated copy keeps (TC is set on it separately). */
  private static final int[] HEADER_FLAGS = {Flags.QR, Flags.AA, Flags.RD, Flags.RA, Flags.AD, Flags.CD};

  /** DO bit in the OPT TTL's flags field (RFC 3225). */
  private static final int DO_FLAG = 0x8000;

  private ResponseEncoder() {}

  /** A reply skeleton: the query's ID, opcode, RD and CD, QR set, the question echoed byte for byte. */
  public static Message replyTo(Message query) {
    Header qh = query.getHeader();
    Header h = new Header(qh.getID());
    h.setFlag(Flags.QR);
    h.setOpcode(qh.getOpcode());
    if (qh.getFlag(Flags.RD)) {
      h.setFlag(Flags.RD);
    }
    if (qh.getFlag(Flags.CD)) {
      h.setFlag(Flags.CD);
    }
    Message reply = new Message();
    reply.setHeader(h);
    Record question = query.getQuestion();
    if (question != null) {
      reply.addRecord(question, Section.QUESTION);
    }
    return reply;
  }

  /** The largest reply the client accepts over this transport (behaviours.md 10.2). */
  public static int sizeLimit(Message query, boolean tcp) {
    if (tcp) {
      return TCP_MAX;
    }
    OPTRecord opt = query.getOPT();
    if (opt == null) {
      return UDP_MIN;
    }
    return Math.max(UDP_MIN, opt.getPayloadSize());
  }

  /**
   * Renders {@code reply} for {@code query}: sets the rcode (extended rcodes through the OPT RR, RFC 6891 6.1.3),
   * adds the OPT RR if the query had one (version 0, the client's payload size echoed, DO echoed), and sizes
   * the result for the transport. Any OPT already in {@code reply} is replaced.
   */
  public static byte[] encode(Message query, Message reply, int rcode, boolean tcp) {
    return encode(query, reply, rcode, tcp, QueryPipeline.NO_KEEPALIVE);
  }

  /**
   * As {@link #encode(Message, Message, int, boolean)}, and over TCP, when the query's OPT carries an
   * edns-tcp-keepalive option as a client sends it (no TIMEOUT), the reply's OPT carries one with
   * {@code keepalive}, the connection's idle timeout in units of 100 ms (RFC 7828 3.3.2). Never over UDP: a
   * server ignores the option in a UDP query (3.3.1).
   *
   * @param keepalive the TIMEOUT to signal, or {@link QueryPipeline#NO_KEEPALIVE}
   */
  public static byte[] encode(Message query, Message reply, int rcode, boolean tcp, int keepalive) {
    int limit = sizeLimit(query, tcp);
    Header h = reply.getHeader();
    h.setRcode(rcode & 0xf);
    OPTRecord queryOpt = query.getOPT();
    OPTRecord opt = null;
    if (queryOpt != null) {
      int payload = Math.max(UDP_MIN, queryOpt.getPayloadSize());
      int flags = queryOpt.getFlags() & DO_FLAG;
      opt = tcp && keepalive >= 0 && asksKeepalive(queryOpt)
          ? new OPTRecord(payload, rcode >>> 4, 0, flags, new TcpKeepaliveOption(keepalive))
          : new OPTRecord(payload, rcode >>> 4, 0, flags);
    } else if (rcode > 0xf) {
      // An extended rcode cannot be carried without OPT; the nearest plain one is SERVFAIL.
      h.setRcode(org.xbill.DNS.Rcode.SERVFAIL);
    }
    OPTRecord present = reply.getOPT();
    if (present != null) {
      reply.removeRecord(present, Section.ADDITIONAL);
    }
    if (opt != null) {
      reply.addRecord(opt, Section.ADDITIONAL);
    }
    byte[] plain = uncompressed(reply, limit);
    if (plain != null) {
      return plain;
    }
    byte[] wire = reply.toWire();
    if (wire.length <= limit) {
      return wire;
    }
    return truncate(reply, opt, limit);
  }

  /** The OPT carries edns-tcp-keepalive as a client sends it: without a TIMEOUT (RFC 7828 3.2.1). */
  private static boolean asksKeepalive(OPTRecord opt) {
    for (EDNSOption o : opt.getOptions(EDNSOption.Code.TCP_KEEPALIVE)) {
      if (o instanceof TcpKeepaliveOption k && k.getTimeout().isEmpty()) {
        return true;
      }
    }
    return false;
  }

  /** The OPT carries edns-tcp-keepalive with a TIMEOUT, which only a server may send (RFC 7828 3.2.1). */
  static boolean keepaliveWithTimeout(OPTRecord opt) {
    for (EDNSOption o : opt.getOptions(EDNSOption.Code.TCP_KEEPALIVE)) {
      if (!(o instanceof TcpKeepaliveOption k) || k.getTimeout().isPresent()) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@code reply} rendered as {@link #encode} renders it when it fits uncompressed, but without an OPT RR and
   * without a size limit: the body {@link EncodedReply} keeps and completes per query.
   */
  static byte[] body(Message reply) {
    return uncompressed(reply, Integer.MAX_VALUE);
  }

  /**
   * The reply without name compression, or null if it exceeds {@code limit}. CoreDNS compresses only when a
   * reply would not fit otherwise (behaviours.md 10.8), and that matters beyond size: dnsjava's compression
   * matches names case-insensitively, so a compressed owner name would take the question's letter case
   * instead of its own (behaviours.md 10.6: SRV targets and additional owners use object names).
   */
  private static byte[] uncompressed(Message reply, int limit) {
    byte[] header = reply.getHeader().toWire();
    int size = header.length;
    List<byte[]> parts = new ArrayList<>();
    for (int section = Section.QUESTION; section <= Section.ADDITIONAL; section++) {
      for (Record r : reply.getSection(section)) {
        byte[] b = r.toWire(section);
        size += b.length;
        if (size > limit) {
          return null;
        }
        parts.add(b);
      }
    }
    byte[] out = new byte[size];
    System.arraycopy(header, 0, out, 0, header.length);
    int pos = header.length;
    for (byte[] b : parts) {
      System.arraycopy(b, 0, out, pos, b.length);
      pos += b.length;
    }
    return out;
  }

  /**
   * Keeps the longest prefix of answer, then authority, then additional RRs that fits, by binary search over
   * the prefix length (the rendered size grows with it), and sets TC.
   */
  private static byte[] truncate(Message full, OPTRecord opt, int limit) {
    List<Record> answer = full.getSection(Section.ANSWER);
    List<Record> authority = full.getSection(Section.AUTHORITY);
    List<Record> additional = new ArrayList<>(full.getSection(Section.ADDITIONAL));
    additional.remove(opt);
    int total = answer.size() + authority.size() + additional.size();
    int lo = 0;
    int hi = total - 1; // the full message did not fit
    byte[] best = prefix(full, answer, authority, additional, opt, 0).toWire();
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      byte[] w = prefix(full, answer, authority, additional, opt, mid).toWire();
      if (w.length <= limit) {
        lo = mid;
        best = w;
      } else {
        hi = mid - 1;
      }
    }
    if (lo == 0 || best.length > limit) {
      best = prefix(full, answer, authority, additional, opt, lo).toWire();
    }
    return best;
  }

  private static Message prefix(
      Message full, List<Record> answer, List<Record> authority, List<Record> additional, OPTRecord opt, int n) {
    Header fh = full.getHeader();
    Header h = new Header(fh.getID());
    for (int flag : HEADER_FLAGS) {
      if (fh.getFlag(flag)) {
        h.setFlag(flag);
      }
    }
    h.setFlag(Flags.TC);
    h.setOpcode(fh.getOpcode());
    h.setRcode(fh.getRcode());
    Message m = new Message();
    m.setHeader(h);
    Record q = full.getQuestion();
    if (q != null) {
      m.addRecord(q, Section.QUESTION);
    }
    int left = n;
    for (Record r : answer) {
      if (left-- <= 0) {
        break;
      }
      m.addRecord(r, Section.ANSWER);
    }
    for (Record r : authority) {
      if (left-- <= 0) {
        break;
      }
      m.addRecord(r, Section.AUTHORITY);
    }
    for (Record r : additional) {
      if (left-- <= 0) {
        break;
      }
      m.addRecord(r, Section.ADDITIONAL);
    }
    if (opt != null) {
      m.addRecord(opt, Section.ADDITIONAL);
    }
    return m;
  }
}
