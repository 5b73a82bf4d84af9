package io.clusterdns.k8s;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import tools.jackson.core.JsonToken;

/**
 * The fast path for one YAML document of the plain shape kubectl and generators write: block mappings and
 * sequences (indentless ones too), one-line flow collections, plain and simple quoted scalars, comments.
 * Anything else (anchors, tags, block or multi-line scalars, escapes, tabs, CR, directives, a root that is not
 * a mapping) makes {@link #tokenize} return null and the document is read by Jackson's YAML parser, which is
 * the reference: for every document the fast path takes, it gives the same tokens (plain scalars typed by
 * YAML 1.2's core schema: null, booleans, integers, floats, strings). It never reports errors: whatever is not
 * certainly valid goes to Jackson, which reports it.
 *
 * <p>Why: snakeyaml-engine's scanner reads about 20 MB/s here, so the 60 MB of a 100,000-service snapshot took
 * 3-5 s to parse on two cores; this path reads the same bytes several times faster and makes a string only for
 * the names and values the reader asks for.
 *
 * <p>A document is tokenized whole into arrays (type and byte range per token), then read as a token stream.
 */
final class BlockYaml implements ManifestTokens {
  /** Larger documents (a whole cluster as one {@code kind: List}) go to Jackson, which streams them. */
  static final int MAX_DOCUMENT_BYTES = 1 << 20;

  private static final JsonToken[] TYPES = JsonToken.values();

  /** Thrown inside the tokenizer when the document is outside the fast path's subset. */
  private static final class Unsupported extends RuntimeException {
    private static final long serialVersionUID = 1L;
    static final Unsupported INSTANCE = new Unsupported();

    private Unsupported() {
      super(null, null, false, false);
    }
  }

  private final byte[] b;
  private final int to;
  private int i; // tokenizer cursor

  private byte[] types = new byte[64];
  private int[] starts = new int[64];
  private int[] ends = new int[64];
  private int count;
  private int pos = -1;

  private BlockYaml(byte[] b, int from, int to) {
    this.b = b;
    this.i = from;
    this.to = to;
  }

  /** The tokens of the document in {@code b[from, to)}, or null when it is outside the fast path's subset. */
  static BlockYaml tokenize(byte[] b, int from, int to) {
    if (to - from > MAX_DOCUMENT_BYTES) {
      return null;
    }
    BlockYaml y = new BlockYaml(b, from, to);
    try {
      y.document();
      return y;
    } catch (Unsupported e) {
      return null;
    }
  }

  // ----------------------------------------------------------------------------------------- token stream

  @Override
  public JsonToken nextToken() {
    if (pos + 1 >= count) {
      pos = count;
      return null;
    }
    return TYPES[types[++pos]];
  }

  @Override
  public JsonToken currentToken() {
    return pos >= 0 && pos < count ? TYPES[types[pos]] : null;
  }

  @Override
  public String nextName() {
    JsonToken t = nextToken();
    return t == JsonToken.PROPERTY_NAME ? text(pos) : null;
  }

  @Override
  public void skipChildren() {
    JsonToken t = currentToken();
    if (t != JsonToken.START_OBJECT && t != JsonToken.START_ARRAY) {
      return;
    }
    int depth = 1;
    while (depth > 0) {
      JsonToken n = TYPES[types[++pos]];
      if (n == JsonToken.START_OBJECT || n == JsonToken.START_ARRAY) {
        depth++;
      } else if (n == JsonToken.END_OBJECT || n == JsonToken.END_ARRAY) {
        depth--;
      }
    }
  }

  @Override
  public String getText() {
    return text(pos);
  }

  @Override
  public int getIntValue() {
    return Integer.parseInt(text(pos)); // at most 9 digits and a sign: always fits
  }

  @Override
  public double getDoubleValue() {
    return Double.parseDouble(text(pos));
  }

  private String text(int t) {
    JsonToken type = TYPES[types[t]];
    if (type == JsonToken.VALUE_NULL) {
      return "null";
    }
    return new String(b, starts[t], ends[t] - starts[t], StandardCharsets.UTF_8);
  }

  private void emit(JsonToken t, int start, int end) {
    if (count == types.length) {
      int n = count * 2;
      types = Arrays.copyOf(types, n);
      starts = Arrays.copyOf(starts, n);
      ends = Arrays.copyOf(ends, n);
    }
    types[count] = (byte) t.ordinal();
    starts[count] = start;
    ends[count] = end;
    count++;
  }

  private void emit(JsonToken t) {
    emit(t, 0, 0);
  }

  // --------------------------------------------------------------------------------------------- grammar

  private void document() {
    if (i < to && b[i] == (byte) 0xEF) {
      throw Unsupported.INSTANCE; // a byte order mark
    }
    if (lineStartsWith3('-')) { // the "---" marker line: nothing but a comment may follow it
      i += 3;
      restOfLineBlank();
    }
    skipBlankLines();
    if (i >= to) {
      return; // an empty document: Jackson yields null for an explicit one and nothing otherwise; both load nothing
    }
    if (indentAt(i) != 0 || isSequenceItem(i)) {
      throw Unsupported.INSTANCE; // an indented root, or a root sequence
    }
    blockMapping(0, i);
    skipBlankLines();
    if (i < to) {
      throw Unsupported.INSTANCE;
    }
  }

  /** A block mapping whose keys are at column {@code indent}; the first key starts at {@code first}. */
  private void blockMapping(int indent, int first) {
    emit(JsonToken.START_OBJECT);
    i = first;
    boolean firstKey = true;
    while (true) {
      if (!firstKey) {
        skipBlankLines();
        if (i >= to) {
          break;
        }
        int ind = indentAt(i);
        if (ind < indent) {
          break;
        }
        if (ind > indent) {
          throw Unsupported.INSTANCE; // a continuation line or a stray indent
        }
        if (isSequenceItem(i + ind)) {
          break; // an item of a sequence around this mapping, or invalid: the callers check which
        }
        i += ind;
      }
      firstKey = false;
      key();
      // after "key:"
      skipSpaces();
      if (i >= to || b[i] == '\n' || b[i] == '#') {
        restOfLineBlank();
        skipBlankLines();
        if (i >= to) {
          emit(JsonToken.VALUE_NULL);
          break;
        }
        int ind = indentAt(i);
        if (ind > indent) {
          nestedBlock(ind);
        } else if (ind == indent && isSequenceItem(i + ind)) {
          blockSequence(indent); // "key:" then "- item" at the key's own indent
        } else {
          emit(JsonToken.VALUE_NULL);
        }
      } else {
        inlineValue();
        restOfLineBlank();
      }
    }
    emit(JsonToken.END_OBJECT);
  }

  /** The block node on the lines below a key or "-", its first line indented {@code ind}; cursor at line start. */
  private void nestedBlock(int ind) {
    if (isSequenceItem(i + ind)) {
      blockSequence(ind);
    } else {
      blockMapping(ind, i + ind);
    }
  }

  /** A block sequence whose "-" are at column {@code indent}; cursor at the start of its first line. */
  private void blockSequence(int indent) {
    emit(JsonToken.START_ARRAY);
    while (true) {
      skipBlankLines();
      if (i >= to) {
        break;
      }
      int ind = indentAt(i);
      if (ind != indent || !isSequenceItem(i + ind)) {
        if (ind > indent) {
          throw Unsupported.INSTANCE;
        }
        break;
      }
      i += ind + 1; // past "-"
      skipSpaces();
      if (i >= to || b[i] == '\n' || b[i] == '#') {
        restOfLineBlank();
        skipBlankLines();
        int next = i < to ? indentAt(i) : -1;
        if (next > indent) {
          nestedBlock(next);
        } else {
          emit(JsonToken.VALUE_NULL);
        }
        continue;
      }
      if (isSequenceItem(i)) {
        throw Unsupported.INSTANCE; // "- - x"
      }
      int column = i - lineStart(i);
      if (isKeyAhead()) {
        blockMapping(column, i); // "- key: value" and its following keys at the same column
      } else {
        inlineValue();
        restOfLineBlank();
      }
    }
    emit(JsonToken.END_ARRAY);
  }

  /** A mapping key at the cursor, through its ':'; emits the name. */
  private void key() {
    int start;
    int end;
    byte c = b[i];
    if (c == '"' || c == '\'') {
      start = i + 1;
      end = quotedEnd(c);
      i = end + 1;
      skipSpaces();
      if (i >= to || b[i] != ':' || !separatorAfter(i + 1, false)) {
        throw Unsupported.INSTANCE;
      }
      i++;
    } else {
      if (isIndicator(c)) {
        throw Unsupported.INSTANCE;
      }
      start = i;
      while (true) {
        if (i >= to || b[i] == '\n') {
          throw Unsupported.INSTANCE; // not a key: a scalar line, which is not part of this subset here
        }
        if (b[i] == ':' && separatorAfter(i + 1, false)) {
          break;
        }
        if (b[i] == '#' && b[i - 1] == ' ') {
          throw Unsupported.INSTANCE;
        }
        i++;
      }
      end = trimEnd(start, i);
      i++;
    }
    emit(JsonToken.PROPERTY_NAME, start, end);
  }

  /** Whether the line from the cursor is "key: ..." (a compact mapping in a sequence item). */
  private boolean isKeyAhead() {
    int j = i;
    byte c = b[j];
    if (c == '{' || c == '[') {
      return false;
    }
    if (c == '"' || c == '\'') {
      int save = i;
      int end = quotedEnd(c);
      i = save;
      j = end + 1;
      while (j < to && b[j] == ' ') {
        j++;
      }
      return j < to && b[j] == ':' && separatorAfter(j + 1, false);
    }
    for (; j < to && b[j] != '\n'; j++) {
      if (b[j] == ':' && separatorAfter(j + 1, false)) {
        return true;
      }
      if (b[j] == '#' && b[j - 1] == ' ') {
        return false;
      }
    }
    return false;
  }

  /** A value on the rest of the line: a flow collection, a quoted or a plain scalar. */
  private void inlineValue() {
    byte c = b[i];
    if (c == '{' || c == '[') {
      flow();
      return;
    }
    if (c == '"' || c == '\'') {
      int start = i + 1;
      int end = quotedEnd(c);
      emit(JsonToken.VALUE_STRING, start, end);
      i = end + 1;
      return;
    }
    if (isIndicator(c) || (c == '-' && separatorAfter(i + 1, false))) {
      throw Unsupported.INSTANCE;
    }
    int start = i;
    while (i < to && b[i] != '\n') {
      byte d = b[i];
      if (d == '#' && b[i - 1] == ' ') {
        break;
      }
      if (d == ':' && separatorAfter(i + 1, false)) {
        throw Unsupported.INSTANCE; // "a: b: c"
      }
      if (d == '\t' || d == '\r') {
        throw Unsupported.INSTANCE;
      }
      i++;
    }
    plainScalar(start, trimEnd(start, i));
  }

  /** A flow collection that ends on this line. */
  private void flow() {
    byte open = b[i];
    boolean mapping = open == '{';
    emit(mapping ? JsonToken.START_OBJECT : JsonToken.START_ARRAY);
    i++;
    skipSpaces();
    byte close = mapping ? (byte) '}' : (byte) ']';
    if (i < to && b[i] == close) {
      i++;
      emit(mapping ? JsonToken.END_OBJECT : JsonToken.END_ARRAY);
      return;
    }
    while (true) {
      if (mapping) {
        flowKey();
        skipSpaces();
      }
      flowValue(mapping);
      skipSpaces();
      if (i >= to) {
        throw Unsupported.INSTANCE;
      }
      if (b[i] == ',') {
        i++;
        skipSpaces();
        if (i < to && b[i] == close) { // a trailing comma
          i++;
          break;
        }
        continue;
      }
      if (b[i] == close) {
        i++;
        break;
      }
      throw Unsupported.INSTANCE;
    }
    emit(mapping ? JsonToken.END_OBJECT : JsonToken.END_ARRAY);
  }

  private void flowKey() {
    if (i >= to) {
      throw Unsupported.INSTANCE;
    }
    byte c = b[i];
    int start;
    int end;
    if (c == '"' || c == '\'') {
      start = i + 1;
      end = quotedEnd(c);
      i = end + 1;
      skipSpaces();
      if (i >= to || b[i] != ':') {
        throw Unsupported.INSTANCE;
      }
    } else {
      if (isIndicator(c)) {
        throw Unsupported.INSTANCE;
      }
      start = i;
      while (true) {
        if (i >= to) {
          throw Unsupported.INSTANCE;
        }
        byte d = b[i];
        if (d == ':' && separatorAfter(i + 1, true)) {
          break;
        }
        if (d == ',' || d == '}' || d == ']' || d == '{' || d == '[' || d == '\n' || d == '#' || d == '\t'
            || d == '\r') {
          throw Unsupported.INSTANCE; // a key without a value, or something unusual
        }
        i++;
      }
      end = trimEnd(start, i);
    }
    i++; // ':'
    emit(JsonToken.PROPERTY_NAME, start, end);
  }

  private void flowValue(boolean inMapping) {
    if (i >= to) {
      throw Unsupported.INSTANCE;
    }
    byte c = b[i];
    if (c == '{' || c == '[') {
      flow();
      return;
    }
    if (c == '"' || c == '\'') {
      int start = i + 1;
      int end = quotedEnd(c);
      emit(JsonToken.VALUE_STRING, start, end);
      i = end + 1;
      return;
    }
    if (isIndicator(c) && c != ',' && c != '}' && c != ']') {
      throw Unsupported.INSTANCE;
    }
    int start = i;
    while (true) {
      if (i >= to) {
        throw Unsupported.INSTANCE;
      }
      byte d = b[i];
      if (d == ',' || d == '}' || d == ']') {
        break;
      }
      if (d == ':' && separatorAfter(i + 1, true)) {
        throw Unsupported.INSTANCE; // a mapping inside a flow sequence, or "a: b: c"
      }
      if (d == '\n' || d == '#' || d == '{' || d == '[' || d == '\t' || d == '\r') {
        throw Unsupported.INSTANCE;
      }
      i++;
    }
    int end = trimEnd(start, i);
    if (end == start && !inMapping) {
      throw Unsupported.INSTANCE; // "[a, , b]"
    }
    plainScalar(start, end);
  }

  /**
   * Emits a plain scalar typed as Jackson's YAML parser types it: empty and {@code null} are null, {@code true}
   * and {@code false} booleans (lower case only; {@code ~}, {@code Null}, {@code True} are strings), decimal
   * integers numbers; forms whose typing is less obvious (floats, signs, leading zeros, {@code .inf}) go to
   * Jackson.
   */
  private void plainScalar(int start, int end) {
    int n = end - start;
    if (n == 0 || isWord(start, end, "null")) {
      emit(JsonToken.VALUE_NULL, start, end);
      return;
    }
    if (isWord(start, end, "true")) {
      emit(JsonToken.VALUE_TRUE, start, end);
      return;
    }
    if (isWord(start, end, "false")) {
      emit(JsonToken.VALUE_FALSE, start, end);
      return;
    }
    byte c = b[start];
    if (c == '+' || c == '.') {
      throw Unsupported.INSTANCE;
    }
    if ((c >= '0' && c <= '9') || c == '-') {
      if (isInteger(start, end)) {
        emit(JsonToken.VALUE_NUMBER_INT, start, end);
        return;
      }
    }
    emit(JsonToken.VALUE_STRING, start, end);
  }

  /**
   * True for {@code -?[1-9][0-9]{0,8}} and {@code 0}; false for what is certainly a string (a letter or a
   * second dot before the end: {@code 10.96.0.1}, {@code 1.2.3}, {@code 80Mi}); anything else number-like
   * (floats, exponents, leading zeros, octal, hex, underscores, long integers) goes to Jackson.
   */
  private boolean isInteger(int start, int end) {
    int j = start;
    if (b[j] == '-') {
      j++;
    }
    int first = j;
    while (j < end && b[j] >= '0' && b[j] <= '9') {
      j++;
    }
    int digits = j - first;
    if (j == end) {
      if (digits == 0 || digits > 9 || (digits > 1 && b[first] == '0')) {
        if (digits == 0) {
          return false; // "-"
        }
        throw Unsupported.INSTANCE;
      }
      return true;
    }
    int dots = 0;
    for (int k = j; k < end; k++) {
      byte c = b[k];
      if (c == '.') {
        dots++;
      } else if ((c < '0' || c > '9') && c != 'e' && c != 'E' && c != '-' && c != '+' && c != '_' && c != 'x'
          && c != 'o' && c != 'X' && c != 'O' && !(c >= 'a' && c <= 'f') && !(c >= 'A' && c <= 'F')) {
        return false; // a letter no number has: a string
      }
    }
    if (dots >= 2) {
      return false; // an address or a version: a string
    }
    throw Unsupported.INSTANCE;
  }

  /** Exactly {@code word} (lower case). */
  private boolean isWord(int start, int end, String word) {
    int n = word.length();
    if (end - start != n) {
      return false;
    }
    for (int k = 0; k < n; k++) {
      if (b[start + k] != word.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  // --------------------------------------------------------------------------------------------- lexing

  /** The offset of the closing quote of the single-line quoted scalar opening at the cursor. */
  private int quotedEnd(byte quote) {
    int j = i + 1;
    while (true) {
      if (j >= to) {
        throw Unsupported.INSTANCE;
      }
      byte c = b[j];
      if (c == '\n' || c == '\r' || (quote == '"' && c == '\\')) {
        throw Unsupported.INSTANCE; // multi-line or escapes
      }
      if (c == quote) {
        if (quote == '\'' && j + 1 < to && b[j + 1] == '\'') {
          throw Unsupported.INSTANCE; // '' inside single quotes
        }
        return j;
      }
      j++;
    }
  }

  /** Whether the byte at {@code j} ends a ':' as a mapping indicator (a space, a line end, or in flow a ',' etc.). */
  private boolean separatorAfter(int j, boolean inFlow) {
    if (j >= to) {
      return true;
    }
    byte c = b[j];
    return c == ' ' || c == '\n' || (inFlow && (c == ',' || c == '}' || c == ']'));
  }

  /** Characters that cannot start a plain scalar or key here (or start YAML this path does not read). */
  private static boolean isIndicator(byte c) {
    return switch (c) {
      case '&', '*', '!', '|', '>', '%', '@', '`', '?', ':', ',', '[', ']', '{', '}', '#', '\t', '\r' -> true;
      default -> false;
    };
  }

  /** "-" followed by a space or a line end at {@code j}. */
  private boolean isSequenceItem(int j) {
    return j < to && b[j] == '-' && (j + 1 >= to || b[j + 1] == ' ' || b[j + 1] == '\n');
  }

  private boolean lineStartsWith3(char c) {
    return i + 2 < to && b[i] == c && b[i + 1] == c && b[i + 2] == c
        && (i + 3 >= to || b[i + 3] == ' ' || b[i + 3] == '\n');
  }

  private void skipSpaces() {
    while (i < to && b[i] == ' ') {
      i++;
    }
  }

  /** After a value: spaces and an optional comment up to the end of the line, then past it. */
  private void restOfLineBlank() {
    skipSpaces();
    if (i < to && b[i] == '#') {
      if (b[i - 1] != ' ' && b[i - 1] != '\n') {
        throw Unsupported.INSTANCE;
      }
      while (i < to && b[i] != '\n') {
        i++;
      }
    }
    if (i < to) {
      if (b[i] != '\n') {
        throw Unsupported.INSTANCE;
      }
      i++;
    }
  }

  /** Past empty and comment-only lines; the cursor ends at the start of a content line (or the end). */
  private void skipBlankLines() {
    while (i < to) {
      int j = i;
      while (j < to && b[j] == ' ') {
        j++;
      }
      if (j >= to) {
        i = to;
        return;
      }
      byte c = b[j];
      if (c == '\n') {
        i = j + 1;
      } else if (c == '#') {
        while (j < to && b[j] != '\n') {
          j++;
        }
        i = Math.min(j + 1, to);
      } else if (c == '\t' || c == '\r') {
        throw Unsupported.INSTANCE;
      } else {
        if (j == i && (lineStartsWith3('-') || lineStartsWith3('.') || c == '%')) {
          throw Unsupported.INSTANCE; // a marker or directive inside the range: not one plain document
        }
        return;
      }
    }
  }

  /** Spaces at the start of the line beginning at {@code j}. */
  private int indentAt(int j) {
    int k = j;
    while (k < to && b[k] == ' ') {
      k++;
    }
    return k - j;
  }

  private int lineStart(int j) {
    while (j > 0 && b[j - 1] != '\n') {
      j--;
    }
    return j;
  }

  private int trimEnd(int start, int end) {
    while (end > start && b[end - 1] == ' ') {
      end--;
    }
    return end;
  }
}
