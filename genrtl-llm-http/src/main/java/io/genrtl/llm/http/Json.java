package io.genrtl.llm.http;

import com.squareup.moshi.JsonDataException;
import com.squareup.moshi.JsonEncodingException;
import com.squareup.moshi.JsonReader;
import com.squareup.moshi.JsonWriter;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import okio.Buffer;
import okio.BufferedSink;

/** JSON trees (Map / List / String / Number / Boolean / null) read and written with Moshi's streaming API. */
final class Json {
  private Json() {}

  /** Raw JSON text written as is (a caller's JSON Schema keeps its exact numbers). */
  record Raw(String json) {}

  /** Thrown when a document is not valid JSON; the message names no content. */
  static final class Malformed extends Exception {
    private static final long serialVersionUID = 1L;

    Malformed(String message, Throwable cause) {
      super(message, cause);
    }
  }

  static Object parse(String text) throws Malformed {
    try (JsonReader reader = JsonReader.of(new Buffer().writeUtf8(text))) {
      Object value = reader.readJsonValue();
      if (reader.peek() != JsonReader.Token.END_DOCUMENT) throw new Malformed("trailing data after the JSON value", null);
      return value;
    } catch (JsonEncodingException | JsonDataException e) {
      throw new Malformed("malformed JSON", e);
    } catch (IOException e) {
      // an in-memory buffer fails only on malformed or truncated input
      throw new Malformed("malformed JSON", e);
    }
  }

  static Map<String, Object> parseObject(String text) throws Malformed {
    Object v = parse(text);
    if (!(v instanceof Map)) throw new Malformed("expected a JSON object", null);
    return cast(v);
  }

  static byte[] write(Object tree) {
    Buffer buffer = new Buffer();
    try (JsonWriter w = JsonWriter.of(buffer)) {
      w.setSerializeNulls(false);
      write(w, tree);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return buffer.readByteArray();
  }

  private static void write(JsonWriter w, Object v) throws IOException {
    if (v == null) {
      w.nullValue();
    } else if (v instanceof Map<?, ?> m) {
      w.beginObject();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (e.getValue() == null) continue;
        w.name((String) e.getKey());
        write(w, e.getValue());
      }
      w.endObject();
    } else if (v instanceof List<?> l) {
      w.beginArray();
      for (Object o : l) write(w, o);
      w.endArray();
    } else if (v instanceof String s) {
      w.value(s);
    } else if (v instanceof Boolean b) {
      w.value(b.booleanValue());
    } else if (v instanceof Integer || v instanceof Long) {
      w.value(((Number) v).longValue());
    } else if (v instanceof Number n) {
      w.value(n);
    } else if (v instanceof Raw r) {
      try (BufferedSink sink = w.valueSink()) {
        sink.writeUtf8(r.json());
      }
    } else {
      throw new IllegalArgumentException("not a JSON value: " + v.getClass().getName());
    }
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> cast(Object o) {
    return (Map<String, Object>) o;
  }

  /** The member as an object, or null when it is missing or not an object. */
  static Map<String, Object> obj(Map<String, Object> m, String key) {
    if (m == null) return null;
    Object v = m.get(key);
    return v instanceof Map ? cast(v) : null;
  }

  /** The member as an array, or null when it is missing or not an array. */
  static List<?> list(Map<String, Object> m, String key) {
    if (m == null) return null;
    Object v = m.get(key);
    return v instanceof List<?> l ? l : null;
  }

  /** The member as a string, or null when it is missing or not a string. */
  static String str(Map<String, Object> m, String key) {
    if (m == null) return null;
    Object v = m.get(key);
    return v instanceof String s ? s : null;
  }

  /** The member as a token count: a non-negative integral number, else null. */
  static Long count(Map<String, Object> m, String key) {
    if (m == null) return null;
    Object v = m.get(key);
    if (!(v instanceof Number n)) return null;
    double d = n.doubleValue();
    if (d < 0 || d != Math.rint(d) || d > 9.0e15) return null;
    return (long) d;
  }
}
