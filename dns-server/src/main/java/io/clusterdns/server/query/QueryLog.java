package io.clusterdns.server.query;

import io.clusterdns.config.corefile.LogPlugin;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.logging.Logger;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * CoreDNS's {@code log} plugin: one line per answered query in the rule's format, by default the common log format
 * {@code {remote}:{port} - {>id} "{type} {class} {name} {proto} {size} {>do} {>bufsize}" {rcode} {>rflags} {rsize}
 * {duration}}, e.g. {@code 127.0.0.1:40212 - 50340 "A IN example.org. udp 41 false 4096" NOERROR qr,rd,ra 56
 * 0.0183s}. Only queries whose reply class (CoreDNS's {@code response.Classify}) is among the rule's classes are
 * logged.
 *
 * <p>Costs nothing unless configured ({@link LivePipeline} holds null). When on, the query and reply are parsed
 * again with dnsjava after the reply is sent, on the thread that sent it: logging every query is slow in CoreDNS
 * too, and is meant for debugging. The line itself is written to stderr by the log writer's thread (LogFormat),
 * so a slow log reader never stops the event loop. Thread-safe and immutable.
 */
public final class QueryLog {
  private static final Logger LOG = Logger.getLogger("clusterdns");

  private final List<LogPlugin.Rule> rules;

  public QueryLog(List<LogPlugin.Rule> rules) {
    this.rules = List.copyOf(rules);
  }

  /** A sink that sends the reply, then logs the exchange. */
  ReplySink sink(byte[] query, boolean tcp, InetSocketAddress client, ReplySink next) {
    long start = System.nanoTime();
    return reply -> {
      next.send(reply);
      String line = line(query, tcp, client, reply, System.nanoTime() - start);
      if (line != null) {
        LOG.info(line);
      }
    };
  }

  /** The log line for one exchange, or null when no rule logs it. */
  String line(byte[] queryBytes, boolean tcp, InetSocketAddress client, byte[] replyBytes, long nanos) {
    Message query;
    Message reply;
    try {
      query = new Message(queryBytes);
      reply = new Message(replyBytes);
    } catch (IOException | RuntimeException e) {
      // A malformed query (answered FORMERR) need not parse, and dnsjava throws unchecked exceptions for some
      // such packets too: the exchange is not logged, and nothing reaches the event loop after the reply went out.
      return null;
    }
    Record q = query.getQuestion();
    String name = q == null ? "." : q.getName().toString().toLowerCase(Locale.ROOT);
    String cls = classify(reply);
    for (LogPlugin.Rule r : rules) {
      if (!covers(r.names(), name)) {
        continue;
      }
      if (!r.classes().contains("all") && !r.classes().contains(cls)) {
        return null;
      }
      return format(r.format(), query, q, name, tcp, client, queryBytes.length, reply, replyBytes.length, nanos);
    }
    return null;
  }

  /** {@code success}, {@code denial} or {@code error}, as CoreDNS's {@code response.Classify}. */
  static String classify(Message reply) {
    int rcode = reply.getRcode();
    if (rcode == Rcode.NXDOMAIN) {
      return "denial";
    }
    if (rcode != Rcode.NOERROR) {
      return "error";
    }
    if (!reply.getSection(Section.ANSWER).isEmpty()) {
      return "success";
    }
    boolean ns = false;
    for (Record r : reply.getSection(Section.AUTHORITY)) {
      if (r.getType() == Type.SOA) {
        return "denial";
      }
      ns |= r.getType() == Type.NS;
    }
    return ns ? "success" : "denial"; // a referral is a success; an empty NOERROR is NODATA
  }

  private static boolean covers(List<String> zones, String name) {
    for (String z : zones) {
      if (z.equals(".") || name.equals(z) || (name.endsWith(z) && name.charAt(name.length() - z.length() - 1) == '.')) {
        return true;
      }
    }
    return false;
  }

  private static String format(String format, Message query, Record q, String name, boolean tcp,
      InetSocketAddress client, int size, Message reply, int rsize, long nanos) {
    StringBuilder out = new StringBuilder(format.length() + 64);
    int i = 0;
    while (i < format.length()) {
      int open = format.indexOf('{', i);
      int close = open < 0 ? -1 : format.indexOf('}', open);
      if (open < 0 || close < 0) {
        out.append(format, i, format.length());
        break;
      }
      out.append(format, i, open);
      out.append(value(format.substring(open + 1, close), query, q, name, tcp, client, size, reply, rsize, nanos));
      i = close + 1;
    }
    return out.toString();
  }

  private static String value(String key, Message query, Record q, String name, boolean tcp,
      InetSocketAddress client, int size, Message reply, int rsize, long nanos) {
    OPTRecord opt = query.getOPT();
    return switch (key) {
      case "remote" -> {
        String h = client.getAddress() == null ? client.getHostString() : client.getAddress().getHostAddress();
        yield client.getAddress() instanceof Inet6Address ? "[" + h + "]" : h;
      }
      case "port" -> Integer.toString(client.getPort());
      case ">id" -> Integer.toString(query.getHeader().getID());
      case "type" -> q == null ? "-" : Type.string(q.getType());
      case "class" -> q == null ? "-" : DClass.string(q.getDClass());
      case "name" -> name;
      case "proto" -> tcp ? "tcp" : "udp";
      case "size" -> Integer.toString(size);
      case ">do" -> Boolean.toString(opt != null && (opt.getFlags() & ExtendedFlags.DO) != 0);
      case ">bufsize" -> Integer.toString(opt == null ? 512 : opt.getPayloadSize());
      case "rcode" -> Rcode.string(reply.getRcode());
      case ">rcode" -> Rcode.string(reply.getRcode());
      case ">rflags" -> flags(reply);
      case "rsize" -> Integer.toString(rsize);
      case "duration" -> BigDecimal.valueOf(nanos, 9).stripTrailingZeros().toPlainString() + "s";
      case ">opcode" -> Opcode.string(query.getHeader().getOpcode());
      default -> "-";
    };
  }

  /** The reply's header flags as CoreDNS's {@code {>rflags}} lists them: qr,aa,tc,rd,ra,z,ad,cd. */
  static String flags(Message m) {
    StringBuilder b = new StringBuilder();
    int[] order = {Flags.QR, Flags.AA, Flags.TC, Flags.RD, Flags.RA, 9, Flags.AD, Flags.CD};
    String[] names = {"qr", "aa", "tc", "rd", "ra", "z", "ad", "cd"};
    for (int k = 0; k < order.length; k++) {
      if (m.getHeader().getFlag(order[k])) {
        b.append(b.length() == 0 ? "" : ",").append(names[k]);
      }
    }
    return b.toString();
  }
}
