package io.clusterdns.k8s;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import tools.jackson.core.JsonToken;

/**
 * The tokens of one list response, read from its body as it arrives, for {@link ManifestReader#readListPage}.
 * Jackson's JSON parser is the reference: for valid JSON this gives the same tokens, names and texts
 * ({@code JsonListTokensTest} compares them on generated documents). Two differences, both about what is not
 * read:
 * <ul>
 *   <li>{@link #skipChildren} scans the skipped object or array for its end without tokenizing it: no name
 *       looked up, no string decoded, nothing inside it validated.
 *   <li>Property names come from a small cache of the names seen before, compared as bytes.
 * </ul>
 * Why: a list's objects are mostly what DNS does not read (a Pod's containers and statuses, every object's
 * managed fields), and Jackson tokenizes all of it, looking up every name inside. At 100,000 Services +
 * EndpointSlices + Pods the list readers were a third of the process's CPU during the first sync, Jackson
 * 58 % of theirs (conformance/bench/RESULTS.md, issue 17). Malformed JSON outside skipped values fails with an
 * {@link IllegalArgumentException} naming the byte offset.
 *
 * <p>Threads: one list thread.
 */
final class JsonListTokens implements ManifestTokens {
  private static final int NAME_CACHE = 256;

  private final InputStream in;
  private byte[] buf;
  private int pos;
  private int end;
  /** Bytes of the body before {@code buf[0]}, for error offsets. */
  private long dropped;
  private boolean eof;

  private JsonToken current;
  /**
   * The current scalar's bytes in {@link #buf}: a string's between its quotes, a number's or literal's whole. Set
   * once the token is read whole, so valid until the next token moves the bytes.
   */
  private int textStart;
  private int textEnd;
  private boolean textEscaped;
  private String name;

  /** Open containers, '{' or '['. */
  private byte[] open = new byte[16];
  private int depth;
  /** A value (or a whole container) has just ended in the innermost container: ',' or its end comes next. */
  private boolean afterValue;
  private boolean rootDone;

  private final byte[][] cachedNameBytes = new byte[NAME_CACHE][];
  private final String[] cachedNames = new String[NAME_CACHE];

  JsonListTokens(InputStream in) {
    this(in, 64 * 1024);
  }

  /** @param bufferSize the initial buffer (grows for a longer token); tests use tiny ones */
  JsonListTokens(InputStream in, int bufferSize) {
    this.in = in;
    this.buf = new byte[bufferSize];
  }

  // ------------------------------------------------------------------------------------------- tokens

  @Override
  public JsonToken nextToken() {
    if (current == JsonToken.PROPERTY_NAME) {
      return current = value(skipSpace());
    }
    int c = skipSpace();
    if (depth == 0) {
      if (c < 0) {
        return current = null;
      }
      if (rootDone) {
        throw error("data after the end of the JSON value");
      }
      return current = value(c);
    }
    byte top = open[depth - 1];
    if (c == (top == '{' ? '}' : ']')) {
      pos++;
      close();
      return current = top == '{' ? JsonToken.END_OBJECT : JsonToken.END_ARRAY;
    }
    if (afterValue) {
      if (c != ',') {
        throw error(c < 0 ? "the body ends inside " + (top == '{' ? "an object" : "an array")
            : "expected ',' or '" + (top == '{' ? '}' : ']') + "'");
      }
      pos++;
      c = skipSpace();
    }
    return current = top == '{' ? name(c) : value(c);
  }

  @Override
  public JsonToken currentToken() {
    return current;
  }

  @Override
  public String nextName() {
    return nextToken() == JsonToken.PROPERTY_NAME ? name : null;
  }

  @Override
  public void skipChildren() {
    if (current != JsonToken.START_OBJECT && current != JsonToken.START_ARRAY) {
      return;
    }
    int nested = 1;
    int i = pos;
    while (true) {
      if (i >= end) {
        pos = i; // what was scanned is not needed again
        if (!fill(1)) {
          throw error("the body ends inside " + (current == JsonToken.START_OBJECT ? "an object" : "an array"));
        }
        i = pos;
        continue;
      }
      byte b = buf[i++];
      if (b == '"') {
        pos = i;
        i = stringEnd(pos) + 1;
      } else if (b == '{' || b == '[') {
        nested++;
      } else if ((b == '}' || b == ']') && --nested == 0) {
        pos = i;
        break;
      }
    }
    JsonToken opened = current;
    close();
    current = opened == JsonToken.START_OBJECT ? JsonToken.END_OBJECT : JsonToken.END_ARRAY;
  }

  @Override
  public String getText() {
    if (current == null) {
      return null;
    }
    switch (current) {
      case PROPERTY_NAME:
        return name;
      case VALUE_STRING:
        return textEscaped ? unescape(textStart, textEnd) : decode(textStart, textEnd);
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
      case VALUE_TRUE:
      case VALUE_FALSE:
      case VALUE_NULL:
        return new String(buf, textStart, textEnd - textStart, StandardCharsets.ISO_8859_1);
      default:
        return current.asString();
    }
  }

  @Override
  public int getIntValue() {
    if (current != JsonToken.VALUE_NUMBER_INT) {
      throw new IllegalStateException("not an integer: " + current);
    }
    int len = textEnd - textStart;
    if (len > 11) {
      throw new ArithmeticException("Numeric value (" + getText() + ") out of range of int");
    }
    long v = Long.parseLong(getText());
    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
      throw new ArithmeticException("Numeric value (" + v + ") out of range of int");
    }
    return (int) v;
  }

  @Override
  public double getDoubleValue() {
    return Double.parseDouble(getText());
  }

  // ------------------------------------------------------------------------------------------- grammar

  /** The value starting at byte {@code c} (at {@code pos}). */
  private JsonToken value(int c) {
    switch (c) {
      case '{':
        pos++;
        push((byte) '{');
        return JsonToken.START_OBJECT;
      case '[':
        pos++;
        push((byte) '[');
        return JsonToken.START_ARRAY;
      case '"': {
        int close = stringEnd(pos + 1);
        textStart = pos + 1; // after stringEnd: it may have moved the bytes
        textEnd = close;
        pos = close + 1;
        ended();
        return JsonToken.VALUE_STRING;
      }
      case 't':
        return literal("true", JsonToken.VALUE_TRUE);
      case 'f':
        return literal("false", JsonToken.VALUE_FALSE);
      case 'n':
        return literal("null", JsonToken.VALUE_NULL);
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          return number();
        }
        throw error(c < 0 ? "the body ends where a value was expected" : "unexpected character '" + (char) c
            + "' where a value was expected");
    }
  }

  /** A property name at byte {@code c}, and the ':' after it. */
  private JsonToken name(int c) {
    if (c != '"') {
      throw error(c < 0 ? "the body ends inside an object" : "expected a property name in double quotes");
    }
    int close = stringEnd(pos + 1);
    int start = pos + 1;
    name = textEscaped ? unescape(start, close) : cachedName(start, close);
    pos = close + 1;
    if (skipSpace() != ':') {
      throw error("expected ':' after a property name");
    }
    pos++;
    return JsonToken.PROPERTY_NAME;
  }

  private JsonToken literal(String word, JsonToken token) {
    int n = word.length();
    for (int k = 0; k < n; k++) {
      int b = peek(k);
      if (b != word.charAt(k)) {
        throw error(b < 0 ? "the body ends inside a literal" : "unrecognized literal, expected '" + word + "'");
      }
    }
    if (isWordByte(peek(n))) {
      throw error("unrecognized literal, expected '" + word + "'");
    }
    textStart = pos;
    textEnd = pos + n;
    pos += n;
    ended();
    return token;
  }

  /** A number at {@code pos}, checked against JSON's grammar. */
  private JsonToken number() {
    int k = 0;
    boolean integer = true;
    if (peek(k) == '-') {
      k++;
    }
    int b = peek(k);
    if (b == '0') {
      k++;
    } else if (b >= '1' && b <= '9') {
      k = digits(k);
    } else {
      throw error("a number needs a digit after '-'");
    }
    if (peek(k) == '.') {
      integer = false;
      if (!isDigit(peek(k + 1))) {
        throw error("a number needs a digit after '.'");
      }
      k = digits(k + 1);
    }
    b = peek(k);
    if (b == 'e' || b == 'E') {
      integer = false;
      k++;
      b = peek(k);
      if (b == '+' || b == '-') {
        k++;
      }
      if (!isDigit(peek(k))) {
        throw error("a number needs a digit in its exponent");
      }
      k = digits(k);
    }
    if (isWordByte(peek(k))) {
      throw error("unexpected character '" + (char) peek(k) + "' in a number");
    }
    textStart = pos;
    textEnd = pos + k;
    pos += k;
    ended();
    return integer ? JsonToken.VALUE_NUMBER_INT : JsonToken.VALUE_NUMBER_FLOAT;
  }

  /** Past the digits from offset {@code k}. */
  private int digits(int k) {
    while (isDigit(peek(k))) {
      k++;
    }
    return k;
  }

  private static boolean isDigit(int b) {
    return b >= '0' && b <= '9';
  }

  /** A byte that may not follow a literal or number directly (-1, the end of the body, may). */
  private static boolean isWordByte(int b) {
    return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '.' || b == '-'
        || b == '+' || b >= 0x80;
  }

  private void push(byte container) {
    if (depth == open.length) {
      open = Arrays.copyOf(open, depth * 2);
    }
    open[depth++] = container;
    afterValue = false;
  }

  private void close() {
    depth--;
    ended();
  }

  private void ended() {
    afterValue = true;
    if (depth == 0) {
      rootDone = true;
    }
  }

  // ------------------------------------------------------------------------------------------- strings

  /**
   * The index of the closing quote of the string whose first byte is at {@code from} (an index that stays
   * valid relative to {@code pos}: bytes may move, so callers read {@code pos} again afterwards). Sets
   * {@link #textEscaped}. Unescaped control characters are refused, as JSON says.
   */
  private int stringEnd(int from) {
    boolean escaped = false;
    int i = from;
    while (true) {
      if (i >= end) {
        int offset = i - pos;
        if (!fill(offset + 1)) {
          throw error("the body ends inside a string");
        }
        i = pos + offset;
      }
      byte b = buf[i];
      if (b == '"') {
        textEscaped = escaped;
        return i;
      }
      if (b == '\\') {
        escaped = true;
        i = escapeEnd(i);
        continue;
      }
      if (b >= 0 && b < 0x20) {
        throw error("unescaped control character in a string");
      }
      i++;
    }
  }

  /** Past the escape whose backslash is at {@code i} (relative to {@code pos}, as in {@link #stringEnd}). */
  private int escapeEnd(int i) {
    int offset = i - pos;
    int e = peek(offset + 1);
    switch (e) {
      case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
        return pos + offset + 2;
      case 'u':
        for (int h = 2; h < 6; h++) {
          if (Character.digit(peek(offset + h), 16) < 0) {
            throw error("a \\u escape needs four hex digits");
          }
        }
        return pos + offset + 6;
      default:
        throw error(e < 0 ? "the body ends inside a string" : "unrecognized escape '\\" + (char) e + "' in a string");
    }
  }

  private String decode(int from, int to) {
    for (int k = from; k < to; k++) {
      if (buf[k] < 0) {
        return new String(buf, from, to - from, StandardCharsets.UTF_8);
      }
    }
    return new String(buf, from, to - from, StandardCharsets.ISO_8859_1); // ASCII: the compact string, one copy
  }

  /** The string in {@code buf[from, to)} with its escapes, which {@link #stringEnd} has checked, decoded. */
  private String unescape(int from, int to) {
    StringBuilder s = new StringBuilder(to - from);
    int run = from;
    int k = from;
    while (k < to) {
      if (buf[k] != '\\') {
        k++;
        continue;
      }
      s.append(decode(run, k));
      char e = (char) buf[k + 1];
      switch (e) {
        case 'b' -> s.append('\b');
        case 'f' -> s.append('\f');
        case 'n' -> s.append('\n');
        case 'r' -> s.append('\r');
        case 't' -> s.append('\t');
        case 'u' -> {
          s.append((char) Integer.parseInt(new String(buf, k + 2, 4, StandardCharsets.ISO_8859_1), 16));
          k += 4;
        }
        default -> s.append(e); // '"', '\\' or '/'
      }
      k += 2;
      run = k;
    }
    return s.append(decode(run, to)).toString();
  }

  /** The name in {@code buf[from, to)}: the cached string when these bytes were seen before. */
  private String cachedName(int from, int to) {
    int h = 1;
    for (int k = from; k < to; k++) {
      h = 31 * h + buf[k];
    }
    int slot = (h ^ (h >>> 16)) & (NAME_CACHE - 1);
    byte[] seen = cachedNameBytes[slot];
    if (seen != null && Arrays.equals(seen, 0, seen.length, buf, from, to)) {
      return cachedNames[slot];
    }
    String s = decode(from, to);
    cachedNameBytes[slot] = Arrays.copyOfRange(buf, from, to);
    cachedNames[slot] = s;
    return s;
  }

  // -------------------------------------------------------------------------------------------- buffer

  /** Skips white space; the byte at {@code pos} after it, or -1 at the end of the body. */
  private int skipSpace() {
    while (true) {
      if (pos >= end && !fill(1)) {
        return -1;
      }
      byte b = buf[pos];
      if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
        return b & 0xff;
      }
      pos++;
    }
  }

  /** The byte at {@code pos + k} (reading more if needed), or -1 past the end of the body. */
  private int peek(int k) {
    if (pos + k >= end && !fill(k + 1)) {
      return -1;
    }
    return buf[pos + k] & 0xff;
  }

  /**
   * Makes at least {@code n} bytes from {@code pos} readable if the body has them: moves the unread bytes to
   * the front (so indexes relative to {@code pos} stay valid, absolute ones do not), grows the buffer for a long
   * token, reads. False when the body ended first.
   */
  private boolean fill(int n) {
    while (end - pos < n) {
      if (eof) {
        return false;
      }
      if (pos > 0) {
        System.arraycopy(buf, pos, buf, 0, end - pos);
        dropped += pos;
        end -= pos;
        pos = 0;
      }
      if (end == buf.length) {
        buf = Arrays.copyOf(buf, buf.length * 2);
      }
      int r;
      try {
        r = in.read(buf, end, buf.length - end);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (r < 0) {
        eof = true;
      } else {
        end += r;
      }
    }
    return true;
  }

  private IllegalArgumentException error(String what) {
    return new IllegalArgumentException(what + " at byte " + (dropped + pos) + " of the list response");
  }
}
