package io.genrtl.client;

import com.squareup.moshi.JsonDataException;
import com.squareup.moshi.JsonEncodingException;
import com.squareup.moshi.JsonReader;
import com.squareup.moshi.JsonWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import okio.Buffer;

/**
 * JSON as plain trees: objects are {@code LinkedHashMap<String, Object>}, arrays {@code List<Object>}, numbers
 * {@link BigDecimal} (never double, so dollar amounts stay exact), strings, booleans and null. Moshi's streaming
 * reader and writer do the syntax; this class only maps trees and reads typed members.
 */
final class Json {
  private Json() {}

  /** Thrown when an answer is not the JSON the contract promises. */
  static final class Malformed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Malformed(String message) {
      super(message);
    }
  }

  static Object parse(String text) {
    return parse(text.getBytes(StandardCharsets.UTF_8));
  }

  static Object parse(byte[] bytes) {
    try (JsonReader r = JsonReader.of(new Buffer().write(bytes))) {
      Object v = read(r);
      if (r.peek() != JsonReader.Token.END_DOCUMENT) throw new Malformed("trailing data after the JSON value");
      return v;
    } catch (JsonEncodingException | JsonDataException e) {
      throw new Malformed("malformed JSON: " + e.getMessage());
    } catch (IOException e) {
      throw new Malformed("malformed JSON: " + e.getMessage());
    }
  }

  static Map<String, Object> parseObject(String text) {
    Object v = parse(text);
    if (!(v instanceof Map)) throw new Malformed("expected a JSON object");
    return cast(v);
  }

  private static Object read(JsonReader r) throws IOException {
    switch (r.peek()) {
      case BEGIN_OBJECT -> {
        Map<String, Object> m = new LinkedHashMap<>();
        r.beginObject();
        while (r.hasNext()) m.put(r.nextName(), read(r));
        r.endObject();
        return m;
      }
      case BEGIN_ARRAY -> {
        List<Object> l = new ArrayList<>();
        r.beginArray();
        while (r.hasNext()) l.add(read(r));
        r.endArray();
        return l;
      }
      case STRING -> {
        return r.nextString();
      }
      case NUMBER -> {
        return new BigDecimal(r.nextString());
      }
      case BOOLEAN -> {
        return r.nextBoolean();
      }
      case NULL -> {
        return r.nextNull();
      }
      default -> throw new Malformed("unexpected " + r.peek());
    }
  }

  static String write(Object tree) {
    Buffer buf = new Buffer();
    try (JsonWriter w = JsonWriter.of(buf)) {
      w.setSerializeNulls(true);
      write(w, tree);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buf.readUtf8();
  }

  private static void write(JsonWriter w, Object v) throws IOException {
    if (v == null) {
      w.nullValue();
    } else if (v instanceof Map<?, ?> m) {
      w.beginObject();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        w.name(e.getKey().toString());
        write(w, e.getValue());
      }
      w.endObject();
    } else if (v instanceof Iterable<?> l) {
      w.beginArray();
      for (Object o : l) write(w, o);
      w.endArray();
    } else if (v instanceof String s) {
      w.value(s);
    } else if (v instanceof Boolean b) {
      w.value(b.booleanValue());
    } else if (v instanceof BigDecimal d) {
      w.value(d);
    } else if (v instanceof Long || v instanceof Integer || v instanceof Short) {
      w.value(((Number) v).longValue());
    } else if (v instanceof Number n) {
      w.value(n);
    } else if (v instanceof Instant || v instanceof URI) {
      w.value(v.toString());
    } else {
      throw new IllegalArgumentException("cannot write " + v.getClass().getName() + " as JSON");
    }
  }

  // ---------------------------------------------------------------- typed members

  @SuppressWarnings("unchecked")
  static Map<String, Object> cast(Object o) {
    return (Map<String, Object>) o;
  }

  static Map<String, Object> obj(Map<String, Object> m, String key) {
    Object v = m == null ? null : m.get(key);
    if (v == null) return null;
    if (!(v instanceof Map)) throw new Malformed(key + " is not an object");
    return cast(v);
  }

  static List<Object> list(Map<String, Object> m, String key) {
    Object v = m == null ? null : m.get(key);
    if (v == null) return List.of();
    if (!(v instanceof List)) throw new Malformed(key + " is not an array");
    @SuppressWarnings("unchecked") List<Object> l = (List<Object>) v;
    return l;
  }

  static List<Map<String, Object>> objects(Map<String, Object> m, String key) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Object o : list(m, key)) {
      if (!(o instanceof Map)) throw new Malformed(key + " holds a non-object");
      out.add(cast(o));
    }
    return out;
  }

  static List<String> strings(Map<String, Object> m, String key) {
    List<String> out = new ArrayList<>();
    for (Object o : list(m, key)) out.add(o == null ? null : o.toString());
    return List.copyOf(out.stream().filter(java.util.Objects::nonNull).toList());
  }

  static String str(Map<String, Object> m, String key) {
    Object v = m == null ? null : m.get(key);
    if (v == null) return null;
    if (v instanceof String s) return s;
    if (v instanceof BigDecimal d) return d.toPlainString();
    return v.toString();
  }

  static String requiredStr(Map<String, Object> m, String key) {
    String s = str(m, key);
    if (s == null) throw new Malformed("the answer has no " + key);
    return s;
  }

  static Long lng(Map<String, Object> m, String key) {
    Object v = m == null ? null : m.get(key);
    if (v == null) return null;
    if (!(v instanceof BigDecimal d)) throw new Malformed(key + " is not a number");
    try {
      return d.longValueExact();
    } catch (ArithmeticException e) {
      throw new Malformed(key + " is not an integer");
    }
  }

  static long lng(Map<String, Object> m, String key, long fallback) {
    Long v = lng(m, key);
    return v == null ? fallback : v;
  }

  static boolean bool(Map<String, Object> m, String key) {
    Object v = m == null ? null : m.get(key);
    return Boolean.TRUE.equals(v);
  }

  static BigDecimal decimal(Map<String, Object> m, String key) {
    Object v = m == null ? null : m.get(key);
    if (v == null) return null;
    if (!(v instanceof BigDecimal d)) throw new Malformed(key + " is not a number");
    return d;
  }

  /** A dollar amount (at most 6 decimals on the wire) as integer micro-USD; 0 when absent. */
  static long micros(Map<String, Object> m, String key) {
    BigDecimal d = decimal(m, key);
    if (d == null) return 0;
    return d.movePointRight(6).setScale(0, RoundingMode.HALF_UP).longValueExact();
  }

  static Instant time(Map<String, Object> m, String key) {
    String s = str(m, key);
    if (s == null) return null;
    try {
      return Instant.parse(s);
    } catch (java.time.format.DateTimeParseException e) {
      throw new Malformed(key + " is not an RFC 3339 time");
    }
  }
}
