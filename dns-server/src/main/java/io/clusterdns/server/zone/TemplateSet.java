package io.clusterdns.server.zone;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import io.clusterdns.config.corefile.TemplatePlugin;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Master;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * CoreDNS's {@code template} plugin: each rule, in written order, answers the names of its zones whose class and
 * type fit and whose lowercase absolute name one of its patterns matches, with its rcode and records (AA and RA
 * set, as CoreDNS does). A name in a rule's zones that no pattern matches gets NXDOMAIN unless the rule falls
 * through; names outside every rule's zones go on to the next step. It runs first, before {@code hosts} and the
 * cluster zone (CoreDNS's plugin order).
 *
 * <p>Immutable and thread-safe. The patterns are compiled once, as RE2 (Go's syntax, as in CoreDNS: linear time
 * in the name); each record template is split into text and actions once, and one without actions is parsed
 * once, so a query costs the match and, for templates with actions, one zone-file line parse. Costs a Name per
 * query of the fast path only when configured (see {@link #claims}).
 */
public final class TemplateSet {
  private record Rule(TemplatePlugin config, int qclass, int qtype, Name[] zones, Pattern[] patterns,
      Name[] fallthrough, boolean fallthroughAll, List<RecordTemplate> answer, List<RecordTemplate> authority,
      List<RecordTemplate> additional) {}

  /**
   * One answer/authority/additional line: its text split around {@code {{ action }}}s (odd indexes are the
   * actions), or, when it has none, its record parsed once.
   */
  private record RecordTemplate(String[] parts, Record fixed) {}

  private static final Pattern ACTION = Pattern.compile("\\{\\{\\s*(.+?)\\s*}}");

  private final List<Rule> rules = new ArrayList<>();

  public TemplateSet(List<TemplatePlugin> configs) {
    for (TemplatePlugin t : configs) {
      Pattern[] ps = new Pattern[t.patterns().size()];
      for (int i = 0; i < ps.length; i++) {
        ps[i] = Pattern.compile(t.patterns().get(i));
      }
      rules.add(new Rule(t, t.qclass().equals("ANY") ? DClass.ANY : DClass.value(t.qclass()),
          t.qtype().equals("ANY") ? Type.ANY : Type.value(t.qtype()), names(t.zones()), ps,
          t.fallthrough() == null ? new Name[0] : names(t.fallthrough()),
          t.fallthrough() != null && t.fallthrough().isEmpty(),
          templates(t.answer()), templates(t.authority()), templates(t.additional())));
    }
  }

  /** Whether some rule's zones contain this name (lowercase wire form): then the full path asks {@link #answer}. */
  public boolean claims(byte[] wireName) {
    Name n;
    try {
      n = new Name(wireName);
    } catch (IOException e) {
      return false;
    }
    for (Rule r : rules) {
      if (within(n, r.zones())) {
        return true;
      }
    }
    return false;
  }

  /** The reply for {@code query}, or null when the next step answers. */
  public Message answer(Message query) {
    Record q = query.getQuestion();
    Name name = q.getName();
    String text = name.toString().toLowerCase(Locale.ROOT);
    for (Rule r : rules) {
      if (!within(name, r.zones())) {
        continue; // CoreDNS: a zone mismatch falls through
      }
      if ((r.qclass() != DClass.ANY && q.getDClass() != DClass.ANY && q.getDClass() != r.qclass())
          || (r.qtype() != Type.ANY && q.getType() != Type.ANY && q.getType() != r.qtype())) {
        continue;
      }
      Matcher hit = null;
      for (Pattern p : r.patterns()) {
        Matcher m = p.matcher(text);
        if (m.find()) {
          hit = m;
          break;
        }
      }
      if (hit == null) {
        if (r.fallthroughAll() || within(name, r.fallthrough())) {
          continue;
        }
        return reply(query, org.xbill.DNS.Rcode.NXDOMAIN);
      }
      Message reply = reply(query, r.config().rcode());
      try {
        add(reply, r.answer(), Section.ANSWER, text, q, hit);
        add(reply, r.authority(), Section.AUTHORITY, text, q, hit);
        add(reply, r.additional(), Section.ADDITIONAL, text, q, hit);
      } catch (IOException | RuntimeException e) {
        return reply(query, org.xbill.DNS.Rcode.SERVFAIL);
      }
      return reply;
    }
    return null;
  }

  private static Message reply(Message query, int rcode) {
    Message reply = new Message(query.getHeader().getID());
    reply.getHeader().setFlag(Flags.QR);
    reply.getHeader().setFlag(Flags.AA);
    reply.getHeader().setFlag(Flags.RA);
    if (query.getHeader().getFlag(Flags.RD)) {
      reply.getHeader().setFlag(Flags.RD);
    }
    reply.getHeader().setRcode(rcode);
    reply.addRecord(query.getQuestion(), Section.QUESTION);
    return reply;
  }

  private static void add(Message reply, List<RecordTemplate> templates, int section, String name, Record q,
      Matcher hit) throws IOException {
    for (RecordTemplate t : templates) {
      Record r = t.fixed();
      if (r == null) {
        StringBuilder out = new StringBuilder();
        String[] parts = t.parts();
        for (int i = 0; i < parts.length; i++) {
          out.append(i % 2 == 0 ? parts[i] : value(parts[i], name, q, hit));
        }
        r = parse(out.toString());
      }
      if (r != null) {
        reply.addRecord(r, section);
      }
    }
  }

  private static List<RecordTemplate> templates(List<String> lines) {
    List<RecordTemplate> out = new ArrayList<>();
    for (String line : lines) {
      List<String> parts = new ArrayList<>();
      Matcher m = ACTION.matcher(line);
      int from = 0;
      while (m.find()) {
        parts.add(line.substring(from, m.start()));
        parts.add(m.group(1));
        from = m.end();
      }
      parts.add(line.substring(from));
      Record fixed = null;
      if (parts.size() == 1) {
        try {
          fixed = parse(line);
        } catch (IOException | RuntimeException e) {
          // left to the query, which answers SERVFAIL as before: the parser checked the line's shape only
        }
      }
      out.add(new RecordTemplate(parts.toArray(String[]::new), fixed));
    }
    return out;
  }

  private static Record parse(String text) throws IOException {
    try (Master master = new Master(new java.io.ByteArrayInputStream(
        text.getBytes(java.nio.charset.StandardCharsets.UTF_8)), Name.root)) {
      return master.nextRecord();
    }
  }

  private static String value(String action, String name, Record q, Matcher hit) {
    if (action.equals(".Name")) {
      return name;
    }
    if (action.equals(".Type")) {
      return Type.string(q.getType());
    }
    if (action.equals(".Class")) {
      return DClass.string(q.getDClass());
    }
    if (action.startsWith("index .Match ")) {
      int i = Integer.parseInt(action.substring("index .Match ".length()).trim());
      return i <= hit.groupCount() && hit.group(i) != null ? hit.group(i) : "";
    }
    if (action.startsWith(".Group.")) {
      String g = action.substring(".Group.".length());
      if (g.chars().allMatch(Character::isDigit)) {
        int i = Integer.parseInt(g);
        return i <= hit.groupCount() && hit.group(i) != null ? hit.group(i) : "";
      }
      try {
        String v = hit.group(g);
        return v == null ? "" : v;
      } catch (IllegalArgumentException e) {
        return "";
      }
    }
    return "";
  }

  private static boolean within(Name name, Name[] zones) {
    for (Name z : zones) {
      if (name.subdomain(z)) {
        return true;
      }
    }
    return false;
  }

  private static Name[] names(List<String> zones) {
    Name[] out = new Name[zones.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = Name.fromConstantString(zones.get(i));
    }
    return out;
  }
}
