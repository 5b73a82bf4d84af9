package io.clusterdns.k8s;

import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * The token stream {@link ManifestReader} reads: Jackson's own parser ({@link #of(JsonParser)}), or the block
 * YAML fast path ({@link BlockYaml}) for the plain documents kubectl and generators write. Both give the same
 * tokens for the same document (scalars typed as YAML 1.2's core schema types them).
 */
interface ManifestTokens {
  JsonToken nextToken();

  JsonToken currentToken();

  /** Advances; the property name if the new token is a FIELD_NAME, else null (END_OBJECT). */
  String nextName();

  /** At a START_OBJECT or START_ARRAY, moves to its matching end; otherwise does nothing. */
  void skipChildren();

  /** The current scalar's text. */
  String getText();

  /** The current VALUE_NUMBER_INT; throws {@link ArithmeticException} when it does not fit an int. */
  int getIntValue();

  double getDoubleValue();

  static ManifestTokens of(JsonParser p) {
    return new ManifestTokens() {
      @Override
      public JsonToken nextToken() {
        return p.nextToken();
      }

      @Override
      public JsonToken currentToken() {
        return p.currentToken();
      }

      @Override
      public String nextName() {
        return p.nextName();
      }

      @Override
      public void skipChildren() {
        p.skipChildren();
      }

      @Override
      public String getText() {
        return p.getText();
      }

      @Override
      public int getIntValue() {
        try {
          return p.getIntValue();
        } catch (tools.jackson.core.JacksonException e) {
          throw new ArithmeticException(e.getOriginalMessage());
        }
      }

      @Override
      public double getDoubleValue() {
        return p.getDoubleValue();
      }
    };
  }
}
