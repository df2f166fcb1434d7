package io.genrtl.host;

import io.genrtl.core.base.GenRtlException;
import io.genrtl.core.billing.CreditPack;
import io.genrtl.core.plan.Plan;
import io.genrtl.core.plan.PlanCatalog;
import io.genrtl.core.pool.Money;
import io.genrtl.host.http.Json;
import io.genrtl.host.http.JsonBody;
import io.genrtl.host.http.PlanLimits;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads the plan catalog from JSON ({@code GENRTL_PLANS_FILE}; the built-in default is {@code plans.default.json},
 * documented in {@code docs/plans.md}). Amounts are decimal USD in the file and micro-USD inside.
 */
public final class PlansFile {
  static final String DEFAULT_RESOURCE = "/io/genrtl/host/plans.default.json";

  private PlansFile() {}

  public static PlanCatalog load(Path file) {
    try {
      return parse(Files.readAllBytes(file), file.toString());
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read plans file " + file + ": " + e.getMessage(), e);
    }
  }

  public static PlanCatalog defaults() {
    try (InputStream in = PlansFile.class.getResourceAsStream(DEFAULT_RESOURCE)) {
      return parse(in.readAllBytes(), DEFAULT_RESOURCE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The credit packs of a plans file ({@code "packs": [...]}, optional: none when absent). */
  public static List<CreditPack> loadPacks(Path file) {
    try {
      return parsePacks(Files.readAllBytes(file), file.toString());
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read plans file " + file + ": " + e.getMessage(), e);
    }
  }

  public static List<CreditPack> defaultPacks() {
    try (InputStream in = PlansFile.class.getResourceAsStream(DEFAULT_RESOURCE)) {
      return parsePacks(in.readAllBytes(), DEFAULT_RESOURCE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Each plan's {@code limits} ({@link PlanLimits#DEFAULTS} for a plan without them), by plan id. */
  public static Map<String, PlanLimits> loadLimits(Path file) {
    try {
      return parseLimits(Files.readAllBytes(file), file.toString());
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read plans file " + file + ": " + e.getMessage(), e);
    }
  }

  public static Map<String, PlanLimits> defaultLimits() {
    try (InputStream in = PlansFile.class.getResourceAsStream(DEFAULT_RESOURCE)) {
      return parseLimits(in.readAllBytes(), DEFAULT_RESOURCE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code "limits": {"requests_per_minute", "job_submits_per_minute", "concurrent_jobs"}} per plan; each optional, 0 = off. */
  static Map<String, PlanLimits> parseLimits(byte[] json, String source) {
    try {
      Object root = Json.parse(json);
      if (!(root instanceof Map<?, ?> m) || !(m.get("plans") instanceof List<?> list)) {
        throw new IllegalArgumentException("expected {\"plans\": [ ... ]}");
      }
      Map<String, PlanLimits> out = new java.util.LinkedHashMap<>();
      for (Object o : list) {
        JsonBody p = JsonBody.of(o);
        String id = p.string("id", 64);
        Object raw = ((Map<?, ?>) o).get("limits");
        if (raw == null) {
          out.put(id, PlanLimits.DEFAULTS);
          continue;
        }
        JsonBody l = JsonBody.of(raw);
        for (Object k : ((Map<?, ?>) raw).keySet()) {
          if (!List.of("requests_per_minute", "job_submits_per_minute", "concurrent_jobs").contains(k)) {
            throw new IllegalArgumentException("plans[" + id + "].limits." + k + " is not a known limit");
          }
        }
        out.put(id, new PlanLimits(count(l, id, "requests_per_minute", PlanLimits.DEFAULTS.requestsPerMinute()),
            count(l, id, "job_submits_per_minute", PlanLimits.DEFAULTS.jobSubmitsPerMinute()),
            count(l, id, "concurrent_jobs", PlanLimits.DEFAULTS.concurrentJobs())));
      }
      return Map.copyOf(out);
    } catch (GenRtlException | IllegalArgumentException | ClassCastException e) {
      throw new IllegalArgumentException("invalid plans file " + source + ": " + e.getMessage(), e);
    }
  }

  private static int count(JsonBody l, String plan, String field, int def) {
    BigDecimal n = l.optNumber(field).orElse(null);
    if (n == null) return def;
    if (n.signum() < 0 || n.stripTrailingZeros().scale() > 0 || n.compareTo(BigDecimal.valueOf(10_000_000)) > 0) {
      throw new IllegalArgumentException("plans[" + plan + "].limits." + field + " must be a whole number from 0 to 10000000");
    }
    return n.intValueExact();
  }

  /** {@code {"packs": [{"id", "name"?, "credits_usd", "price_usd"?}]}}; the price defaults to the credits. */
  static List<CreditPack> parsePacks(byte[] json, String source) {
    try {
      Object root = Json.parse(json);
      if (!(root instanceof Map<?, ?> m)) throw new IllegalArgumentException("expected a JSON object");
      Object packs = m.get("packs");
      if (packs == null) return List.of();
      if (!(packs instanceof List<?> list)) throw new IllegalArgumentException("packs must be a list");
      List<CreditPack> out = new ArrayList<>();
      java.util.Set<String> seen = new java.util.HashSet<>();
      for (int i = 0; i < list.size(); i++) {
        JsonBody p = JsonBody.of(list.get(i));
        String id = p.string("id", 64);
        if (!id.matches("[a-z][a-z0-9_]{0,63}")) throw new IllegalArgumentException("packs[" + i + "].id must match [a-z][a-z0-9_]*");
        if (!seen.add(id)) throw new IllegalArgumentException("packs: " + id + " appears twice");
        BigDecimal credits = p.optNumber("credits_usd").orElseThrow(() -> new IllegalArgumentException("packs[" + id + "].credits_usd is required"));
        BigDecimal price = p.optNumber("price_usd").orElse(credits);
        long creditsMicros = Money.toMicros("credits_usd", credits);
        long priceMicros = Money.toMicros("price_usd", price);
        if (creditsMicros <= 0 || priceMicros <= 0) throw new IllegalArgumentException("packs[" + id + "]: amounts must be positive");
        out.add(new CreditPack(id, p.optString("name", 100).orElse(id), creditsMicros, priceMicros));
      }
      return List.copyOf(out);
    } catch (GenRtlException | IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid plans file " + source + ": " + e.getMessage(), e);
    }
  }

  @SuppressWarnings("unchecked")
  static PlanCatalog parse(byte[] json, String source) {
    try {
      Object root = Json.parse(json);
      if (!(root instanceof Map<?, ?> m) || !(m.get("plans") instanceof List<?> list)) {
        throw new IllegalArgumentException("expected {\"plans\": [ ... ]}");
      }
      List<Plan> plans = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        JsonBody p = JsonBody.of(list.get(i));
        String id = p.string("id", 64);
        if (!id.matches("[a-z][a-z0-9_]{0,63}")) throw new IllegalArgumentException("plans[" + i + "].id must match [a-z][a-z0-9_]*");
        BigDecimal included = p.optNumber("included_usd").orElseThrow(() -> new IllegalArgumentException("plans[" + id + "].included_usd is required"));
        boolean od = p.optBoolean("on_demand_allowed").orElse(false);
        BigDecimal max = p.optNumber("max_on_demand_limit_usd").orElse(BigDecimal.ZERO);
        List<String> models = new ArrayList<>();
        Object am = ((Map<String, Object>) list.get(i)).get("allowed_models");
        if (am instanceof List<?> l) for (Object o : l) models.add(String.valueOf(o));
        plans.add(new Plan(id, p.optString("name", 100).orElse(id), Money.toMicros("included_usd", included), od,
            Money.toMicros("max_on_demand_limit_usd", max), models));
      }
      return PlanCatalog.of(plans);
    } catch (GenRtlException | IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid plans file " + source + ": " + e.getMessage(), e);
    }
  }
}
