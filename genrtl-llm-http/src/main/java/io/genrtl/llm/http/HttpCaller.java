package io.genrtl.llm.http;

import io.genrtl.core.llm.LlmException;
import io.genrtl.core.llm.LlmRequest;
import io.genrtl.core.llm.LlmResponse;
import io.genrtl.core.llm.LlmStreamListener;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The part all three connectors share: one HTTP call per attempt, the retry loop, error classification, cancel, and
 * reading a stream through {@link SseReader} into a {@link Wire.StreamDecoder}. Logs name the provider, our call id,
 * the HTTP status and the provider's request id, never the key, the prompt or the answer.
 */
final class HttpCaller {
  private static final Logger log = LoggerFactory.getLogger(HttpCaller.class);
  private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");
  static final long MAX_BODY_BYTES = 32L * 1024 * 1024;
  private static final long MAX_ERROR_BODY_BYTES = 64L * 1024;
  private static final int MAX_PROVIDER_MESSAGE = 300;

  /** One daemon thread for all connectors, polling the cancel flags of calls in flight. */
  private static final ScheduledThreadPoolExecutor WATCHDOG;

  static {
    WATCHDOG = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "genrtl-llm-cancel-watch");
      t.setDaemon(true);
      return t;
    });
    WATCHDOG.setRemoveOnCancelPolicy(true);
  }

  private static final BooleanSupplier NEVER = () -> false;

  private static final class DefaultClient {
    static final OkHttpClient INSTANCE = new OkHttpClient();
  }

  private final Wire wire;
  private final String provider;
  private final String apiKey;
  private final HttpUrl url;
  private final OkHttpClient http;
  private final LlmHttpConfig config;
  private final RetryPolicy retry;

  HttpCaller(LlmHttpConfig config, Wire wire) {
    this.wire = wire;
    this.provider = wire.provider();
    this.config = config;
    this.apiKey = config.apiKey();
    String base = config.baseUrl() != null ? config.baseUrl() : wire.defaultBaseUrl();
    this.url = HttpUrl.get(base + wire.path());
    OkHttpClient shared = config.httpClient() != null ? config.httpClient() : DefaultClient.INSTANCE;
    this.http = shared.newBuilder()
        .connectTimeout(config.connectTimeout())
        .readTimeout(config.readTimeout())
        .writeTimeout(config.readTimeout())
        .callTimeout(config.callTimeout())
        // every attempt goes through our loop (counted, logged, backed off); OkHttp would retry some failures silently
        .retryOnConnectionFailure(false)
        .build();
    this.retry = new RetryPolicy(config.baseBackoff(), config.maxBackoff(), config.random(), config.clock());
  }

  String provider() {
    return provider;
  }

  HttpUrl url() {
    return url;
  }

  LlmResponse complete(LlmRequest request, LlmStreamListener listener, BooleanSupplier cancel) {
    Objects.requireNonNull(request, "request");
    LlmStreamListener out = listener != null ? listener : LlmStreamListener.NONE;
    BooleanSupplier canceled = cancel != null ? cancel : NEVER;
    Request httpRequest = httpRequest(request);
    int max = config.maxAttempts();
    for (int attempt = 1; ; attempt++) {
      if (isCanceled(canceled)) throw canceled(request);
      Attempt a = new Attempt();
      try {
        LlmResponse response = attempt(httpRequest, request, out, canceled, a);
        if (response.usage() == null) {
          log.warn("{} call {}: answer without usable usage (request id {}); the caller bills the reserved amount",
              provider, request.callId(), a.requestId);
        } else {
          log.debug("{} call {}: done on attempt {} (request id {})", provider, request.callId(), attempt, a.requestId);
        }
        return response;
      } catch (Retry r) {
        LlmException e = r.error;
        if (a.delivered) {
          log.warn("{} call {}: failed after text was streamed, not retried: {}", provider, request.callId(), e.getMessage());
          throw e;
        }
        if (attempt >= max) {
          log.warn("{} call {}: giving up after {} attempts: {}", provider, request.callId(), attempt, e.getMessage());
          throw e;
        }
        if (r.retryAfter != null && r.retryAfter.compareTo(config.maxRetryAfter()) > 0) {
          log.warn("{} call {}: provider asks to wait {} s (over the {} s limit), not retried: {}", provider,
              request.callId(), r.retryAfter.toSeconds(), config.maxRetryAfter().toSeconds(), e.getMessage());
          throw e;
        }
        Duration wait = r.retryAfter != null ? r.retryAfter : retry.backoff(attempt);
        log.info("{} call {}: attempt {}/{} failed ({}); retrying in {} ms", provider, request.callId(), attempt, max,
            e.getMessage(), wait.toMillis());
        if (isCanceled(canceled)) throw canceled(request);
        try {
          config.sleeper().sleep(wait);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw canceled(request);
        }
      }
    }
  }

  private static boolean isCanceled(BooleanSupplier cancel) {
    return cancel.getAsBoolean() || Thread.currentThread().isInterrupted();
  }

  private LlmException.Canceled canceled(LlmRequest request) {
    log.info("{} call {}: canceled", provider, request.callId());
    return new LlmException.Canceled(provider);
  }

  /** Canceled during an attempt: once a stream had begun, the provider bills what it produced, so say what that was. */
  private LlmException.Canceled canceled(LlmRequest request, Attempt a) {
    if (a.decoder == null) return canceled(request);
    Wire.Partial p = a.decoder.partial(request.inputBytes());
    log.info("{} call {}: canceled mid-stream (request id {}); {} input and {} output tokens{}", provider, request.callId(),
        a.requestId, p.usage().inputTokens() + p.usage().cachedInputTokens() + p.usage().cacheWriteTokens(),
        p.usage().outputTokens(), p.estimated() ? ", estimated" : "");
    return new LlmException.Canceled(provider, p.usage(), p.estimated());
  }

  private Request httpRequest(LlmRequest request) {
    byte[] body = Json.write(wire.body(request));
    Request.Builder b = new Request.Builder()
        .url(url)
        .header("Accept", request.stream() ? "text/event-stream" : "application/json")
        .header("User-Agent", "genrtl-llm-http")
        .post(RequestBody.create(body, JSON));
    wire.authorize(b, apiKey);
    return b.build();
  }

  /** What one attempt learned before it failed. */
  private static final class Attempt {
    String requestId;
    boolean delivered;
    /** Set once a stream began: what it had carried when a cancel cut it. */
    Wire.StreamDecoder decoder;
  }

  /** A failure another attempt may fix; {@code retryAfter} is the provider's wait, if it named one. */
  private static final class Retry extends Exception {
    private static final long serialVersionUID = 1L;
    final transient LlmException error;
    final Duration retryAfter;

    Retry(LlmException error, Duration retryAfter) {
      super(null, null, false, false);
      this.error = error;
      this.retryAfter = retryAfter;
    }
  }

  private LlmResponse attempt(Request httpRequest, LlmRequest request, LlmStreamListener listener, BooleanSupplier cancel,
      Attempt a) throws Retry {
    Call call = http.newCall(httpRequest);
    AtomicBoolean canceledByUs = new AtomicBoolean();
    long poll = config.cancelPollInterval().toMillis();
    ScheduledFuture<?> watchdog = cancel == NEVER ? null : WATCHDOG.scheduleWithFixedDelay(() -> {
      try {
        if (cancel.getAsBoolean()) {
          canceledByUs.set(true);
          call.cancel();
        }
      } catch (RuntimeException ignored) {
        // a throwing cancel flag must not stop the poll of other calls
      }
    }, poll, poll, TimeUnit.MILLISECONDS);
    try (Response response = call.execute()) {
      a.requestId = response.header(wire.requestIdHeader());
      int status = response.code();
      if (status >= 200 && status < 300) {
        if (request.stream() && !isJson(response)) return readStream(call, response, request, listener, cancel, a);
        LlmResponse r = wire.parse(Json.parseObject(readBody(response)), request, a.requestId);
        if (request.stream() && !r.text().isEmpty()) { // a server that ignored stream=true: one delta
          a.delivered = true;
          listener.onDelta(r.text());
        }
        return r;
      }
      Wire.ErrorInfo info = errorInfo(response);
      throw failure(status, a.requestId, info, retry.retryAfter(response.headers()));
    } catch (SseReader.Broken e) {
      throw malformed(a, e.getMessage(), e);
    } catch (IOException e) {
      if (canceledByUs.get() || isCanceled(cancel)) throw canceled(request, a);
      String what = e instanceof SocketTimeoutException || e instanceof InterruptedIOException ? "timeout" : "connection failure";
      throw new Retry(new LlmException.Unavailable(provider, 0, a.requestId,
          provider + ": " + what + " (" + e.getClass().getSimpleName() + ")" + requestIdSuffix(a.requestId), e), null);
    } catch (Json.Malformed e) {
      throw malformed(a, e.getMessage(), e);
    } catch (Wire.WireError e) {
      throw malformed(a, e.getMessage(), e);
    } catch (Wire.ProviderError e) {
      throw failure(e.status, a.requestId, e.info, null);
    } finally {
      if (watchdog != null) watchdog.cancel(false);
    }
  }

  private LlmException.MalformedResponse malformed(Attempt a, String what, Throwable cause) {
    return new LlmException.MalformedResponse(provider, a.requestId,
        provider + ": malformed response: " + what + requestIdSuffix(a.requestId), cause);
  }

  private LlmResponse readStream(Call call, Response response, LlmRequest request, LlmStreamListener listener,
      BooleanSupplier cancel, Attempt a) throws IOException, Wire.WireError, Wire.ProviderError {
    Wire.StreamDecoder decoder = wire.decoder(request);
    a.decoder = decoder;
    SseReader sse = new SseReader(response.body().source());
    Consumer<String> deltas = text -> {
      if (text.isEmpty()) return;
      a.delivered = true;
      listener.onDelta(text);
    };
    while (!decoder.finished()) {
      if (isCanceled(cancel)) {
        call.cancel();
        throw canceled(request, a);
      }
      SseReader.Event event = sse.next();
      if (event == null) break;
      decoder.onEvent(event, deltas);
    }
    return decoder.result(a.requestId);
  }

  private static boolean isJson(Response response) {
    String type = response.header("Content-Type");
    return type != null && type.toLowerCase(Locale.ROOT).startsWith("application/json");
  }

  private static String readBody(Response response) throws IOException, Wire.WireError {
    BufferedSource source = response.body().source();
    if (source.request(MAX_BODY_BYTES + 1)) throw new Wire.WireError("body exceeds " + MAX_BODY_BYTES + " bytes");
    return source.getBuffer().readUtf8();
  }

  private Wire.ErrorInfo errorInfo(Response response) {
    try {
      BufferedSource source = response.body().source();
      source.request(MAX_ERROR_BODY_BYTES);
      String text = source.getBuffer().readUtf8(Math.min(source.getBuffer().size(), MAX_ERROR_BODY_BYTES));
      Object json = Json.parse(text);
      return json instanceof Map ? wire.errorInfo(Json.cast(json)) : Wire.ErrorInfo.NONE;
    } catch (IOException | Json.Malformed | RuntimeException e) {
      return Wire.ErrorInfo.NONE; // an unreadable error body still leaves the status
    }
  }

  /** Throws the final exception, or returns the retriable one for the caller to throw. */
  private Retry failure(int status, String requestId, Wire.ErrorInfo info, Duration retryAfter) {
    boolean auth = status == 401 || status == 403;
    String message = message(status, requestId, info, !auth);
    if (status == 429) {
      // OpenAI answers 429 insufficient_quota when the account has no credit: waiting does not help.
      if (info.is("insufficient_quota")) throw new LlmException.BadRequest(provider, status, requestId, message);
      return new Retry(new LlmException.RateLimited(provider, requestId, retryAfter, message), retryAfter);
    }
    if (status >= 500 && status <= 599) {
      return new Retry(new LlmException.Unavailable(provider, status, requestId, message, null), retryAfter);
    }
    if (auth) throw new LlmException.Unauthorized(provider, status, requestId, message);
    if (status >= 400 && status <= 499) throw new LlmException.BadRequest(provider, status, requestId, message);
    throw new LlmException.MalformedResponse(provider, requestId, provider + ": unexpected HTTP status " + status
        + requestIdSuffix(requestId), null);
  }

  /**
   * {@code openai: HTTP 429 rate_limit_exceeded (request id req_1): <provider message>}. The provider's message is
   * left out for 401/403 (OpenAI repeats part of the key there); elsewhere it is cut short and any copy of the key is
   * replaced.
   */
  private String message(int status, String requestId, Wire.ErrorInfo info, boolean withProviderMessage) {
    StringBuilder sb = new StringBuilder(provider).append(": HTTP ").append(status);
    String kind = info.code() != null ? info.code() : info.type();
    if (kind != null) sb.append(' ').append(clean(kind, 80));
    sb.append(requestIdSuffix(requestId));
    if (withProviderMessage && info.message() != null) sb.append(": ").append(clean(info.message(), MAX_PROVIDER_MESSAGE));
    return sb.toString();
  }

  private String clean(String text, int max) {
    String s = redact(text).replaceAll("\\p{Cntrl}", " ");
    return s.length() > max ? s.substring(0, max) + "…" : s;
  }

  String redact(String text) {
    return text.replace(apiKey, "<redacted>");
  }

  private static String requestIdSuffix(String requestId) {
    return requestId == null ? "" : " (request id " + requestId + ")";
  }
}
