package io.genrtl.payments.internal;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.genrtl.payments.MalformedEventException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** Null-safe reading of provider JSON (Gson trees). Not API. */
public final class Json {
  private Json() {}

  public static JsonObject parseObject(byte[] raw) {
    try {
      JsonElement e = JsonParser.parseString(new String(raw, StandardCharsets.UTF_8));
      if (!e.isJsonObject()) throw new MalformedEventException("event body is not a JSON object");
      return e.getAsJsonObject();
    } catch (RuntimeException e) {
      if (e instanceof MalformedEventException m) throw m;
      throw new MalformedEventException("event body is not valid JSON", e);
    }
  }

  public static JsonObject obj(JsonObject o, String name) {
    if (o == null) return null;
    JsonElement e = o.get(name);
    return e != null && e.isJsonObject() ? e.getAsJsonObject() : null;
  }

  /** The first element of an array field's objects, or null. */
  public static JsonObject first(JsonObject o, String name) {
    if (o == null) return null;
    JsonElement e = o.get(name);
    if (e == null || !e.isJsonArray() || e.getAsJsonArray().isEmpty()) return null;
    JsonElement f = e.getAsJsonArray().get(0);
    return f.isJsonObject() ? f.getAsJsonObject() : null;
  }

  public static String str(JsonObject o, String name) {
    if (o == null) return null;
    JsonElement e = o.get(name);
    return e != null && e.isJsonPrimitive() ? e.getAsString() : null;
  }

  /** A string field, or the {@code id} of the object expanded in its place. */
  public static String idOf(JsonObject o, String name) {
    if (o == null) return null;
    JsonElement e = o.get(name);
    if (e == null || e.isJsonNull()) return null;
    if (e.isJsonPrimitive()) return e.getAsString();
    if (e.isJsonObject()) return str(e.getAsJsonObject(), "id");
    return null;
  }

  public static Long num(JsonObject o, String name) {
    if (o == null) return null;
    JsonElement e = o.get(name);
    if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) return null;
    return e.getAsLong();
  }

  public static boolean bool(JsonObject o, String name) {
    if (o == null) return false;
    JsonElement e = o.get(name);
    return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isBoolean() && e.getAsBoolean();
  }

  /** Epoch millis from unix seconds (Stripe), epoch millis, or an RFC 3339 string (Creem); null when absent. */
  public static Long millis(JsonObject o, String name) {
    if (o == null) return null;
    JsonElement e = o.get(name);
    if (e == null || !e.isJsonPrimitive()) return null;
    if (e.getAsJsonPrimitive().isNumber()) {
      long v = e.getAsLong();
      return v < 100_000_000_000L ? v * 1000 : v;
    }
    try {
      return OffsetDateTime.parse(e.getAsString()).toInstant().toEpochMilli();
    } catch (DateTimeParseException x) {
      return null;
    }
  }

  /** Micro-USD from an amount in cents when the currency is USD (any case), otherwise null. */
  public static Long usdCentsToMicros(Long cents, String currency) {
    if (cents == null || currency == null || !currency.equalsIgnoreCase("usd")) return null;
    return Math.multiplyExact(cents, 10_000L);
  }
}
