package io.genrtl.core.internal;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The core's strict JSON reader (RFC 8259; the core has no JSON library): a complete document into
 * {@link LinkedHashMap}s, {@link ArrayList}s, strings, {@link BigDecimal}s (numbers stay exact), booleans and null.
 * Duplicate keys, trailing data, lone surrogates in escapes, control characters in strings and nesting deeper than
 * {@link #MAX_DEPTH} are refused with a {@link Malformed} naming the line and column. Not API.
 */
public final class JsonReader {
  public static final int MAX_DEPTH = 256;

  /** The text is not one strict JSON document; the message says where and why, in our own words. */
  public static final class Malformed extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int line;
    private final int column;

    Malformed(String what, int line, int column) {
      super(what + " at line " + line + ", column " + column);
      this.line = line;
      this.column = column;
    }

    public int line() {
      return line;
    }

    public int column() {
      return column;
    }
  }

  private final String s;
  private int pos;

  private JsonReader(String s) {
    this.s = s;
  }

  /** Parses {@code text} as one JSON value. */
  public static Object parse(String text) {
    JsonReader r = new JsonReader(text);
    r.space();
    Object v = r.value(0);
    r.space();
    if (r.pos < r.s.length()) throw r.error("unexpected data after the JSON value");
    return v;
  }

  /** Parses {@code text}, which must be a JSON object. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> parseObject(String text) {
    Object v = parse(text);
    if (!(v instanceof Map)) throw new Malformed("the document is not a JSON object", 1, 1);
    return (Map<String, Object>) v;
  }

  private Object value(int depth) {
    if (depth > MAX_DEPTH) throw error("nesting deeper than " + MAX_DEPTH);
    if (pos >= s.length()) throw error("unexpected end of the document");
    char c = s.charAt(pos);
    switch (c) {
      case '{':
        return object(depth);
      case '[':
        return array(depth);
      case '"':
        return string();
      case 't':
        literal("true");
        return Boolean.TRUE;
      case 'f':
        literal("false");
        return Boolean.FALSE;
      case 'n':
        literal("null");
        return null;
      default:
        if (c == '-' || (c >= '0' && c <= '9')) return number();
        throw error("unexpected character '" + printable(c) + "'");
    }
  }

  private Map<String, Object> object(int depth) {
    Map<String, Object> m = new LinkedHashMap<>();
    pos++; // {
    space();
    if (peek() == '}') {
      pos++;
      return m;
    }
    while (true) {
      space();
      if (peek() != '"') throw error("expected a member name in double quotes");
      int at = pos;
      String name = string();
      if (m.containsKey(name)) {
        pos = at;
        throw error("duplicate member name '" + name + "'");
      }
      space();
      if (peek() != ':') throw error("expected ':' after a member name");
      pos++;
      space();
      m.put(name, value(depth + 1));
      space();
      char c = peek();
      pos++;
      if (c == '}') return m;
      if (c != ',') {
        pos--;
        throw error("expected ',' or '}' in an object");
      }
    }
  }

  private List<Object> array(int depth) {
    List<Object> l = new ArrayList<>();
    pos++; // [
    space();
    if (peek() == ']') {
      pos++;
      return l;
    }
    while (true) {
      space();
      l.add(value(depth + 1));
      space();
      char c = peek();
      pos++;
      if (c == ']') return l;
      if (c != ',') {
        pos--;
        throw error("expected ',' or ']' in an array");
      }
    }
  }

  private String string() {
    pos++; // opening quote
    StringBuilder sb = null;
    int start = pos;
    while (true) {
      if (pos >= s.length()) throw error("unterminated string");
      char c = s.charAt(pos);
      if (c == '"') {
        String out = sb == null ? s.substring(start, pos) : sb.append(s, start, pos).toString();
        pos++;
        return out;
      }
      if (c < 0x20) throw error("a control character inside a string must be escaped");
      if (c != '\\') {
        pos++;
        continue;
      }
      if (sb == null) sb = new StringBuilder();
      sb.append(s, start, pos);
      pos++;
      if (pos >= s.length()) throw error("unterminated escape");
      char e = s.charAt(pos++);
      switch (e) {
        case '"', '\\', '/' -> sb.append(e);
        case 'b' -> sb.append('\b');
        case 'f' -> sb.append('\f');
        case 'n' -> sb.append('\n');
        case 'r' -> sb.append('\r');
        case 't' -> sb.append('\t');
        case 'u' -> {
          char u = hex4();
          if (Character.isHighSurrogate(u)) {
            if (pos + 1 < s.length() && s.charAt(pos) == '\\' && s.charAt(pos + 1) == 'u') {
              pos += 2;
              char low = hex4();
              if (!Character.isLowSurrogate(low)) throw error("a high surrogate escape must be followed by a low one");
              sb.append(u).append(low);
            } else {
              throw error("a lone surrogate escape");
            }
          } else if (Character.isLowSurrogate(u)) {
            throw error("a lone surrogate escape");
          } else {
            sb.append(u);
          }
        }
        default -> {
          pos--;
          throw error("unknown escape '\\" + printable(e) + "'");
        }
      }
      start = pos;
    }
  }

  private char hex4() {
    if (pos + 4 > s.length()) throw error("a \\u escape needs four hex digits");
    int v = 0;
    for (int i = 0; i < 4; i++) {
      int d = Character.digit(s.charAt(pos + i), 16);
      if (d < 0) throw error("a \\u escape needs four hex digits");
      v = v * 16 + d;
    }
    pos += 4;
    return (char) v;
  }

  private BigDecimal number() {
    int start = pos;
    if (peek() == '-') pos++;
    if (peek() == '0') {
      pos++;
    } else if (isDigit(peek())) {
      while (isDigit(peek())) pos++;
    } else {
      throw error("a number needs digits");
    }
    if (peek() == '.') {
      pos++;
      if (!isDigit(peek())) throw error("a decimal point must be followed by digits");
      while (isDigit(peek())) pos++;
    }
    if (peek() == 'e' || peek() == 'E') {
      pos++;
      if (peek() == '+' || peek() == '-') pos++;
      if (!isDigit(peek())) throw error("an exponent needs digits");
      int expStart = pos;
      while (isDigit(peek())) pos++;
      if (pos - expStart > 9) throw error("an exponent out of range");
    }
    try {
      return new BigDecimal(s.substring(start, pos));
    } catch (NumberFormatException | ArithmeticException e) {
      pos = start;
      throw error("a number out of range");
    }
  }

  private void literal(String word) {
    if (!s.startsWith(word, pos)) throw error("unexpected characters (expected " + word + ")");
    pos += word.length();
  }

  private void space() {
    while (pos < s.length()) {
      char c = s.charAt(pos);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
      pos++;
    }
  }

  private char peek() {
    return pos < s.length() ? s.charAt(pos) : '\0';
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static String printable(char c) {
    return c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c);
  }

  private Malformed error(String what) {
    int line = 1;
    int col = 1;
    int end = Math.min(pos, s.length());
    for (int i = 0; i < end; i++) {
      if (s.charAt(i) == '\n') {
        line++;
        col = 1;
      } else {
        col++;
      }
    }
    return new Malformed(what, line, col);
  }
}
