package io.genrtl.core.internal;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one strict JSON reader (RFC 8259) for documents that come from outside: request bodies and package manifests.
 * It reads UTF-8 into a tree of {@link LinkedHashMap}s, {@link ArrayList}s, strings, {@link BigDecimal}s (numbers stay
 * exact), booleans and nulls, and refuses what a lenient parser would guess at: trailing data, duplicate keys, raw
 * control characters in strings, bad escapes, leading zeros, {@code NaN}, comments, single quotes, invalid UTF-8 and
 * nesting deeper than {@value #MAX_DEPTH}. A refusal is a {@link SyntaxException} whose message is ours alone (what is
 * wrong, and where: line and column), never a library's text. Not API.
 */
public final class JsonTree {
  public static final int MAX_DEPTH = 255;
  private static final int MAX_KEY_SHOWN = 64;

  /** What is wrong ({@link #problem()}), where ({@link #line()}, {@link #column()}), and the field it is in. */
  public static final class SyntaxException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String problem;
    private final int line;
    private final int column;
    private final String field;
    private final boolean duplicateKey;

    SyntaxException(String problem, int line, int column, String field, boolean duplicateKey) {
      super(problem + " at line " + line + ", column " + column, null, false, false);
      this.problem = problem;
      this.line = line;
      this.column = column;
      this.field = field;
      this.duplicateKey = duplicateKey;
    }

    /** Whether the document is well-formed but names {@link #field()} twice in one object. */
    public boolean duplicateKey() {
      return duplicateKey;
    }

    public String problem() {
      return problem;
    }

    /** 1-based. */
    public int line() {
      return line;
    }

    /** 1-based, in characters. */
    public int column() {
      return column;
    }

    /** The field the problem is in, named as the request validators name fields ({@code a.b[2].c}; {@code $}: the root). */
    public String field() {
      return field;
    }
  }

  private final char[] text;
  private int pos;

  private JsonTree(char[] text) {
    this.text = text;
  }

  /** Parses one complete UTF-8 JSON document. */
  /** {@link #parse(byte[])} of a string's UTF-8 bytes. */
  public static Object parse(String text) {
    return parse(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Parses a document that must be a JSON object. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> parseObject(String text) {
    Object v = parse(text);
    if (!(v instanceof Map)) throw new IllegalArgumentException("the document is not a JSON object");
    return (Map<String, Object>) v;
  }

  public static Object parse(byte[] utf8) {
    JsonTree t = new JsonTree(decode(utf8));
    t.skipWhitespace();
    if (t.pos >= t.text.length) throw t.error("the body holds no JSON value", "$");
    Object v = t.value("$", 0);
    t.skipWhitespace();
    if (t.pos < t.text.length) throw t.error("unexpected data after the JSON value", "$");
    return v;
  }

  private static char[] decode(byte[] utf8) {
    CharsetDecoder d = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(utf8);
    CharBuffer out = CharBuffer.allocate(utf8.length);
    CoderResult r = d.decode(in, out, true);
    if (!r.isError()) r = d.flush(out);
    if (r.isError()) {
      JsonTree partial = new JsonTree(java.util.Arrays.copyOf(out.array(), out.position()));
      partial.pos = out.position();
      throw partial.error("not valid UTF-8", "$");
    }
    return java.util.Arrays.copyOf(out.array(), out.position());
  }

  private Object value(String field, int depth) {
    if (pos >= text.length) throw error("unexpected end of the body", field);
    char c = text[pos];
    switch (c) {
      case '{':
        return object(field, depth + 1);
      case '[':
        return array(field, depth + 1);
      case '"':
        return string(field);
      case 't':
        return literal("true", Boolean.TRUE, field);
      case 'f':
        return literal("false", Boolean.FALSE, field);
      case 'n':
        return literal("null", null, field);
      default:
        if (c == '-' || (c >= '0' && c <= '9')) return number(field);
        throw error("unexpected character " + describe(c), field);
    }
  }

  private Map<String, Object> object(String field, int depth) {
    if (depth > MAX_DEPTH) throw error("nesting deeper than " + MAX_DEPTH + " levels", field);
    Map<String, Object> m = new LinkedHashMap<>();
    pos++; // {
    skipWhitespace();
    if (peekIs('}')) {
      pos++;
      return m;
    }
    while (true) {
      skipWhitespace();
      if (!peekIs('"')) throw expected("a member name in double quotes", field);
      int keyAt = pos;
      String name = string(field);
      String member = field.equals("$") ? name : field + "." + name;
      if (m.containsKey(name)) {
        pos = keyAt;
        SyntaxException e = error("duplicate key " + shown(name), member);
        throw new SyntaxException(e.problem(), e.line(), e.column(), member, true);
      }
      skipWhitespace();
      if (!peekIs(':')) throw expected("':' after the member name", member);
      pos++;
      skipWhitespace();
      m.put(name, value(member, depth));
      skipWhitespace();
      if (peekIs(',')) {
        pos++;
        continue;
      }
      if (peekIs('}')) {
        pos++;
        return m;
      }
      throw expected("',' or '}' after a member", field);
    }
  }

  private List<Object> array(String field, int depth) {
    if (depth > MAX_DEPTH) throw error("nesting deeper than " + MAX_DEPTH + " levels", field);
    List<Object> l = new ArrayList<>();
    pos++; // [
    skipWhitespace();
    if (peekIs(']')) {
      pos++;
      return l;
    }
    while (true) {
      skipWhitespace();
      l.add(value(field + "[" + l.size() + "]", depth));
      skipWhitespace();
      if (peekIs(',')) {
        pos++;
        continue;
      }
      if (peekIs(']')) {
        pos++;
        return l;
      }
      throw expected("',' or ']' after an element", field);
    }
  }

  private String string(String field) {
    pos++; // opening quote
    StringBuilder b = null;
    int start = pos;
    while (true) {
      if (pos >= text.length) throw error("unexpected end of the body inside a string", field);
      char c = text[pos];
      if (c == '"') {
        String s = b == null ? new String(text, start, pos - start) : b.append(text, start, pos - start).toString();
        if (b != null && hasLoneSurrogate(s)) throw error("a \\u escape names half of a surrogate pair", field);
        pos++;
        return s;
      }
      if (c < 0x20) throw error("control character " + describe(c) + " in a string (escape it)", field);
      if (c != '\\') {
        pos++;
        continue;
      }
      if (b == null) b = new StringBuilder();
      b.append(text, start, pos - start);
      if (pos + 1 >= text.length) throw error("unexpected end of the body inside a string", field);
      char e = text[pos + 1];
      switch (e) {
        case '"', '\\', '/' -> b.append(e);
        case 'b' -> b.append('\b');
        case 'f' -> b.append('\f');
        case 'n' -> b.append('\n');
        case 'r' -> b.append('\r');
        case 't' -> b.append('\t');
        case 'u' -> {
          if (pos + 6 > text.length) throw error("unexpected end of the body inside a string", field);
          int v = 0;
          for (int i = pos + 2; i < pos + 6; i++) {
            int h = Character.digit(text[i], 16);
            if (h < 0) throw error("invalid \\u escape (four hex digits expected)", field);
            v = v * 16 + h;
          }
          b.append((char) v);
          pos += 4;
        }
        default -> throw error("invalid escape sequence \\" + (e >= 0x21 && e <= 0x7e ? String.valueOf(e) : describe(e)), field);
      }
      pos += 2;
      start = pos;
    }
  }

  /** Escapes can spell half a surrogate pair, which is no character at all (the text decoded from UTF-8 cannot). */
  private static boolean hasLoneSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) return true;
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return true;
      }
    }
    return false;
  }

  private Object literal(String word, Object v, String field) {
    for (int i = 0; i < word.length(); i++, pos++) {
      if (pos >= text.length) throw error("unexpected end of the body", field);
      if (text[pos] != word.charAt(i)) throw error("unexpected character " + describe(text[pos]), field);
    }
    return v;
  }

  /** {@code -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?} */
  private BigDecimal number(String field) {
    int start = pos;
    if (peekIs('-')) pos++;
    if (peekIs('0')) {
      pos++;
      if (pos < text.length && isDigit(text[pos])) throw error("invalid number (leading zero)", field);
    } else if (!digits()) {
      throw numberError(field);
    }
    if (peekIs('.')) {
      pos++;
      if (!digits()) throw numberError(field);
    }
    if (peekIs('e') || peekIs('E')) {
      pos++;
      if (peekIs('+') || peekIs('-')) pos++;
      if (!digits()) throw numberError(field);
    }
    try {
      return new BigDecimal(text, start, pos - start);
    } catch (NumberFormatException | ArithmeticException e) {
      pos = start;
      throw error("number out of range", field);
    }
  }

  private SyntaxException numberError(String field) {
    if (pos >= text.length) return error("unexpected end of the body inside a number", field);
    return error("invalid number: unexpected character " + describe(text[pos]), field);
  }

  private boolean digits() {
    int start = pos;
    while (pos < text.length && isDigit(text[pos])) pos++;
    return pos > start;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private boolean peekIs(char c) {
    return pos < text.length && text[pos] == c;
  }

  private void skipWhitespace() {
    while (pos < text.length) {
      char c = text[pos];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
      pos++;
    }
  }

  private SyntaxException expected(String what, String field) {
    if (pos >= text.length) return error("unexpected end of the body (expected " + what + ")", field);
    return error("expected " + what + ", found " + describe(text[pos]), field);
  }

  /** The error at the current position. */
  private SyntaxException error(String problem, String field) {
    int line = 1;
    int lineStart = 0;
    int end = Math.min(pos, text.length);
    for (int i = 0; i < end; i++) {
      if (text[i] == '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    return new SyntaxException(problem, line, end - lineStart + 1, field, false);
  }

  /** A character as the message shows it: printable ASCII quoted, anything else as its code point. */
  private static String describe(char c) {
    if (c == '\'') return "\"'\"";
    if (c >= 0x21 && c <= 0x7e) return "'" + c + "'";
    return String.format("U+%04X", (int) c);
  }

  /** A key as the message shows it: printable ASCII only, at most 64 characters. */
  private static String shown(String key) {
    StringBuilder b = new StringBuilder("'");
    for (int i = 0; i < key.length() && i < MAX_KEY_SHOWN; i++) {
      char c = key.charAt(i);
      b.append(c >= 0x20 && c <= 0x7e && c != '\'' ? c : '?');
    }
    if (key.length() > MAX_KEY_SHOWN) b.append("...");
    return b.append('\'').toString();
  }
}
