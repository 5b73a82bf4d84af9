package io.clusterdns.server.query;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import io.clusterdns.config.corefile.RewritePlugin;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * CoreDNS's {@code rewrite} for names, types and classes: before any zone sees a query, its question is rewritten
 * by the rules in order ({@code stop} ends the list after a match, {@code continue} goes on); the reply then gets
 * the client's own question back, and with {@code answer auto} or {@code answer name FROM TO} its records' owner
 * names rewritten back, so resolvers that compare them with the question accept the reply.
 *
 * <p>Regex rules are RE2 (Go's syntax, as in CoreDNS; see {@code CorefileRegex}): matching a client's name takes
 * time linear in its length, whatever the pattern.
 *
 * <p>Immutable and thread-safe. Only queries whose name, type or class a rule matches leave the fast path
 * ({@link #claims}); checking a name costs one String per query while rewrite is configured.
 */
public final class QueryRewrite {
  private record Rule(RewritePlugin.Rule config, Pattern regex, Pattern answerRegex, int fromCode, int toCode) {}

  private static final Pattern GROUP = Pattern.compile("\\{(\\d+)}");

  private final List<Rule> rules = new ArrayList<>();
  private final boolean classRules;

  public QueryRewrite(RewritePlugin config) {
    boolean classes = false;
    for (RewritePlugin.Rule r : config.rules()) {
      int from = -1;
      int to = -1;
      if (r.field() == RewritePlugin.Field.TYPE) {
        from = Type.value(r.from());
        to = Type.value(r.to());
      } else if (r.field() == RewritePlugin.Field.CLASS) {
        from = DClass.value(r.from());
        to = DClass.value(r.to());
        classes = true;
      }
      rules.add(new Rule(r, r.match() == RewritePlugin.Match.REGEX ? Pattern.compile(r.from()) : null,
          r.answerFrom() == null ? null : Pattern.compile(r.answerFrom()), from, to));
    }
    this.classRules = classes;
  }

  /**
   * A rule turned the client's name into something that is not a domain name (longer than 255 octets, a label
   * over 63): the Corefile's doing, not the server's, so the query is answered SERVFAIL and logged by
   * {@code errors} without counting as an internal error.
   */
  public static final class InvalidName extends RuntimeException {
    InvalidName(String message) {
      super(message, null, false, false);
    }
  }

  /** The outcome of rewriting one query: the query to answer, and how to put the client's view back. */
  public static final class Rewritten {
    private final Message query;
    private final Record question;
    private final List<Rule> applied;

    Rewritten(Message query, Record question, List<Rule> applied) {
      this.query = query;
      this.question = question;
      this.applied = applied;
    }

    /** The rewritten query, which the zones and the forwarder answer. */
    public Message query() {
      return query;
    }

    /** {@code reply} with the client's question and, per the rules' answer options, owner names rewritten back. */
    public Message revert(Message reply) {
      // In place: the header's section counts follow removeAllRecords/addRecord.
      reply.removeAllRecords(Section.QUESTION);
      reply.addRecord(question, Section.QUESTION);
      List<Record> answers = reply.getSection(Section.ANSWER);
      reply.removeAllRecords(Section.ANSWER);
      for (Record r : answers) {
        reply.addRecord(back(r), Section.ANSWER);
      }
      return reply;
    }

    private Record back(Record r) {
      String owner = r.getName().toString().toLowerCase(Locale.ROOT);
      for (int i = applied.size() - 1; i >= 0; i--) {
        Rule rule = applied.get(i);
        String reverted = revertName(rule, owner);
        if (reverted != null) {
          owner = reverted;
        }
      }
      try {
        Name n = Name.fromString(owner);
        return n.equals(r.getName()) ? r : r.withName(n);
      } catch (TextParseException e) {
        return r;
      }
    }
  }

  /**
   * Whether a rule may rewrite this query (lowercase wire name, type; the fast path reads only class IN queries):
   * then it takes the full path, which calls {@link #apply}.
   */
  boolean claims(byte[] wireName, int qtype) {
    if (classRules) {
      return true;
    }
    String name = null;
    for (Rule r : rules) {
      if (r.config().field() == RewritePlugin.Field.TYPE) {
        if (qtype == r.fromCode()) {
          return true;
        }
        continue;
      }
      if (name == null) {
        name = text(wireName);
      }
      if (rewriteName(r, name) != null) {
        return true;
      }
    }
    return false;
  }

  /** The rewritten query, or null when no rule matched (the query is answered as it is). */
  public Rewritten apply(Message query) {
    Record q = query.getQuestion();
    if (q == null) {
      return null;
    }
    String name = q.getName().toString().toLowerCase(Locale.ROOT);
    int type = q.getType();
    int dclass = q.getDClass();
    List<Rule> applied = new ArrayList<>();
    for (Rule r : rules) {
      boolean matched = false;
      switch (r.config().field()) {
        case NAME -> {
          String next = rewriteName(r, name);
          if (next != null) {
            name = next;
            matched = true;
          }
        }
        case TYPE -> {
          if (type == r.fromCode()) {
            type = r.toCode();
            matched = true;
          }
        }
        case CLASS -> {
          if (dclass == r.fromCode()) {
            dclass = r.toCode();
            matched = true;
          }
        }
        default -> { }
      }
      if (matched) {
        applied.add(r);
        if (r.config().stop()) {
          break;
        }
      }
    }
    if (applied.isEmpty()) {
      return null;
    }
    Name rewritten;
    try {
      rewritten = Name.fromString(name.endsWith(".") ? name : name + ".");
    } catch (TextParseException e) {
      throw new InvalidName("rewrite made '" + name + "', not a domain name: " + e.getMessage());
    }
    Message m = query.clone();
    m.removeAllRecords(Section.QUESTION);
    m.addRecord(Record.newRecord(rewritten, type, dclass), Section.QUESTION);
    return new Rewritten(m, q, applied);
  }

  /** The name after {@code r}, or null when it does not match. */
  private static String rewriteName(Rule r, String name) {
    RewritePlugin.Rule c = r.config();
    if (c.field() != RewritePlugin.Field.NAME) {
      return null;
    }
    return switch (c.match()) {
      case EXACT -> name.equals(c.from()) ? c.to() : null;
      case PREFIX -> name.startsWith(c.from()) ? c.to() + name.substring(c.from().length()) : null;
      case SUFFIX -> name.endsWith(c.from())
          ? name.substring(0, name.length() - c.from().length()) + c.to() : null;
      case SUBSTRING -> replaceFirst(name, c.from(), c.to());
      case REGEX -> {
        Matcher m = r.regex().matcher(name);
        yield m.find() ? absolute(groups(c.to(), m)) : null;
      }
    };
  }

  /** The owner name rewritten back by {@code r}'s answer option, or null when it does not apply. */
  private static String revertName(Rule r, String owner) {
    RewritePlugin.Rule c = r.config();
    if (r.answerRegex() != null) {
      Matcher m = r.answerRegex().matcher(owner);
      return m.find() ? absolute(groups(c.answerTo(), m)) : null;
    }
    if (!c.answerAuto()) {
      return null;
    }
    return switch (c.match()) {
      case EXACT -> owner.equals(c.to()) ? c.from() : null;
      case PREFIX -> owner.startsWith(c.to()) ? c.from() + owner.substring(c.to().length()) : null;
      case SUFFIX -> owner.endsWith(c.to()) ? owner.substring(0, owner.length() - c.to().length()) + c.from() : null;
      case SUBSTRING -> replaceFirst(owner, c.to(), c.from());
      case REGEX -> null;
    };
  }

  /** {@code s} with the first {@code from} replaced by {@code to}, or null when it holds none. */
  private static String replaceFirst(String s, String from, String to) {
    int i = s.indexOf(from);
    return i < 0 ? null : s.substring(0, i) + to + s.substring(i + from.length());
  }

  /** CoreDNS's {@code {N}} group references filled from {@code m}. */
  private static String groups(String template, Matcher m) {
    Matcher g = GROUP.matcher(template);
    StringBuilder out = new StringBuilder();
    while (g.find()) {
      int i = Integer.parseInt(g.group(1));
      String v = i <= m.groupCount() && m.group(i) != null ? m.group(i) : "";
      g.appendReplacement(out, Matcher.quoteReplacement(v));
    }
    g.appendTail(out);
    return out.toString();
  }

  private static String absolute(String s) {
    return s.endsWith(".") ? s : s + ".";
  }

  /** A lowercase wire name as text with the trailing dot. */
  private static String text(byte[] wire) {
    StringBuilder b = new StringBuilder(wire.length + 1);
    int pos = 0;
    while (pos < wire.length && wire[pos] != 0) {
      int len = wire[pos] & 0xff;
      b.append(new String(wire, pos + 1, len, java.nio.charset.StandardCharsets.ISO_8859_1)).append('.');
      pos += 1 + len;
    }
    return b.length() == 0 ? "." : b.toString();
  }
}
