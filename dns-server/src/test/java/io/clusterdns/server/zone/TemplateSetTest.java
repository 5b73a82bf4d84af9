package io.clusterdns.server.zone;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.clusterdns.config.corefile.CorefileParser;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * {@code template} as CoreDNS's plugin README writes it: Go (RE2) named groups in {@code match}, and the
 * {@code {{ .Name }}}, {@code {{ index .Match N }}} and {@code {{ .Group.NAME }}} actions filled per query from
 * templates split once at start-up.
 */
class TemplateSetTest {

  private static TemplateSet templates(String corefile) throws Exception {
    return new TemplateSet(CorefileParser.parse(corefile, "Corefile").serverBlocks().get(0).templates());
  }

  private static Message ask(TemplateSet t, String name, int type) throws Exception {
    return t.answer(Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)));
  }

  private static List<String> answers(Message m) {
    return records(m, Section.ANSWER);
  }

  private static List<String> records(Message m, int section) {
    List<String> out = new ArrayList<>();
    for (Record r : m.getSection(section)) {
      out.add(r.getName() + " " + r.getTTL() + " " + Type.string(r.getType()) + " " + r.rdataToString());
    }
    return out;
  }

  @Test
  void goNamedGroupsFillTheAnswer() throws Exception {
    TemplateSet t = templates("""
        .:53 {
            template IN A example {
                match "^ip-(?P<a>[0-9]*)-(?P<b>[0-9]*)-(?P<c>[0-9]*)-(?P<d>[0-9]*)[.]example[.]$"
                answer "{{ .Name }} 60 IN A {{ .Group.a }}.{{ .Group.b }}.{{ .Group.c }}.{{ .Group.d }}"
                fallthrough
            }
        }
        """);
    assertEquals(List.of("ip-10-95-12-8.example. 60 A 10.95.12.8"), answers(ask(t, "ip-10-95-12-8.example.", Type.A)));
    assertEquals(List.of("ip-192-0-2-1.example. 60 A 192.0.2.1"), answers(ask(t, "IP-192-0-2-1.example.", Type.A)),
        "each query gets its own groups, matched on the lowercase name");
    assertEquals(null, ask(t, "www.example.", Type.A), "no match with fallthrough: the next step answers");
  }

  @Test
  void indexedMatchesAndFixedRecords() throws Exception {
    TemplateSet t = templates("""
        .:53 {
            template IN TXT example {
                match ^([a-z]+)[.]([a-z]+)[.]example[.]$
                answer "{{ .Name }} 30 IN TXT {{ index .Match 2 }}-{{ index .Match 1 }}"
                authority "example. 30 IN NS ns.example."
            }
        }
        """);
    Message m = ask(t, "one.two.example.", Type.TXT);
    assertEquals(List.of("one.two.example. 30 TXT two-one"), answers(m));
    assertEquals(List.of("example. 30 NS ns.example."), records(m, Section.AUTHORITY),
        "a template without actions is parsed once and added as it is");
    Message miss = ask(t, "x.example.", Type.TXT);
    assertEquals(Rcode.NXDOMAIN, miss.getRcode(), "no pattern matched and no fallthrough: NXDOMAIN, as CoreDNS");
  }
}
