package io.genrtl.host.http;

import com.squareup.moshi.JsonAdapter;
import com.squareup.moshi.JsonReader;
import com.squareup.moshi.JsonWriter;
import com.squareup.moshi.Moshi;
import io.genrtl.core.base.ErrorCode;
import io.genrtl.core.base.GenRtlException;
import io.genrtl.core.internal.JsonTree;
import io.javalin.json.JsonMapper;
import java.io.IOException;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * JSON on the wire. Responses are plain maps and lists built by the routes (snake_case keys, nulls written), written
 * with Moshi; requests are read by the core's strict {@link JsonTree} into a tree where numbers stay exact
 * ({@link BigDecimal}), duplicate keys and trailing data are refused.
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

  /**
   * Parses a complete JSON document into maps, lists, strings, BigDecimals, booleans and nulls, strictly
   * ({@link JsonTree}); not JSON is 400 {@code malformed_json} with what is wrong and where ({@code line},
   * {@code column}) in our own words.
   */
  public static Object parse(byte[] bytes) {
    try {
      return JsonTree.parse(bytes);
    } catch (JsonTree.SyntaxException e) {
      Map<String, Object> where = new LinkedHashMap<>();
      where.put("line", e.line());
      where.put("column", e.column());
      throw new GenRtlException(ErrorCode.MALFORMED_JSON, "the request body is not valid JSON: " + e.getMessage(), where);
    }
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
