package io.genrtl.payments.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import io.genrtl.core.billing.BillingEvent;
import io.genrtl.payments.MalformedEventException;
import io.genrtl.payments.MalformedEventException.Problem;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One JSON object of a provider event (possibly absent), read field by field with typed failures: every accessor
 * either returns a value that satisfies its rule, null for an optional field that is absent or JSON {@code null}, or
 * throws a {@link MalformedEventException} naming the field's path. Nothing is coerced: a number is not an id, a
 * string is not an amount, a fraction is not a count. Not API.
 *
 * <ul>
 *   <li>ids ({@link #id}, {@link #idOf}): 1–255 characters of {@code [A-Za-z0-9_.:-]}, starting with a letter or
 *       digit (provider ids, our ULIDs and pack ids; no NUL, no space, no slash)</li>
 *   <li>tokens ({@link #token}: types, statuses, modes, currencies): 1–100 characters of {@code [A-Za-z0-9_.-]}</li>
 *   <li>amounts ({@link #cents}): whole cents, 0 ≤ x ≤ 100,000,000 ($1,000,000, {@link BillingEvent#MAX_AMOUNT_MICROS})</li>
 *   <li>times ({@link #millis}): unix seconds or epoch milliseconds (numbers below 10^11 are seconds) or an RFC 3339
 *       string, from 2000-01-01 to before 2200-01-01 ({@link BillingEvent#saneTime})</li>
 * </ul>
 */
public final class Node {
  public static final long MAX_CENTS = BillingEvent.MAX_AMOUNT_MICROS / 10_000;
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,254}");
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,99}");
  private static final BigDecimal SECONDS_BELOW = BigDecimal.valueOf(100_000_000_000L);
  private static final BigDecimal THOUSAND = BigDecimal.valueOf(1000);
  private static final BigDecimal MIN_TIME = BigDecimal.valueOf(BillingEvent.MIN_TIME_MILLIS);
  private static final BigDecimal MAX_TIME = BigDecimal.valueOf(BillingEvent.MAX_TIME_MILLIS);

  private final JsonObject o;
  private final String path;

  private Node(JsonObject o, String path) {
    this.o = o;
    this.path = path;
  }

  /** The body's root object (strictly parsed, see {@link Json#parseObject}). */
  public static Node root(byte[] raw) {
    return new Node(Json.parseObject(raw), "");
  }

  /** An object read elsewhere (an API answer), its fields named from {@code path} ("" for the root). */
  public static Node of(JsonObject o, String path) {
    return new Node(o, path);
  }

  /** Whether the object is there (an absent optional object reads as absent fields). */
  public boolean present() {
    return o != null;
  }

  /** The JSON path of a field of this object. */
  public String path(String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  public MalformedEventException fail(String name, Problem problem, String rule) {
    String p = path(name);
    return new MalformedEventException(p, problem, p + " " + rule);
  }

  private JsonElement get(String name) {
    if (o == null) return null;
    JsonElement e = o.get(name);
    return e == null || e.isJsonNull() ? null : e;
  }

  /** An optional object field (absent or null: an absent node). */
  public Node obj(String name) {
    JsonElement e = get(name);
    if (e == null) return new Node(null, path(name));
    if (!e.isJsonObject()) throw fail(name, Problem.WRONG_TYPE, "must be an object");
    return new Node(e.getAsJsonObject(), path(name));
  }

  public Node requiredObj(String name) {
    Node n = obj(name);
    if (!n.present()) throw fail(name, Problem.MISSING, "is required");
    return n;
  }

  /** A field that is an id or the object expanded in its place: the object, else an absent node. */
  public Node expanded(String name) {
    JsonElement e = get(name);
    if (e != null && e.isJsonObject()) return new Node(e.getAsJsonObject(), path(name));
    idOf(name); // validates the id form (or refuses another type)
    return new Node(null, path(name));
  }

  /** An optional array of objects (absent or null: empty). */
  public List<Node> objects(String name) {
    JsonElement e = get(name);
    List<Node> out = new ArrayList<>();
    if (e == null) return out;
    if (!e.isJsonArray()) throw fail(name, Problem.WRONG_TYPE, "must be an array");
    JsonArray a = e.getAsJsonArray();
    for (int i = 0; i < a.size(); i++) {
      String item = name + "[" + i + "]";
      if (!a.get(i).isJsonObject()) throw fail(item, Problem.WRONG_TYPE, "must be an object");
      out.add(new Node(a.get(i).getAsJsonObject(), path(item)));
    }
    return out;
  }

  private String string(String name, Pattern rule, String what) {
    JsonElement e = get(name);
    if (e == null) return null;
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) throw fail(name, Problem.WRONG_TYPE, "must be a string");
    String s = e.getAsString();
    if (!rule.matcher(s).matches()) throw fail(name, Problem.INVALID_VALUE, "is not " + what);
    return s;
  }

  /** An optional id string. */
  public String id(String name) {
    return string(name, ID, "an id (1-255 of A-Z a-z 0-9 _ . : -)");
  }

  public String requiredId(String name) {
    String s = id(name);
    if (s == null) throw fail(name, Problem.MISSING, "is required");
    return s;
  }

  /** An optional id, given as a string or as the object expanded in its place (whose {@code id} is then required). */
  public String idOf(String name) {
    JsonElement e = get(name);
    if (e == null) return null;
    if (e.isJsonObject()) return new Node(e.getAsJsonObject(), path(name)).requiredId("id");
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
      throw fail(name, Problem.WRONG_TYPE, "must be an id or an object with an id");
    }
    return id(name);
  }

  /** An optional short token (event type, status, mode, currency). */
  public String token(String name) {
    return string(name, TOKEN, "a token (1-100 of A-Z a-z 0-9 _ . -)");
  }

  public String requiredToken(String name) {
    String s = token(name);
    if (s == null) throw fail(name, Problem.MISSING, "is required");
    return s;
  }

  /** An optional boolean (absent or null: false). */
  public boolean bool(String name) {
    JsonElement e = get(name);
    if (e == null) return false;
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) throw fail(name, Problem.WRONG_TYPE, "must be a boolean");
    return e.getAsBoolean();
  }

  private BigDecimal wholeNumber(String name) {
    JsonElement e = get(name);
    if (e == null) return null;
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) throw fail(name, Problem.WRONG_TYPE, "must be a number");
    BigDecimal v;
    try {
      v = new BigDecimal(((JsonPrimitive) e).getAsString());
    } catch (NumberFormatException x) { // an exponent beyond int: no amount, count or time
      throw fail(name, Problem.OUT_OF_RANGE, "is not a representable number");
    }
    // compareTo and signum look at the exponent first: 1e999999999 is cheap here
    if (v.signum() != 0 && v.stripTrailingZeros().scale() > 0) throw fail(name, Problem.WRONG_TYPE, "must be a whole number");
    return v;
  }

  /** An optional whole number in [{@code min}, {@code max}]. */
  public Long integer(String name, long min, long max) {
    BigDecimal v = wholeNumber(name);
    if (v == null) return null;
    if (v.compareTo(BigDecimal.valueOf(min)) < 0 || v.compareTo(BigDecimal.valueOf(max)) > 0) {
      throw fail(name, Problem.OUT_OF_RANGE, "must be from " + min + " to " + max);
    }
    return v.longValueExact();
  }

  /** An optional amount in whole cents, 0 to {@link #MAX_CENTS}. */
  public Long cents(String name) {
    BigDecimal v = wholeNumber(name);
    if (v == null) return null;
    if (v.signum() < 0 || v.compareTo(BigDecimal.valueOf(MAX_CENTS)) > 0) {
      throw fail(name, Problem.OUT_OF_RANGE, "must be an amount from 0 to " + MAX_CENTS + " cents ($1,000,000)");
    }
    return v.longValueExact();
  }

  /** An optional time as epoch milliseconds, within 2000-01-01 .. 2200-01-01 (exclusive). */
  public Long millis(String name) {
    JsonElement e = get(name);
    if (e == null) return null;
    BigDecimal ms;
    if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
      BigDecimal v = wholeNumber(name);
      ms = v.compareTo(SECONDS_BELOW) < 0 ? v.multiply(THOUSAND) : v;
    } else if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
      String s = e.getAsString();
      Instant t;
      try {
        if (s.length() > 64) throw new DateTimeException("too long");
        t = OffsetDateTime.parse(s).toInstant();
      } catch (DateTimeException x) {
        throw fail(name, Problem.INVALID_VALUE, "must be an RFC 3339 time");
      }
      if (t.isBefore(Instant.ofEpochMilli(BillingEvent.MIN_TIME_MILLIS)) || !t.isBefore(Instant.ofEpochMilli(BillingEvent.MAX_TIME_MILLIS))) {
        throw fail(name, Problem.OUT_OF_RANGE, "must be from 2000-01-01 to before 2200-01-01");
      }
      return t.toEpochMilli();
    } else {
      throw fail(name, Problem.WRONG_TYPE, "must be a time (unix seconds or an RFC 3339 string)");
    }
    if (ms.compareTo(MIN_TIME) < 0 || ms.compareTo(MAX_TIME) >= 0) {
      throw fail(name, Problem.OUT_OF_RANGE, "must be from 2000-01-01 to before 2200-01-01");
    }
    return ms.longValueExact();
  }

  /** Refuses a period whose end is not after its start (both known). */
  public void requireOrdered(String endName, Long start, Long end) {
    if (start != null && end != null && end <= start) throw fail(endName, Problem.OUT_OF_RANGE, "must be after the period's start");
  }

  /** Micro-USD from whole cents when the currency is USD (any case), otherwise null. */
  public static Long usdMicros(Long cents, String currency) {
    if (cents == null || currency == null || !currency.equalsIgnoreCase("usd")) return null;
    return cents * 10_000L; // cents ≤ MAX_CENTS: cannot overflow
  }
}
