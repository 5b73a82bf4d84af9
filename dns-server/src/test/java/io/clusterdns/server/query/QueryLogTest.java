package io.clusterdns.server.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.clusterdns.config.corefile.LogPlugin;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** The query log's lines, placeholder by placeholder, and CoreDNS's reply classes. */
class QueryLogTest {
  private static final InetSocketAddress CLIENT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 40212);

  private static Message query(String name, int type, boolean edns) throws Exception {
    Message q = Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
    q.getHeader().setID(50340);
    if (edns) {
      q.addRecord(new OPTRecord(4096, 0, 0, 0x8000), Section.ADDITIONAL);
    }
    return q;
  }

  private static Message reply(Message q, int rcode, Record... answers) {
    Message r = new Message(q.getHeader().getID());
    r.getHeader().setFlag(Flags.QR);
    r.getHeader().setFlag(Flags.RD);
    r.getHeader().setFlag(Flags.RA);
    r.getHeader().setRcode(rcode);
    r.addRecord(q.getQuestion(), Section.QUESTION);
    for (Record a : answers) {
      r.addRecord(a, Section.ANSWER);
    }
    return r;
  }

  @Test
  void commonFormatHasCoreDnsFields() throws Exception {
    Message q = query("Example.org.", Type.A, true);
    Message r = reply(q, Rcode.NOERROR, new ARecord(Name.fromString("example.org."), DClass.IN, 30,
        InetAddress.getByName("192.0.2.1")));
    byte[] qb = q.toWire();
    byte[] rb = r.toWire();
    QueryLog log = new QueryLog(List.of(new LogPlugin.Rule(List.of("."), LogPlugin.COMMON_FORMAT, Set.of("all"))));
    assertEquals("127.0.0.1:40212 - 50340 \"A IN example.org. udp " + qb.length + " true 4096\" NOERROR qr,rd,ra "
        + rb.length + " 0.0183s", log.line(qb, false, CLIENT, rb, 18_300_000));
  }

  @Test
  void classesFilterAndTheFirstRuleCoveringTheNameDecides() throws Exception {
    QueryLog log = new QueryLog(List.of(
        new LogPlugin.Rule(List.of("cluster.local."), "{name} {rcode}", Set.of("denial")),
        new LogPlugin.Rule(List.of("."), "{name} {rcode} {proto}", Set.of("error"))));
    Message nx = query("a.cluster.local.", Type.A, false);
    assertEquals("a.cluster.local. NXDOMAIN", log.line(nx.toWire(), true, CLIENT,
        reply(nx, Rcode.NXDOMAIN).toWire(), 1));
    Message ok = query("b.cluster.local.", Type.A, false);
    assertNull(log.line(ok.toWire(), true, CLIENT, reply(ok, Rcode.NOERROR, new ARecord(Name.fromString(
        "b.cluster.local."), DClass.IN, 5, InetAddress.getByName("10.0.0.1"))).toWire(), 1));
    Message sf = query("example.org.", Type.AAAA, false);
    assertEquals("example.org. SERVFAIL tcp", log.line(sf.toWire(), true, CLIENT, reply(sf, Rcode.SERVFAIL).toWire(),
        1));
  }

  @Test
  void repliesAreClassifiedAsCoreDnsDoes() throws Exception {
    Message q = query("x.example.", Type.A, false);
    assertEquals("denial", QueryLog.classify(reply(q, Rcode.NXDOMAIN)));
    Message nodata = reply(q, Rcode.NOERROR);
    nodata.addRecord(new SOARecord(Name.fromString("example."), DClass.IN, 5, Name.fromString("ns.example."),
        Name.fromString("h.example."), 1, 2, 3, 4, 5), Section.AUTHORITY);
    assertEquals("denial", QueryLog.classify(nodata));
    assertEquals("error", QueryLog.classify(reply(q, Rcode.REFUSED)));
    assertEquals("success", QueryLog.classify(reply(q, Rcode.NOERROR, new ARecord(Name.fromString("x.example."),
        DClass.IN, 5, InetAddress.getByName("10.0.0.1")))));
  }
}
