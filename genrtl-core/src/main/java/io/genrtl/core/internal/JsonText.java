package io.genrtl.core.internal;

import java.util.Collection;
import java.util.Map;

/**
 * The core's minimal JSON writer (the core has no JSON library): maps, collections, strings, numbers, booleans, null.
 * Used for audit details and job events, and by the host's JSON log lines. Not API.
 */
public final class JsonText {
  private JsonText() {}

  public static String write(Object v) {
    StringBuilder sb = new StringBuilder();
    write(sb, v);
    return sb.toString();
  }

  private static void write(StringBuilder sb, Object v) {
    if (v == null) {
      sb.append("null");
    } else if (v instanceof Map<?, ?> m) {
      sb.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!first) sb.append(',');
        first = false;
        string(sb, String.valueOf(e.getKey()));
        sb.append(':');
        write(sb, e.getValue());
      }
      sb.append('}');
    } else if (v instanceof Collection<?> c) {
      sb.append('[');
      boolean first = true;
      for (Object o : c) {
        if (!first) sb.append(',');
        first = false;
        write(sb, o);
      }
      sb.append(']');
    } else if (v instanceof Boolean || v instanceof Integer || v instanceof Long || v instanceof java.math.BigDecimal) {
      sb.append(v instanceof java.math.BigDecimal d ? d.toPlainString() : v.toString());
    } else {
      string(sb, v.toString());
    }
  }

  /** {@code s} as a JSON string literal (RFC 8259): quotes, backslashes, control characters, U+2028/9 escaped. */
  public static String quote(CharSequence s) {
    StringBuilder sb = new StringBuilder(s.length() + 16);
    string(sb, s);
    return sb.toString();
  }

  /** Appends {@code s} as a JSON string literal. */
  public static void string(StringBuilder sb, CharSequence s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x2028 || c == 0x2029) sb.append(String.format("\\u%04x", (int) c));
          else sb.append(c);
        }
      }
    }
    sb.append('"');
  }
}
