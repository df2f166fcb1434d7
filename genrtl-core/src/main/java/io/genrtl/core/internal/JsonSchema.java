package io.genrtl.core.internal;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A JSON Schema (draft 2020-12) validator for the subset genRTL's own schemas use: {@code type} (one or a list),
 * {@code properties}, {@code required}, {@code additionalProperties} (boolean or schema), {@code items},
 * {@code enum}, {@code const}, {@code minimum}, {@code maximum}, {@code exclusiveMinimum}, {@code exclusiveMaximum},
 * {@code multipleOf}, {@code minLength}, {@code maxLength}, {@code pattern}, {@code minItems}, {@code maxItems},
 * {@code uniqueItems}, {@code allOf}, {@code anyOf}, {@code oneOf}, {@code not} and local {@code $ref}s into
 * {@code $defs}. A schema using any other keyword is refused when it is loaded, so no constraint is ever silently
 * ignored. Instances are trees from {@link JsonTree}. Not API.
 */
public final class JsonSchema {
  private static final Set<String> ANNOTATIONS = Set.of("$schema", "$id", "$comment", "title", "description", "default",
      "examples", "$defs", "definitions", "deprecated", "readOnly", "writeOnly");
  private static final Set<String> KEYWORDS = Set.of("type", "properties", "required", "additionalProperties", "items",
      "enum", "const", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength",
      "maxLength", "pattern", "minItems", "maxItems", "uniqueItems", "allOf", "anyOf", "oneOf", "not", "$ref");
  private static final Set<String> TYPES = Set.of("object", "array", "string", "number", "integer", "boolean", "null");

  private final Map<String, Object> root;
  private final Map<String, Pattern> patterns = new java.util.concurrent.ConcurrentHashMap<>();

  private JsonSchema(Map<String, Object> root) {
    this.root = root;
  }

  /** Loads a schema document; refuses keywords this validator does not implement. */
  public static JsonSchema load(String schemaJson) {
    JsonSchema s = new JsonSchema(JsonTree.parseObject(schemaJson));
    s.check(s.root, "#");
    return s;
  }

  /** The problems of {@code instance}, each as {@code <JSON pointer>: <what is wrong>}; empty when it is valid. */
  public List<String> validate(Object instance) {
    List<String> out = new ArrayList<>();
    validate(root, instance, "$", out);
    return out;
  }

  // ------------------------------------------------------------------------------------------------ loading

  @SuppressWarnings("unchecked")
  private void check(Object schema, String at) {
    if (schema instanceof Boolean) return;
    if (!(schema instanceof Map)) throw new IllegalArgumentException(at + ": a schema must be an object or a boolean");
    Map<String, Object> m = (Map<String, Object>) schema;
    for (Map.Entry<String, Object> e : m.entrySet()) {
      String k = e.getKey();
      if (ANNOTATIONS.contains(k)) continue;
      if (!KEYWORDS.contains(k)) throw new IllegalArgumentException(at + ": unsupported schema keyword " + k);
      Object v = e.getValue();
      switch (k) {
        case "type" -> {
          for (Object t : v instanceof List<?> l ? l : List.of(v)) {
            if (!TYPES.contains(t)) throw new IllegalArgumentException(at + ": unknown type " + t);
          }
        }
        case "properties" -> ((Map<String, Object>) v).forEach((name, sub) -> check(sub, at + "/properties/" + name));
        case "additionalProperties", "items", "not" -> check(v, at + "/" + k);
        case "allOf", "anyOf", "oneOf" -> {
          int i = 0;
          for (Object sub : (List<Object>) v) check(sub, at + "/" + k + "/" + i++);
        }
        case "pattern" -> pattern((String) v);
        case "$ref" -> resolve((String) v, at);
        default -> { }
      }
    }
    for (String defs : List.of("$defs", "definitions")) {
      Object d = m.get(defs);
      if (d instanceof Map<?, ?> dm) dm.forEach((name, sub) -> check(sub, at + "/" + defs + "/" + name));
    }
  }

  @SuppressWarnings("unchecked")
  private Object resolve(String ref, String at) {
    if (!ref.startsWith("#/")) throw new IllegalArgumentException(at + ": only local $refs are supported: " + ref);
    Object cur = root;
    for (String part : ref.substring(2).split("/")) {
      String p = part.replace("~1", "/").replace("~0", "~");
      if (!(cur instanceof Map) || !((Map<String, Object>) cur).containsKey(p)) {
        throw new IllegalArgumentException(at + ": $ref " + ref + " does not resolve");
      }
      cur = ((Map<String, Object>) cur).get(p);
    }
    return cur;
  }

  private Pattern pattern(String regex) {
    return patterns.computeIfAbsent(regex, Pattern::compile);
  }

  // ------------------------------------------------------------------------------------------------ validating

  @SuppressWarnings("unchecked")
  private void validate(Object schema, Object v, String at, List<String> out) {
    if (Boolean.TRUE.equals(schema)) return;
    if (Boolean.FALSE.equals(schema)) {
      out.add(at + ": is not allowed here");
      return;
    }
    Map<String, Object> s = (Map<String, Object>) schema;
    if (s.containsKey("$ref")) validate(resolve((String) s.get("$ref"), at), v, at, out);
    Object type = s.get("type");
    if (type != null) {
      List<?> types = type instanceof List<?> l ? l : List.of(type);
      boolean any = false;
      for (Object t : types) any |= is((String) t, v);
      if (!any) {
        out.add(at + ": must be " + (types.size() == 1 ? types.get(0) : "one of " + types) + ", found " + typeOf(v));
        return; // the other keywords would only repeat the type error
      }
    }
    if (s.containsKey("enum") && !((List<Object>) s.get("enum")).stream().anyMatch(e -> same(e, v))) {
      out.add(at + ": must be one of " + s.get("enum"));
    }
    if (s.containsKey("const") && !same(s.get("const"), v)) out.add(at + ": must be " + s.get("const"));
    if (v instanceof BigDecimal n) number(s, n, at, out);
    if (v instanceof String str) string(s, str, at, out);
    if (v instanceof List<?> l) array(s, (List<Object>) l, at, out);
    if (v instanceof Map<?, ?> m) object(s, (Map<String, Object>) m, at, out);
    combinators(s, v, at, out);
  }

  private void number(Map<String, Object> s, BigDecimal n, String at, List<String> out) {
    BigDecimal min = num(s.get("minimum"));
    if (min != null && n.compareTo(min) < 0) out.add(at + ": must be at least " + min.toPlainString());
    BigDecimal max = num(s.get("maximum"));
    if (max != null && n.compareTo(max) > 0) out.add(at + ": must be at most " + max.toPlainString());
    BigDecimal xmin = num(s.get("exclusiveMinimum"));
    if (xmin != null && n.compareTo(xmin) <= 0) out.add(at + ": must be greater than " + xmin.toPlainString());
    BigDecimal xmax = num(s.get("exclusiveMaximum"));
    if (xmax != null && n.compareTo(xmax) >= 0) out.add(at + ": must be less than " + xmax.toPlainString());
    BigDecimal mult = num(s.get("multipleOf"));
    if (mult != null && mult.signum() > 0 && n.remainder(mult).signum() != 0) {
      out.add(at + ": must be a multiple of " + mult.toPlainString());
    }
  }

  private void string(Map<String, Object> s, String str, String at, List<String> out) {
    int length = str.codePointCount(0, str.length());
    BigDecimal min = num(s.get("minLength"));
    if (min != null && length < min.intValue()) out.add(at + ": must be at least " + min + " characters long");
    BigDecimal max = num(s.get("maxLength"));
    if (max != null && length > max.intValue()) out.add(at + ": must be at most " + max + " characters long");
    Object p = s.get("pattern");
    if (p != null && !pattern((String) p).matcher(str).find()) out.add(at + ": must match the pattern " + p);
  }

  private void array(Map<String, Object> s, List<Object> l, String at, List<String> out) {
    BigDecimal min = num(s.get("minItems"));
    if (min != null && l.size() < min.intValue()) out.add(at + ": must have at least " + min + " items");
    BigDecimal max = num(s.get("maxItems"));
    if (max != null && l.size() > max.intValue()) out.add(at + ": must have at most " + max + " items");
    if (Boolean.TRUE.equals(s.get("uniqueItems"))) {
      for (int i = 0; i < l.size(); i++) {
        for (int j = i + 1; j < l.size(); j++) {
          if (same(l.get(i), l.get(j))) {
            out.add(at + ": items " + i + " and " + j + " are equal, and items must be unique");
            break;
          }
        }
      }
    }
    Object items = s.get("items");
    if (items != null) for (int i = 0; i < l.size(); i++) validate(items, l.get(i), at + "[" + i + "]", out);
  }

  @SuppressWarnings("unchecked")
  private void object(Map<String, Object> s, Map<String, Object> m, String at, List<String> out) {
    Object req = s.get("required");
    if (req != null) {
      for (Object name : (List<Object>) req) {
        if (!m.containsKey((String) name)) out.add(at + "." + name + ": is required");
      }
    }
    Map<String, Object> props = (Map<String, Object>) s.getOrDefault("properties", Map.of());
    Object additional = s.get("additionalProperties");
    for (Map.Entry<String, Object> e : m.entrySet()) {
      String where = at + "." + e.getKey();
      if (props.containsKey(e.getKey())) {
        validate(props.get(e.getKey()), e.getValue(), where, out);
      } else if (Boolean.FALSE.equals(additional)) {
        out.add(where + ": is not a known property");
      } else if (additional instanceof Map) {
        validate(additional, e.getValue(), where, out);
      }
    }
  }

  @SuppressWarnings("unchecked")
  private void combinators(Map<String, Object> s, Object v, String at, List<String> out) {
    Object all = s.get("allOf");
    if (all != null) for (Object sub : (List<Object>) all) validate(sub, v, at, out);
    Object any = s.get("anyOf");
    if (any != null && ((List<Object>) any).stream().noneMatch(sub -> valid(sub, v, at))) {
      out.add(at + ": matches none of the allowed forms (anyOf)");
    }
    Object one = s.get("oneOf");
    if (one != null) {
      long n = ((List<Object>) one).stream().filter(sub -> valid(sub, v, at)).count();
      if (n != 1) out.add(at + ": must match exactly one of the allowed forms (oneOf), matches " + n);
    }
    Object not = s.get("not");
    if (not != null && valid(not, v, at)) out.add(at + ": matches a form that is not allowed (not)");
  }

  private boolean valid(Object schema, Object v, String at) {
    List<String> probe = new ArrayList<>();
    validate(schema, v, at, probe);
    return probe.isEmpty();
  }

  // ------------------------------------------------------------------------------------------------ helpers

  private static boolean is(String type, Object v) {
    return switch (type) {
      case "object" -> v instanceof Map;
      case "array" -> v instanceof List;
      case "string" -> v instanceof String;
      case "number" -> v instanceof BigDecimal;
      case "integer" -> v instanceof BigDecimal n && isIntegral(n);
      case "boolean" -> v instanceof Boolean;
      case "null" -> v == null;
      default -> false;
    };
  }

  private static boolean isIntegral(BigDecimal n) {
    return n.signum() == 0 || n.stripTrailingZeros().scale() <= 0;
  }

  private static String typeOf(Object v) {
    if (v == null) return "null";
    if (v instanceof Map) return "object";
    if (v instanceof List) return "array";
    if (v instanceof String) return "string";
    if (v instanceof Boolean) return "boolean";
    if (v instanceof BigDecimal n) return isIntegral(n) ? "integer" : "number";
    return v.getClass().getSimpleName();
  }

  private static BigDecimal num(Object o) {
    return o instanceof BigDecimal b ? b : null;
  }

  /** JSON equality: numbers by value, objects regardless of member order. */
  private static boolean same(Object a, Object b) {
    if (a instanceof BigDecimal x && b instanceof BigDecimal y) return x.compareTo(y) == 0;
    if (a instanceof List<?> la && b instanceof List<?> lb) {
      if (la.size() != lb.size()) return false;
      for (int i = 0; i < la.size(); i++) if (!same(la.get(i), lb.get(i))) return false;
      return true;
    }
    if (a instanceof Map<?, ?> ma && b instanceof Map<?, ?> mb) {
      if (!new HashSet<>(ma.keySet()).equals(new HashSet<>(mb.keySet()))) return false;
      for (Object k : ma.keySet()) if (!same(ma.get(k), mb.get(k))) return false;
      return true;
    }
    return java.util.Objects.equals(a, b);
  }
}
