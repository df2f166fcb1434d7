package io.genrtl.core.jobs;

import io.genrtl.core.base.ErrorCode;
import io.genrtl.core.base.GenRtlException;
import io.genrtl.core.internal.JsonText;
import io.genrtl.core.internal.JsonTree;
import io.genrtl.core.patch.PatchPolicy;
import io.genrtl.core.patch.SecretRedactor;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What {@link JobService#submit} does to an input before the job exists, by the handler's {@link JobInputPolicy}: the
 * "minimal upload" rules of implement and repair jobs, and the redaction of secrets (nothing secret is stored or sent
 * to a provider). Wrong types and counts are 400 {@code validation_failed} (with the field), sizes over a cap 413
 * {@code payload_too_large} (with the field and {@code max_bytes}). Unknown fields are ignored (lenient); known ones
 * are typed strictly. The caps are documented in the README.
 */
public final class JobUploads {
  public static final int MAX_FILES = 20;
  public static final int MAX_FILE_BYTES = 64 * 1024;
  public static final int MAX_FILES_FULL = 200;
  public static final int MAX_FILE_BYTES_FULL = 256 * 1024;
  public static final int MAX_FILES_TOTAL_BYTES_FULL = 2 * 1024 * 1024;
  public static final int MAX_EVIDENCE_BYTES = 256 * 1024;
  public static final int MAX_DIAGNOSTICS = 200;
  public static final int MAX_SNIPPETS = 50;
  public static final int MAX_PLAN_BYTES = 64 * 1024;
  public static final int MAX_CBBS = 50;
  public static final int MAX_CBBS_BYTES = 512 * 1024;
  public static final int MAX_READONLY_PATHS = 20;
  /** At most this many phases in an object {@code evidence.command} ({@code compile}, {@code run}, …). */
  public static final int MAX_COMMAND_PHASES = 8;
  /** The body cap of the HTTP routes that carry these uploads (files, evidence, plan and manifests, JSON-escaped). */
  public static final long MAX_BODY_BYTES = 3L * 1024 * 1024;

  private JobUploads() {}

  /** The input as it is stored: checked and normalised by {@code policy}, secrets redacted (except {@code AS_GIVEN}). */
  public static String prepare(JobInputPolicy policy, String input) {
    switch (policy) {
      case AS_GIVEN:
        return input;
      case REDACTED:
        return redacted(input);
      case IMPLEMENT_UPLOAD: {
        Map<String, Object> body = object(input);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("plan", plan(body, true));
        out.put("resolved_cbbs", cbbs(body));
        out.put("readonly_paths", readOnly(body));
        out.put("files", files(body));
        redact(out);
        return JsonText.write(out);
      }
      case REPAIR_UPLOAD: {
        Map<String, Object> body = object(input);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("plan", plan(body, false));
        out.put("evidence", evidence(body));
        out.put("readonly_paths", readOnly(body));
        out.put("files", files(body));
        redact(out);
        return JsonText.write(out);
      }
      default:
        throw new IllegalArgumentException("unknown input policy " + policy);
    }
  }

  /** JSON input with every secret in its strings replaced (unchanged text when there was none); other text redacted as text. */
  static String redacted(String input) {
    if (input == null) return null;
    Object tree;
    try {
      tree = JsonTree.parse(input);
    } catch (JsonTree.SyntaxException e) {
      return SecretRedactor.redact(input).text();
    }
    if (tree instanceof String s) {
      SecretRedactor.Result r = SecretRedactor.redact(s);
      return r.count() == 0 ? input : JsonText.quote(r.text());
    }
    return redact(tree) == 0 ? input : JsonText.write(tree);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> object(String input) {
    Object parsed;
    try {
      parsed = JsonTree.parse(input == null ? "" : input);
    } catch (JsonTree.SyntaxException e) {
      Map<String, Object> where = new LinkedHashMap<>();
      where.put("line", e.line());
      where.put("column", e.column());
      throw new GenRtlException(ErrorCode.MALFORMED_JSON, "the job input is not valid JSON: " + e.getMessage(), where);
    }
    if (!(parsed instanceof Map)) {
      throw new GenRtlException(ErrorCode.VALIDATION_FAILED, "the request body must be a JSON object", Map.of("field", "$"));
    }
    return (Map<String, Object>) parsed;
  }

  /** {@code plan}: an object (required for implement), at most {@value #MAX_PLAN_BYTES} bytes as JSON. */
  static Object plan(Map<String, Object> body, boolean required) {
    Object plan = body.get("plan");
    if (plan == null) {
      if (required) throw GenRtlException.invalid("plan", "plan is required (the plan job's result)");
      return null;
    }
    if (!(plan instanceof Map)) throw GenRtlException.invalid("plan", "plan must be an object");
    capJson("plan", plan, MAX_PLAN_BYTES);
    return plan;
  }

  /** {@code resolved_cbbs}: an array of manifest objects (absent: empty). */
  static List<Object> cbbs(Map<String, Object> body) {
    List<Object> list = optList(body, "resolved_cbbs", "resolved_cbbs", MAX_CBBS);
    for (int i = 0; i < list.size(); i++) {
      if (!(list.get(i) instanceof Map)) throw GenRtlException.invalid("resolved_cbbs[" + i + "]", "resolved_cbbs[" + i + "] must be an object");
    }
    capJson("resolved_cbbs", list, MAX_CBBS_BYTES);
    return list;
  }

  /**
   * {@code policy.readonly_paths} (or, as a stored input has it, {@code readonly_paths}): extra read-only prefixes;
   * {@code vendor/cbb/} is always read-only.
   */
  static List<String> readOnly(Map<String, Object> body) {
    List<String> out = new ArrayList<>(List.of(PatchPolicy.DEFAULT_READ_ONLY));
    Object raw;
    String field;
    Object policy = body.get("policy");
    if (policy != null) {
      if (!(policy instanceof Map<?, ?> pm)) throw GenRtlException.invalid("policy", "policy must be an object");
      raw = pm.get("readonly_paths");
      field = "policy.readonly_paths";
    } else {
      raw = body.get("readonly_paths");
      field = "readonly_paths";
    }
    if (raw == null) return out;
    if (!(raw instanceof List<?> l) || l.size() > MAX_READONLY_PATHS
        || !l.stream().allMatch(x -> x instanceof String str && str.length() <= 256)) {
      throw GenRtlException.invalid(field, field + " must be an array of at most " + MAX_READONLY_PATHS + " paths");
    }
    @SuppressWarnings("unchecked") List<String> paths = (List<String>) l;
    try {
      PatchPolicy built = PatchPolicy.builder(PatchPolicy.Mode.REPAIR).addReadOnlyPrefixes(paths).build();
      return new ArrayList<>(built.readOnlyPrefixes());
    } catch (IllegalArgumentException e) {
      throw GenRtlException.invalid(field, field + " must be relative, normalised paths: " + e.getMessage());
    }
  }

  /**
   * {@code files}: [{path, content}], at most {@value #MAX_FILES} of at most {@value #MAX_FILE_BYTES} bytes each, or with
   * {@code allow_full_upload: true} at most {@value #MAX_FILES_FULL} of {@value #MAX_FILE_BYTES_FULL} bytes and
   * {@value #MAX_FILES_TOTAL_BYTES_FULL} bytes in all. Paths must be safe relative paths ({@link
   * PatchPolicy#checkPathSyntax}), each once.
   */
  static List<Map<String, Object>> files(Map<String, Object> body) {
    Object flag = body.get("allow_full_upload");
    if (flag != null && !(flag instanceof Boolean)) {
      throw GenRtlException.invalid("allow_full_upload", "allow_full_upload must be true or false");
    }
    boolean full = Boolean.TRUE.equals(flag);
    Object raw = body.get("files");
    if (raw == null) return List.of();
    if (!(raw instanceof List<?> list)) throw GenRtlException.invalid("files", "files must be an array");
    int maxFiles = full ? MAX_FILES_FULL : MAX_FILES;
    if (list.size() > maxFiles) {
      throw GenRtlException.invalid("files", "files must have at most " + maxFiles + " entries"
          + (full ? "" : " (only the files the diagnostics point at; allow_full_upload: true raises the caps)"));
    }
    int maxBytes = full ? MAX_FILE_BYTES_FULL : MAX_FILE_BYTES;
    long total = 0;
    Set<String> seen = new HashSet<>();
    List<Map<String, Object>> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      String field = "files[" + i + "]";
      if (!(list.get(i) instanceof Map<?, ?> f)) throw GenRtlException.invalid(field, field + " must be an object");
      Object p = f.get("path");
      if (p == null) throw GenRtlException.invalid(field + ".path", field + ".path is required");
      if (!(p instanceof String path)) throw GenRtlException.invalid(field + ".path", field + ".path must be a string");
      if (path.length() > 2048) throw GenRtlException.invalid(field + ".path", field + ".path must be at most 2048 characters");
      List<PatchPolicy.Violation> v = PatchPolicy.checkPathSyntax(path);
      if (!v.isEmpty()) throw GenRtlException.invalid(field + ".path", field + ".path is not a safe relative path: " + v.get(0).message());
      if (!seen.add(path)) throw GenRtlException.invalid(field + ".path", "the path " + path + " appears twice in files");
      Object content = f.get("content");
      if (!(content instanceof String text)) throw GenRtlException.invalid(field + ".content", field + ".content must be a string");
      int bytes = text.getBytes(StandardCharsets.UTF_8).length;
      if (bytes > maxBytes) throw tooLarge(field + ".content", maxBytes, "a file in files exceeds " + maxBytes + " bytes"
          + (full ? "" : " (allow_full_upload: true raises the cap)"));
      total += bytes;
      if (full && total > MAX_FILES_TOTAL_BYTES_FULL) {
        throw tooLarge("files", MAX_FILES_TOTAL_BYTES_FULL, "the files exceed " + MAX_FILES_TOTAL_BYTES_FULL + " bytes in all");
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("path", path);
      m.put("content", text);
      out.add(m);
    }
    return out;
  }

  /**
   * {@code evidence}: the EvidenceBundle of {@code POST /api/tools/run} ({@code tool}, {@code command}, {@code exit_code},
   * {@code passed}, {@code diagnostics}, {@code log_excerpt}, …), accepted exactly as that route returns it (its other
   * members, {@code tool_version}, {@code compile}, {@code run}, {@code isolation}, {@code cbbs}…, are passed on as they
   * are), plus {@code snippets}, {@code diff} and {@code lockfile_summary}; at most {@value #MAX_EVIDENCE_BYTES} bytes as
   * JSON, {@value #MAX_DIAGNOSTICS} diagnostics and {@value #MAX_SNIPPETS} snippets.
   */
  @SuppressWarnings("unchecked")
  static Map<String, Object> evidence(Map<String, Object> body) {
    Object raw = body.get("evidence");
    if (raw == null) throw GenRtlException.invalid("evidence", "evidence is required (the bundle POST /api/tools/run returned)");
    if (!(raw instanceof Map)) throw GenRtlException.invalid("evidence", "evidence must be an object");
    capJson("evidence", raw, MAX_EVIDENCE_BYTES);
    Map<String, Object> ev = (Map<String, Object>) raw;
    text(ev, "evidence.", "tool", 128, true);
    command(ev.get("command"));
    integer(ev.get("exit_code"), "evidence.exit_code", false);
    if (ev.get("passed") != null && !(ev.get("passed") instanceof Boolean)) {
      throw GenRtlException.invalid("evidence.passed", "evidence.passed must be true or false");
    }
    List<Object> diags = optList(ev, "diagnostics", "evidence.diagnostics", MAX_DIAGNOSTICS);
    for (int i = 0; i < diags.size(); i++) {
      String f = "evidence.diagnostics[" + i + "].";
      if (!(diags.get(i) instanceof Map)) throw GenRtlException.invalid("evidence.diagnostics[" + i + "]", "a diagnostic must be an object");
      Map<String, Object> d = (Map<String, Object>) diags.get(i);
      text(d, f, "file", 2048, false);
      integer(d.get("line"), f + "line", false);
      integer(d.get("column"), f + "column", false);
      text(d, f, "severity", 32, false);
      text(d, f, "message", 16 * 1024, true);
    }
    text(ev, "evidence.", "log_excerpt", MAX_EVIDENCE_BYTES, false);
    List<Object> snippets = optList(ev, "snippets", "evidence.snippets", MAX_SNIPPETS);
    for (int i = 0; i < snippets.size(); i++) {
      String f = "evidence.snippets[" + i + "].";
      if (!(snippets.get(i) instanceof Map)) throw GenRtlException.invalid("evidence.snippets[" + i + "]", "a snippet must be an object");
      Map<String, Object> s = (Map<String, Object>) snippets.get(i);
      text(s, f, "file", 2048, true);
      Long start = integer(s.get("start_line"), f + "start_line", true);
      if (start < 1) throw GenRtlException.invalid(f + "start_line", f + "start_line must be 1 or more");
      text(s, f, "text", MAX_EVIDENCE_BYTES, true);
    }
    text(ev, "evidence.", "diff", MAX_EVIDENCE_BYTES, false);
    return ev;
  }

  /**
   * {@code evidence.command}: a string, an array of strings, or, as the ToolRunner's bundle has it, an object of
   * phases ({@code {"compile": "...", "run": "..."}}) whose values are strings or null (a phase that did not run).
   */
  private static void command(Object command) {
    if (command == null || command instanceof String) return;
    if (command instanceof List<?> l && l.stream().allMatch(x -> x instanceof String)) return;
    if (command instanceof Map<?, ?> m && m.size() <= MAX_COMMAND_PHASES
        && m.values().stream().allMatch(x -> x == null || x instanceof String)) {
      return;
    }
    throw GenRtlException.invalid("evidence.command", "evidence.command must be a string, an array of strings, or an object"
        + " of at most " + MAX_COMMAND_PHASES + " phases whose values are strings or null (as POST /api/tools/run returns it)");
  }

  /** A JSON array (null or absent: empty), at most {@code max} long; {@code field} names it in problems. */
  @SuppressWarnings("unchecked")
  private static List<Object> optList(Map<String, Object> m, String name, String field, int max) {
    Object v = m.get(name);
    if (v == null) return List.of();
    if (!(v instanceof List<?> l)) throw GenRtlException.invalid(field, field + " must be an array");
    if (l.size() > max) throw GenRtlException.invalid(field, field + " must have at most " + max + " entries");
    return (List<Object>) l;
  }

  private static void text(Map<String, Object> m, String prefix, String name, int max, boolean required) {
    Object v = m.get(name);
    if (v == null) {
      if (required) throw GenRtlException.invalid(prefix + name, prefix + name + " is required");
      return;
    }
    if (!(v instanceof String s)) throw GenRtlException.invalid(prefix + name, prefix + name + " must be a string");
    if (s.length() > max) throw GenRtlException.invalid(prefix + name, prefix + name + " must be at most " + max + " characters");
  }

  /** A whole JSON number (null when absent and optional). */
  static Long integer(Object v, String field, boolean required) {
    if (v == null) {
      if (required) throw GenRtlException.invalid(field, field + " is required");
      return null;
    }
    if (v instanceof BigDecimal n) {
      try {
        return n.longValueExact();
      } catch (ArithmeticException e) {
        // fall through: not a whole number or too large
      }
    }
    throw GenRtlException.invalid(field, field + " must be a whole number");
  }

  private static void capJson(String field, Object value, int max) {
    int bytes = JsonText.write(value).getBytes(StandardCharsets.UTF_8).length;
    if (bytes > max) throw tooLarge(field, max, field + " exceeds " + max + " bytes");
  }

  private static GenRtlException tooLarge(String field, long max, String message) {
    return new GenRtlException(ErrorCode.PAYLOAD_TOO_LARGE, message, Map.of("field", field, "max_bytes", max));
  }

  /** Replaces secrets in every string of a parsed JSON value (object keys stay); returns how many were replaced. */
  @SuppressWarnings("unchecked")
  static int redact(Object value) {
    int n = 0;
    if (value instanceof Map<?, ?> m) {
      for (Map.Entry<String, Object> e : ((Map<String, Object>) m).entrySet()) {
        if (e.getValue() instanceof String s) {
          SecretRedactor.Result r = SecretRedactor.redact(s);
          if (r.count() > 0) e.setValue(r.text());
          n += r.count();
        } else {
          n += redact(e.getValue());
        }
      }
    } else if (value instanceof List<?> l) {
      List<Object> list = (List<Object>) l;
      for (int i = 0; i < list.size(); i++) {
        if (list.get(i) instanceof String s) {
          SecretRedactor.Result r = SecretRedactor.redact(s);
          if (r.count() > 0) list.set(i, r.text());
          n += r.count();
        } else {
          n += redact(list.get(i));
        }
      }
    }
    return n;
  }
}
