package io.genrtl.payments;

import io.genrtl.core.billing.BillingEvent;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.genrtl.payments.internal.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * Creem's REST API over OkHttp, authenticated with the {@code x-api-key} header. {@code apiBase} is
 * {@link #DEFAULT_API_BASE}, {@link #TEST_API_BASE} or a stub ({@code CREEM_API_BASE}).
 */
public final class CreemGateway {
  public static final String DEFAULT_API_BASE = "https://api.creem.io";
  public static final String TEST_API_BASE = "https://test-api.creem.io";
  private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");

  private final OkHttpClient http;
  private final String apiBase;
  private final String apiKey;

  public CreemGateway(OkHttpClient http, String apiBase, String apiKey) {
    this.http = Objects.requireNonNull(http, "http");
    if (apiKey == null || apiKey.isBlank()) throw new IllegalArgumentException("a Creem API key is required");
    String base = apiBase == null || apiBase.isBlank() ? DEFAULT_API_BASE : apiBase;
    this.apiBase = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    this.apiKey = apiKey;
  }

  /**
   * A hosted checkout for a Creem product (a plan or a credit pack). {@code requestId} is our tracking id (returned in
   * the webhook); metadata {@code user_id} is always set, {@code pack_id} / {@code plan_id} as given.
   */
  public record CheckoutRequest(String productId, String userId, String requestId, String successUrl,
      String customerEmail, Map<String, String> metadata) {
    public CheckoutRequest {
      Objects.requireNonNull(productId, "productId");
      Objects.requireNonNull(userId, "userId");
      metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }
  }

  public record Checkout(String checkoutId, String checkoutUrl) {}

  /** {@code POST {base}/v1/checkouts} → the URL to send the user to. */
  public Checkout createCheckout(CheckoutRequest r) {
    JsonObject body = new JsonObject();
    body.addProperty("product_id", r.productId());
    if (r.requestId() != null) body.addProperty("request_id", r.requestId());
    if (r.successUrl() != null) body.addProperty("success_url", r.successUrl());
    if (r.customerEmail() != null) {
      JsonObject c = new JsonObject();
      c.addProperty("email", r.customerEmail());
      body.add("customer", c);
    }
    JsonObject meta = new JsonObject();
    r.metadata().forEach(meta::addProperty);
    meta.addProperty(CreemEventParser.META_USER_ID, r.userId());
    body.add("metadata", meta);

    Request req = new Request.Builder()
        .url(apiBase + "/v1/checkouts")
        .header("x-api-key", apiKey)
        .header("Accept", "application/json")
        .post(RequestBody.create(body.toString(), JSON))
        .build();
    try (Response resp = http.newCall(req).execute()) {
      ResponseBody rb = resp.body();
      String text = rb == null ? "" : rb.string();
      if (!resp.isSuccessful()) throw error(resp.code(), text);
      JsonObject o;
      try {
        o = Json.parseObject(text.getBytes(StandardCharsets.UTF_8));
      } catch (MalformedEventException e) {
        throw new PaymentProviderException(BillingEvent.CREEM, resp.code(), null, "checkout response is not JSON", e);
      }
      String url = Json.str(o, "checkout_url");
      if (url == null) throw new PaymentProviderException(BillingEvent.CREEM, resp.code(), null, "checkout response without checkout_url", null);
      return new Checkout(Json.str(o, "id"), url);
    } catch (IOException e) {
      throw new PaymentProviderException(BillingEvent.CREEM, 0, null, "request failed: " + e.getClass().getSimpleName(), e);
    }
  }

  /** Creem errors: {@code {"status", "error", "message": [..] | ".."}}. */
  private static PaymentProviderException error(int status, String text) {
    String code = null;
    String message = null;
    try {
      JsonObject o = Json.parseObject(text.getBytes(StandardCharsets.UTF_8));
      code = Json.str(o, "error");
      JsonElement m = o.get("message");
      if (m != null && m.isJsonArray()) {
        StringBuilder b = new StringBuilder();
        for (JsonElement e : (JsonArray) m) b.append(b.length() > 0 ? "; " : "").append(e.isJsonPrimitive() ? e.getAsString() : e.toString());
        message = b.toString();
      } else if (m != null && m.isJsonPrimitive()) {
        message = m.getAsString();
      }
    } catch (MalformedEventException e) {
      message = null;
    }
    return new PaymentProviderException(BillingEvent.CREEM, status, code, message, null);
  }
}
