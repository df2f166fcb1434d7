package io.genrtl.payments;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The payment providers' settings as an operator gives them: Stripe ({@code STRIPE_WEBHOOK_SECRET},
 * {@code STRIPE_SECRET_KEY}, {@code STRIPE_API_BASE}, {@code GENRTL_STRIPE_PRICE_<PLAN>}) and Creem
 * ({@code CREEM_API_KEY}, {@code CREEM_WEBHOOK_SECRET}, {@code CREEM_API_BASE}, {@code GENRTL_CREEM_PRODUCT_<ID>}).
 */
public record PaymentSettings(Stripe stripe, Creem creem) {
  static final String STRIPE_PRICE = "GENRTL_STRIPE_PRICE_";
  static final String CREEM_PRODUCT = "GENRTL_CREEM_PRODUCT_";

  /** Stripe: webhook secrets (comma-separated while rolling), API key and base, and the plan of each price id. */
  public record Stripe(String webhookSecrets, String secretKey, String apiBase, Map<String, String> planByPrice) {
    public Stripe {
      planByPrice = Map.copyOf(planByPrice);
    }

    @Override
    public String toString() {
      return "Stripe[webhooks=" + (webhookSecrets == null ? "off" : "on") + ", api=" + (secretKey == null ? "off" : "on")
          + ", prices=" + planByPrice.size() + "]";
    }
  }

  /** Creem: API key and base, webhook secrets (comma-separated while rolling), product id per plan or pack id. */
  public record Creem(String apiKey, String webhookSecrets, String apiBase, Map<String, String> productById) {
    public Creem {
      productById = Map.copyOf(productById);
    }

    @Override
    public String toString() {
      return "Creem[webhooks=" + (webhookSecrets == null ? "off" : "on") + ", api=" + (apiKey == null ? "off" : "on")
          + ", products=" + productById.size() + "]";
    }
  }

  /** Whether {@code key} (a {@code GENRTL_*} name) is one of these settings. */
  public static boolean claims(String key) {
    return key.startsWith(STRIPE_PRICE) || key.startsWith(CREEM_PRODUCT);
  }

  /** Reads the settings from {@code values} (names as above); each problem found is added to {@code problems}. */
  public static PaymentSettings parse(Map<String, String> values, List<String> problems) {
    Map<String, String> planByPrice = new HashMap<>();
    Map<String, String> creemProducts = new HashMap<>();
    for (String k : values.keySet()) {
      if (k.startsWith(STRIPE_PRICE)) planByPrice.put(values.get(k), k.substring(STRIPE_PRICE.length()).toLowerCase(Locale.ROOT));
      if (k.startsWith(CREEM_PRODUCT)) creemProducts.put(k.substring(CREEM_PRODUCT.length()).toLowerCase(Locale.ROOT), values.get(k));
    }
    Stripe stripe = new Stripe(values.get("STRIPE_WEBHOOK_SECRET"), values.get("STRIPE_SECRET_KEY"),
        values.get("STRIPE_API_BASE"), planByPrice);
    String creemBase = values.get("CREEM_API_BASE");
    if (creemBase != null && !creemBase.matches("https?://[^@\\s]+")) problems.add("CREEM_API_BASE: must be an http(s) URL");
    Creem creem = new Creem(values.get("CREEM_API_KEY"), values.get("CREEM_WEBHOOK_SECRET"), creemBase, creemProducts);
    return new PaymentSettings(stripe, creem);
  }
}
