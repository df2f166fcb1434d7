package io.genrtl.host.http;

import io.genrtl.core.base.ErrorCode;
import io.genrtl.core.base.GenRtlException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * A JSON request object with typed, validating accessors. A {@code null} value counts as absent. A value of the
 * wrong type is a 400 {@code validation_failed} naming the field.
 */
public final class JsonBody {
  private final Map<String, Object> fields;

  private JsonBody(Map<String, Object> fields) {
    this.fields = fields;
  }

  @SuppressWarnings("unchecked")
  public static JsonBody of(Object parsed) {
    if (!(parsed instanceof Map)) {
      throw new GenRtlException(ErrorCode.VALIDATION_FAILED, "the request body must be a JSON object", Map.of("field", "$"));
    }
    return new JsonBody((Map<String, Object>) parsed);
  }

  public static JsonBody empty() {
    return new JsonBody(Map.of());
  }

  /** The whole body written back as JSON (what a route hands to the library as it is). */
  public String json() {
    return Json.write(fields);
  }

  /** The field's JSON value as parsed (maps, lists, strings, BigDecimals, booleans), or null. */
  public Object raw(String field) {
    return fields.get(field);
  }

  public boolean has(String field) {
    return fields.get(field) != null;
  }

  /** Whether the body names the field at all, {@code null} included. */
  public boolean present(String field) {
    return fields.containsKey(field);
  }

  public Optional<String> optString(String field, int maxLength) {
    Object v = fields.get(field);
    if (v == null) return Optional.empty();
    if (!(v instanceof String s)) throw GenRtlException.invalid(field, field + " must be a string");
    if (s.length() > maxLength) throw GenRtlException.invalid(field, field + " must be at most " + maxLength + " characters");
    return Optional.of(s);
  }

  public String string(String field, int maxLength) {
    return optString(field, maxLength).orElseThrow(() -> GenRtlException.invalid(field, field + " is required"));
  }

  public Optional<BigDecimal> optNumber(String field) {
    Object v = fields.get(field);
    if (v == null) return Optional.empty();
    if (!(v instanceof BigDecimal n)) throw GenRtlException.invalid(field, field + " must be a number");
    return Optional.of(n);
  }

  public Optional<Boolean> optBoolean(String field) {
    Object v = fields.get(field);
    if (v == null) return Optional.empty();
    if (!(v instanceof Boolean b)) throw GenRtlException.invalid(field, field + " must be true or false");
    return Optional.of(b);
  }

  /** A JSON array (null or absent: empty), at most {@code maxItems} long. */
  @SuppressWarnings("unchecked")
  public java.util.List<Object> optList(String field, int maxItems) {
    Object v = fields.get(field);
    if (v == null) return java.util.List.of();
    if (!(v instanceof java.util.List<?> l)) throw GenRtlException.invalid(field, field + " must be an array");
    if (l.size() > maxItems) throw GenRtlException.invalid(field, field + " must have at most " + maxItems + " entries");
    return (java.util.List<Object>) l;
  }

  /** Element {@code i} of an array field, as an object. */
  public static JsonBody element(String field, int i, Object value) {
    if (!(value instanceof Map)) throw GenRtlException.invalid(field + "[" + i + "]", field + "[" + i + "] must be an object");
    return of(value);
  }

  /** A JSON array of strings (null or absent: null). */
  public java.util.List<String> optStrings(String field, int maxItems, int maxLength) {
    if (fields.get(field) == null) return null;
    java.util.List<String> out = new java.util.ArrayList<>();
    for (Object o : optList(field, maxItems)) {
      if (!(o instanceof String s) || s.length() > maxLength) {
        throw GenRtlException.invalid(field, field + " must be an array of strings of at most " + maxLength + " characters");
      }
      out.add(s);
    }
    return out;
  }

  /** An RFC 3339 timestamp with an offset, e.g. {@code 2026-01-31T12:00:00Z}, within {@link Times#RANGE}. */
  public Optional<Instant> optTime(String field) {
    return optString(field, 64).map(s -> Times.timestamp(field, s));
  }
}
