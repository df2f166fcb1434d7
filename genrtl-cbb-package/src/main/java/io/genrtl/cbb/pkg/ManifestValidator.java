package io.genrtl.cbb.pkg;

import io.genrtl.core.cbb.CbbManifest;
import io.genrtl.core.internal.JsonTree;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Validates {@code manifest.json} by hand (the JSON Schema in {@code docs/cbb-manifest.schema.json} says the same
 * and is tested to agree). The JSON is read strictly by the core's {@link JsonTree} into a tree: numbers stay exact
 * ({@link BigDecimal}), duplicate keys, trailing data and nesting deeper than 255 are refused.
 */
final class ManifestValidator {
  static final int MAX_BYTES = 256 * 1024;
  static final BigDecimal MAX_PRICE_USD = new BigDecimal(1_000_000);

  private static final Pattern ID = Pattern.compile(CbbManifest.ID_PATTERN);
  /** Semantic Versioning 2.0.0, exactly (no leading zeros, no "v", no missing parts). */
  static final Pattern SEMVER = Pattern.compile("(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)"
      + "(?:-((?:0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*)(?:\\.(?:0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
      + "(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?");
  /** An SPDX licence id (or LicenseRef-…), possibly joined with AND / OR / WITH. */
  static final Pattern LICENSE = Pattern.compile("[A-Za-z0-9.+-]+(?: (?:AND|OR|WITH) [A-Za-z0-9.+-]+)*");
  /** A plain SystemVerilog identifier, as a top module name must be. */
  static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*");

  private static final Set<String> FIELDS = Set.of("id", "version", "name", "description", "tags", "entrypoints",
      "compat", "price_usd", "license", "interfaces", "parameters");
  private static final Set<String> ENTRYPOINTS = Set.of("rtl_top", "tb_top", "filelist_rtl", "filelist_tb");
  private static final Set<String> COMPAT = Set.of("sv", "simulators");

  private ManifestValidator() {}

  /** The validated manifest; its {@code json} is the text exactly as found. */
  static CbbManifest validate(byte[] bytes) {
    if (bytes.length > MAX_BYTES) throw Reasons.manifest("$", "larger than " + MAX_BYTES + " bytes");
    String text = Utf8.decode(bytes);
    if (text == null) throw Reasons.manifest("$", "not valid UTF-8");
    Object tree = parse(bytes);
    if (!(tree instanceof Map)) throw Reasons.manifest("$", "must be a JSON object");
    @SuppressWarnings("unchecked")
    Map<String, Object> m = (Map<String, Object>) tree;

    String id = string(m, "id", "id");
    if (!ID.matcher(id).matches()) throw Reasons.manifest("id", "id must match " + CbbManifest.ID_PATTERN);
    String version = string(m, "version", "version");
    if (!SEMVER.matcher(version).matches()) {
      throw Reasons.manifest("version", "version must be a semantic version MAJOR.MINOR.PATCH[-prerelease][+build]");
    }
    String name = string(m, "name", "name");
    String description = string(m, "description", "description");
    List<String> tags = strings(m, "tags", "tags", false);

    Map<String, Object> ep = object(m, "entrypoints", "entrypoints", ENTRYPOINTS);
    String rtlTop = identifier(ep, "rtl_top", "entrypoints.rtl_top");
    String tbTop = identifier(ep, "tb_top", "entrypoints.tb_top");
    String flRtl = path(ep, "filelist_rtl", "entrypoints.filelist_rtl");
    String flTb = path(ep, "filelist_tb", "entrypoints.filelist_tb");

    Map<String, Object> compat = object(m, "compat", "compat", COMPAT);
    String sv = string(compat, "sv", "compat.sv");
    List<String> simulators = strings(compat, "simulators", "compat.simulators", true);

    long priceMicros = price(m.get("price_usd"));
    String license = string(m, "license", "license");
    if (!LICENSE.matcher(license).matches()) {
      throw Reasons.manifest("license", "license must be an SPDX identifier or expression (e.g. Apache-2.0, MIT OR"
          + " Apache-2.0)");
    }
    arrayOfObjects(m, "interfaces");
    arrayOfObjects(m, "parameters");
    for (String key : m.keySet()) {
      if (!FIELDS.contains(key)) throw Reasons.manifest(key, "unknown field " + key);
    }
    return new CbbManifest(id, version, name, description, tags,
        new CbbManifest.Entrypoints(rtlTop, tbTop, flRtl, flTb), new CbbManifest.Compat(sv, simulators),
        priceMicros, license, text);
  }

  private static String string(Map<String, Object> m, String key, String field) {
    Object v = m.get(key);
    if (v == null) throw Reasons.manifest(field, field + (m.containsKey(key) ? " must not be null" : " is required"));
    if (!(v instanceof String) || ((String) v).isEmpty()) throw Reasons.manifest(field, field + " must be a non-empty string");
    return (String) v;
  }

  private static String identifier(Map<String, Object> m, String key, String field) {
    String s = string(m, key, field);
    if (!IDENTIFIER.matcher(s).matches()) throw Reasons.manifest(field, field + " must be a SystemVerilog identifier");
    return s;
  }

  private static String path(Map<String, Object> m, String key, String field) {
    String s = string(m, key, field);
    if (PathRules.problem(s, false) != null) {
      throw Reasons.manifest(field, field + " must be a relative path inside the package (no leading / or ./, no"
          + " .., no backslash)");
    }
    return s;
  }

  private static List<String> strings(Map<String, Object> m, String key, String field, boolean nonEmpty) {
    Object v = m.get(key);
    if (v == null) throw Reasons.manifest(field, field + (m.containsKey(key) ? " must not be null" : " is required"));
    if (!(v instanceof List)) throw Reasons.manifest(field, field + " must be an array of strings");
    List<?> l = (List<?>) v;
    if (nonEmpty && l.isEmpty()) throw Reasons.manifest(field, field + " must not be empty");
    List<String> out = new ArrayList<>();
    for (int i = 0; i < l.size(); i++) {
      Object o = l.get(i);
      if (!(o instanceof String) || ((String) o).isEmpty()) {
        throw Reasons.manifest(field + "[" + i + "]", field + " must only hold non-empty strings");
      }
      out.add((String) o);
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> object(Map<String, Object> m, String key, String field, Set<String> allowed) {
    Object v = m.get(key);
    if (v == null) throw Reasons.manifest(field, field + (m.containsKey(key) ? " must not be null" : " is required"));
    if (!(v instanceof Map)) throw Reasons.manifest(field, field + " must be an object");
    Map<String, Object> o = (Map<String, Object>) v;
    for (String k : allowed) {
      if (!o.containsKey(k)) throw Reasons.manifest(field + "." + k, field + "." + k + " is required");
    }
    for (String k : o.keySet()) {
      if (!allowed.contains(k)) throw Reasons.manifest(field + "." + k, "unknown field " + field + "." + k);
    }
    return o;
  }

  private static void arrayOfObjects(Map<String, Object> m, String key) {
    if (!m.containsKey(key)) return;
    Object v = m.get(key);
    if (!(v instanceof List)) throw Reasons.manifest(key, key + " must be an array of objects");
    List<?> l = (List<?>) v;
    for (int i = 0; i < l.size(); i++) {
      if (!(l.get(i) instanceof Map)) throw Reasons.manifest(key + "[" + i + "]", key + " must only hold objects");
    }
  }

  /** USD with at most 6 decimals, 0 to {@link #MAX_PRICE_USD}, as micro-USD. */
  static long price(Object v) {
    if (v == null) throw Reasons.manifest("price_usd", "price_usd is required (a number, 0 for free)");
    if (!(v instanceof BigDecimal)) throw Reasons.manifest("price_usd", "price_usd must be a number");
    BigDecimal p = (BigDecimal) v;
    if (p.signum() < 0 || p.compareTo(MAX_PRICE_USD) > 0) {
      throw Reasons.manifest("price_usd", "price_usd must be between 0 and " + MAX_PRICE_USD);
    }
    if (p.stripTrailingZeros().scale() > 6) throw Reasons.manifest("price_usd", "price_usd has more than 6 decimals");
    return p.movePointRight(6).longValueExact();
  }

  /**
   * A complete JSON document as maps, lists, strings, BigDecimals, booleans and nulls, read strictly by the core's
   * {@link JsonTree}; a syntax error (field {@code $}, a duplicate key: its path) says what and where in our words,
   * never a parser library's.
   */
  static Object parse(byte[] bytes) {
    try {
      return JsonTree.parse(bytes);
    } catch (JsonTree.SyntaxException e) {
      throw Reasons.manifest(e.duplicateKey() ? e.field() : "$", "not valid JSON: " + e.getMessage());
    }
  }
}
