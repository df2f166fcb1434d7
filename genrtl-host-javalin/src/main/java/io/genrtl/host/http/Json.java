package io.genrtl.host.http;

import com.squareup.moshi.JsonAdapter;
import com.squareup.moshi.JsonDataException;
import com.squareup.moshi.JsonEncodingException;
import com.squareup.moshi.JsonReader;
import com.squareup.moshi.JsonWriter;
import com.squareup.moshi.Moshi;
import io.genrtl.core.ErrorCode;
import io.genrtl.core.GenRtlException;
import io.javalin.json.JsonMapper;
import java.io.IOException;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import okio.Buffer;

/**
 * JSON on the wire, with Moshi. Responses are plain maps and lists built by the routes (snake_case keys, nulls
 * written); requests are read into a tree where numbers stay exact ({@link BigDecimal}), duplicate keys and
 * trailing data are refused.
 */
public final class Json implements JsonMapper {
  static final Moshi MOSHI = new Moshi.Builder().add(BigDecimal.class, new BigDecimalAdapter().nullSafe()).build();
  private static final JsonAdapter<Object> ANY = MOSHI.adapter(Object.class).serializeNulls();

  public static String write(Object value) {
    return ANY.toJson(value);
  }

  @Override
  public String toJsonString(Object obj, Type type) {
    return write(obj);
  }

  /** Parses a complete JSON document into maps, lists, strings, BigDecimals, booleans and nulls. */
  public static Object parse(byte[] bytes) {
    try (JsonReader r = JsonReader.of(new Buffer().write(bytes))) {
      Object v = read(r);
      if (r.peek() != JsonReader.Token.END_DOCUMENT) throw malformed("unexpected data after the JSON value");
      return v;
    } catch (JsonEncodingException | JsonDataException e) {
      throw malformed(e.getMessage());
    } catch (IOException e) {
      throw malformed("unreadable body");
    }
  }

  private static Object read(JsonReader r) throws IOException {
    switch (r.peek()) {
      case BEGIN_OBJECT: {
        Map<String, Object> m = new LinkedHashMap<>();
        r.beginObject();
        while (r.hasNext()) {
          String name = r.nextName();
          if (m.containsKey(name)) throw malformed("duplicate key '" + name + "'");
          m.put(name, read(r));
        }
        r.endObject();
        return m;
      }
      case BEGIN_ARRAY: {
        List<Object> l = new ArrayList<>();
        r.beginArray();
        while (r.hasNext()) l.add(read(r));
        r.endArray();
        return l;
      }
      case STRING:
        return r.nextString();
      case NUMBER:
        try {
          return new BigDecimal(r.nextString());
        } catch (NumberFormatException e) {
          throw malformed("bad number");
        }
      case BOOLEAN:
        return r.nextBoolean();
      case NULL:
        return r.nextNull();
      default:
        throw malformed("unexpected " + r.peek());
    }
  }

  private static GenRtlException malformed(String detail) {
    return new GenRtlException(ErrorCode.MALFORMED_JSON, "the request body is not valid JSON: " + detail);
  }

  /** Writes decimals as plain JSON numbers (never exponent notation). */
  static final class BigDecimalAdapter extends JsonAdapter<BigDecimal> {
    @Override
    public BigDecimal fromJson(JsonReader reader) throws IOException {
      return new BigDecimal(reader.nextString());
    }

    @Override
    public void toJson(JsonWriter writer, BigDecimal value) throws IOException {
      String plain = value.toPlainString();
      writer.jsonValue(new PlainNumber(plain));
    }
  }

  /** A number whose text is written verbatim. */
  static final class PlainNumber extends Number {
    private static final long serialVersionUID = 1L;
    private final String text;

    PlainNumber(String text) {
      this.text = text;
    }

    @Override
    public String toString() {
      return text;
    }

    @Override
    public int intValue() {
      return new BigDecimal(text).intValue();
    }

    @Override
    public long longValue() {
      return new BigDecimal(text).longValue();
    }

    @Override
    public float floatValue() {
      return new BigDecimal(text).floatValue();
    }

    @Override
    public double doubleValue() {
      return new BigDecimal(text).doubleValue();
    }
  }
}
