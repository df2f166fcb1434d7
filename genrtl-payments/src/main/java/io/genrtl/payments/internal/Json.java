package io.genrtl.payments.internal;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import io.genrtl.payments.MalformedEventException;
import io.genrtl.payments.MalformedEventException.Problem;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Strict parsing of provider JSON into Gson trees, and lenient reading of API answers. Not API. */
public final class Json {
  private static final com.google.gson.TypeAdapter<JsonElement> TREE = new Gson().getAdapter(JsonElement.class);

  private Json() {}

  /**
   * The body as a JSON object: strict UTF-8 (malformed bytes are refused, not replaced), strict JSON (no comments,
   * unquoted names, NaN or trailing data). The tree is built without recursion, so deep nesting is only a size.
   */
  public static JsonObject parseObject(byte[] raw) {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw)).toString();
    } catch (CharacterCodingException e) {
      throw new MalformedEventException("$", Problem.NOT_JSON, "the event body is not valid UTF-8");
    }
    JsonElement e;
    try {
      JsonReader reader = new JsonReader(new StringReader(text));
      reader.setLenient(false);
      e = TREE.read(reader);
      if (reader.peek() != JsonToken.END_DOCUMENT) throw new IOException("data after the JSON value");
    } catch (IOException | RuntimeException x) {
      throw new MalformedEventException("$", Problem.NOT_JSON, "the event body is not valid JSON");
    }
    if (e == null || !e.isJsonObject()) {
      throw new MalformedEventException("$", Problem.NOT_JSON, "the event body is not a JSON object");
    }
    return e.getAsJsonObject();
  }

  /** A string (or other primitive, as text) field of an API answer, or null. */
  public static String str(JsonObject o, String name) {
    if (o == null) return null;
    JsonElement e = o.get(name);
    return e != null && e.isJsonPrimitive() ? e.getAsString() : null;
  }
}
