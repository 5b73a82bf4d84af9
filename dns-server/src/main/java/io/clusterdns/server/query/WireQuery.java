package io.clusterdns.server.query;

import static io.clusterdns.server.query.QueryDecoder.u16;

import org.xbill.DNS.DClass;
import org.xbill.DNS.Type;

/**
 * A plain query read straight from its packet (STYLE.md query path, step 1): header, the one question and an
 * optional bare OPT, without building a dnsjava {@code Message}. {@link #read} accepts only the shape that
 * stub resolvers send, and returns null for everything else, which then takes dnsjava's full parse with
 * every rule of {@link QueryDecoder} (FORMERR, NOTIMP, BADVERS, REFUSED). So a packet is either read here
 * with nothing left to check, or not at all: the two decoders never disagree on what is an error.
 *
 * <p>Accepted: QR=0, opcode QUERY, QDCOUNT 1, ANCOUNT 0, NSCOUNT 0, ARCOUNT 0 or 1; the question name in
 * uncompressed labels of 1-63 bytes, at most 255 bytes, with no ASCII upper case (a mixed-case question, e.g.
 * from a DNS 0x20 resolver, has its spelling echoed in several places of the reply, so it takes the path that
 * builds the reply); class IN; if ARCOUNT is 1, an OPT RR (owner root, version 0, no options); and nothing
 * after. Immutable; one per packet.
 */
final class WireQuery {
  /** Length of the fixed DNS header (RFC 1035 4.1.1). */
  private static final int HEADER = 12;

  /** Longest name in wire form (RFC 1035 2.3.4). */
  private static final int MAX_NAME = 255;

  /** Fixed part of an OPT RR after its one-byte root owner: type, class, TTL, RDLENGTH (RFC 6891 6.1.2). */
  private static final int OPT_FIXED = 10;

  /** Header byte 2: QR (bit 7), opcode (bits 3-6). */
  private static final int QR_OPCODE_MASK = 0xf8;

  /** DO bit in the OPT TTL's flags field (RFC 3225). */
  private static final int DO_FLAG = 0x8000;

  final int id;
  /** Header bytes 2 and 3 as the client sent them (RD and CD are echoed). */
  final int flags;
  /** The question name in wire form, lower case (as sent). */
  final byte[] name;
  final int qtype;
  /** Bytes of the question section (name, type, class). */
  final int questionLength;
  /** Whether the query carried an OPT RR (then the reply carries one, behaviours.md 10.3). */
  final boolean edns;
  /** The client's EDNS UDP payload size, or 0 without OPT. */
  final int payloadSize;
  final boolean dnssecOk;

  private WireQuery(int id, int flags, byte[] name, int qtype, int questionLength, boolean edns, int payloadSize,
      boolean dnssecOk) {
    this.id = id;
    this.flags = flags;
    this.name = name;
    this.qtype = qtype;
    this.questionLength = questionLength;
    this.edns = edns;
    this.payloadSize = payloadSize;
    this.dnssecOk = dnssecOk;
  }

  /** The query if it has the plain shape described above, else null (never throws). */
  static WireQuery read(byte[] p) {
    int n = p.length;
    if (n < HEADER + 5 || (p[2] & QR_OPCODE_MASK) != 0) {
      return null;
    }
    if (u16(p, 4) != 1 || u16(p, 6) != 0 || u16(p, 8) != 0) {
      return null;
    }
    int ar = u16(p, 10);
    if (ar > 1) {
      return null;
    }
    int pos = HEADER;
    while (true) {
      if (pos >= n) {
        return null;
      }
      int len = p[pos] & 0xff;
      if (len == 0) {
        pos++;
        break;
      }
      if (len > 63) {
        return null; // a compression pointer or an extended label type: dnsjava decides
      }
      int end = pos + 1 + len;
      if (end > n) {
        return null;
      }
      for (int i = pos + 1; i < end; i++) {
        byte b = p[i];
        if (b >= 'A' && b <= 'Z') {
          return null;
        }
      }
      pos = end;
    }
    int nameLength = pos - HEADER;
    if (nameLength > MAX_NAME || pos + 4 > n) {
      return null;
    }
    int qtype = u16(p, pos);
    if (u16(p, pos + 2) != DClass.IN || qtype == Type.OPT) {
      return null;
    }
    pos += 4;
    int questionLength = pos - HEADER;
    boolean edns = false;
    int payload = 0;
    boolean dnssecOk = false;
    if (ar == 1) {
      // root owner, TYPE OPT, CLASS = payload, TTL = ext-rcode | version | flags, RDLENGTH 0
      if (pos + 1 + OPT_FIXED != n || p[pos] != 0 || u16(p, pos + 1) != Type.OPT) {
        return null;
      }
      if (p[pos + 5] != 0 || p[pos + 6] != 0 || u16(p, pos + 9) != 0) {
        return null; // extended rcode bits or a version above 0 (BADVERS), or options: dnsjava decides
      }
      edns = true;
      payload = u16(p, pos + 3);
      dnssecOk = (u16(p, pos + 7) & DO_FLAG) != 0;
    } else if (pos != n) {
      return null;
    }
    byte[] name = new byte[nameLength];
    System.arraycopy(p, HEADER, name, 0, nameLength);
    return new WireQuery(u16(p, 0), u16(p, 2), name, qtype, questionLength, edns, payload, dnssecOk);
  }

  /** The largest reply this client accepts (behaviours.md 10.2), as {@link ResponseEncoder#sizeLimit}. */
  int sizeLimit(boolean tcp) {
    if (tcp) {
      return ResponseEncoder.TCP_MAX;
    }
    return edns ? Math.max(ResponseEncoder.UDP_MIN, payloadSize) : ResponseEncoder.UDP_MIN;
  }
}
