package io.genrtl.auth.oidc;

import com.squareup.moshi.JsonAdapter;
import com.squareup.moshi.Moshi;
import io.genrtl.core.base.ErrorCode;
import io.genrtl.core.base.GenRtlException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Map;
import okhttp3.FormBody;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * The HTTP side of talking to identity providers: one OkHttp client with short timeouts, JSON answers capped at
 * {@link #MAX_BYTES} and parsed into maps. Never logs bodies (they hold tokens).
 */
public final class OidcHttp {
  static final int MAX_BYTES = 1 << 20;
  private static final JsonAdapter<Object> ANY = new Moshi.Builder().build().adapter(Object.class);
  private final OkHttpClient client;

  public OidcHttp(OkHttpClient client) {
    this.client = client;
  }

  public static OidcHttp defaults() {
    return new OidcHttp(new OkHttpClient.Builder().connectTimeout(Duration.ofSeconds(5)).readTimeout(Duration.ofSeconds(10))
        .callTimeout(Duration.ofSeconds(20)).followRedirects(false).build());
  }

  /** A status and its parsed JSON object (empty when the body is not a JSON object). */
  public record JsonResponse(int status, Map<String, Object> body, Object raw) {
    public boolean ok() {
      return status >= 200 && status < 300;
    }
  }

  /** Sends the request; a transport failure is {@code unavailable} naming {@code what}. */
  @SuppressWarnings("unchecked")
  public JsonResponse send(Request request, String what) {
    try (Response r = client.newCall(request.newBuilder().header("Accept", "application/json")
        .header("User-Agent", "genrtl").build()).execute()) {
      ResponseBody b = r.body();
      byte[] bytes = read(b);
      Object parsed = null;
      try {
        parsed = bytes.length == 0 ? null : ANY.fromJson(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
      } catch (IOException | RuntimeException e) {
        parsed = null;
      }
      Map<String, Object> obj = parsed instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
      return new JsonResponse(r.code(), obj, parsed);
    } catch (IOException e) {
      throw new GenRtlException(ErrorCode.UNAVAILABLE, what + " did not answer; try again",
          Map.of("reason", "provider_unreachable"));
    }
  }

  private static byte[] read(ResponseBody b) throws IOException {
    if (b == null) return new byte[0];
    try (InputStream in = b.byteStream()) {
      byte[] bytes = in.readNBytes(MAX_BYTES + 1);
      if (bytes.length > MAX_BYTES) throw new IOException("answer too large");
      return bytes;
    }
  }

  static String string(Map<String, Object> m, String key) {
    Object v = m.get(key);
    if (v instanceof String s) return s;
    if (v instanceof Number n) return n.doubleValue() == Math.rint(n.doubleValue()) ? Long.toString(n.longValue()) : n.toString();
    return null;
  }

  /**
   * The plain OAuth 2.0 code exchange GitHub and Facebook share: POST the code with the PKCE verifier and the client
   * credentials as a form to {@code tokenUrl} and return the access token. A 5xx is {@code unavailable}; anything
   * without an {@code access_token} (GitHub answers a refused code with 200 and {@code {"error": ...}}) is a refused
   * code. {@code who} names the provider in messages.
   */
  String accessToken(String tokenUrl, String clientId, String clientSecret, String code, String redirectUri,
      String codeVerifier, String who) {
    JsonResponse t = send(new Request.Builder().url(tokenUrl)
        .post(new FormBody.Builder().add("client_id", clientId).add("client_secret", clientSecret == null ? "" : clientSecret)
            .add("code", code).add("redirect_uri", redirectUri).add("code_verifier", codeVerifier).build())
        .build(), who);
    if (t.status() >= 500) throw new GenRtlException(ErrorCode.UNAVAILABLE, who + " failed", Map.of("reason", "token_endpoint"));
    String token = string(t.body(), "access_token");
    if (!t.ok() || token == null) throw failed("code", who + " refused the code (wrong, reused or without its verifier)");
    return token;
  }

  static GenRtlException failed(String reason, String message) {
    return new GenRtlException(ErrorCode.SIGN_IN_FAILED, message, Map.of("reason", reason));
  }
}
