package io.clusterdns.server.forward;

import static io.clusterdns.server.forward.ForwarderIT.query;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/** The forwarder's in-memory parts; the forwarding itself is tested against real sockets in ForwarderIT. */
class ForwarderTest {

  @Test
  void errorReplyKeepsIdQuestionAndRd() throws Exception {
    Message q = query("www.example.test.", Type.A);
    Message r = Forwarder.errorReply(q, Rcode.SERVFAIL);
    assertEquals(q.getHeader().getID(), r.getHeader().getID());
    assertEquals(Rcode.SERVFAIL, r.getRcode());
    assertTrue(r.getHeader().getFlag(Flags.QR));
    assertTrue(r.getHeader().getFlag(Flags.RD));
    assertEquals(q.getQuestion(), r.getQuestion());
  }
}
