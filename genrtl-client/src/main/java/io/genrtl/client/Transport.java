package io.genrtl.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * HTTP for the client: request building, the API key, error answers to {@link GenRtlApiException}, and retries of
 * idempotent requests (GETs and POSTs carrying an idempotency key) on connection failures and on 429/503 with
 * {@code Retry-After}. Never puts the API key or a signed URL into a message.
 */
final class Transport {
  static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(60);
  private static final Pattern DIGITS = Pattern.compile("\\d{1,9}");

  final URI base;
  private final String apiKey;
  final HttpClient http;
  final Sleeper sleeper;
  final Clock clock;
  final int maxAttempts;
  final Duration requestTimeout;
  private final String userAgent;

  Transport(URI base, String apiKey, HttpClient http, Sleeper sleeper, Clock clock, int maxAttempts,
      Duration requestTimeout, String userAgent) {
    this.base = base;
    this.apiKey = apiKey;
    this.http = http;
    this.sleeper = sleeper;
    this.clock = clock;
    this.maxAttempts = maxAttempts;
    this.requestTimeout = requestTimeout;
    this.userAgent = userAgent;
  }

  /** A raw answer: status, headers, body bytes. */
  record Answer(int status, java.net.http.HttpHeaders headers, byte[] body) {
    Map<String, Object> json() {
      return Json.parseObject(new String(body, StandardCharsets.UTF_8));
    }

    String header(String name) {
      return headers.firstValue(name).orElse(null);
    }
  }

  URI uri(String path, Map<String, String> query) {
    StringBuilder sb = new StringBuilder();
    String b = base.toString();
    sb.append(b.endsWith("/") ? b.substring(0, b.length() - 1) : b).append(path);
    if (query != null && !query.isEmpty()) {
      char sep = '?';
      for (Map.Entry<String, String> e : query.entrySet()) {
        if (e.getValue() == null) continue;
        sb.append(sep).append(enc(e.getKey())).append('=').append(enc(e.getValue()));
        sep = '&';
      }
    }
    return URI.create(sb.toString());
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  static String seg(String pathSegment) {
    if (pathSegment == null || pathSegment.isEmpty()) throw new IllegalArgumentException("an id must not be empty");
    return enc(pathSegment);
  }

  HttpRequest.Builder request(URI uri) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(requestTimeout)
        .header("Accept", "application/json, application/problem+json").header("User-Agent", userAgent);
    if (apiKey != null) b.header("Authorization", "Bearer " + apiKey);
    return b;
  }

  /**
   * Sends {@code method path} with an optional JSON body and extra headers; error answers become {@link
   * GenRtlApiException}. {@code idempotent} requests are retried.
   */
  Answer send(String method, String path, Map<String, String> query, Object jsonBody, boolean idempotent,
      Map<String, String> headers) {
    URI uri = uri(path, query);
    byte[] body = jsonBody == null ? null : Json.write(jsonBody).getBytes(StandardCharsets.UTF_8);
    return sendRaw(method, uri, body, body == null ? null : "application/json", idempotent, headers);
  }

  Answer sendRaw(String method, URI uri, byte[] body, String contentType, boolean idempotent, Map<String, String> headers) {
    int attempt = 0;
    while (true) {
      attempt++;
      HttpRequest.Builder b = request(uri);
      if (contentType != null) b.header("Content-Type", contentType);
      if (headers != null) headers.forEach((k, v) -> {
        if (v != null) b.header(k, v);
      });
      b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
      HttpResponse<byte[]> res;
      try {
        res = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
      } catch (IOException e) {
        if (idempotent && attempt < maxAttempts) {
          pause(backoff(attempt));
          continue;
        }
        throw new UncheckedIOException(method + " " + uri.getPath() + " failed: " + e.getClass().getSimpleName(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new UncheckedIOException(new java.io.InterruptedIOException("interrupted"));
      }
      Answer a = new Answer(res.statusCode(), res.headers(), res.body());
      if (a.status() < 400) return a;
      GenRtlApiException problem = problem(a.status(), a.headers(), a.body());
      if (idempotent && problem.retriable() && attempt < maxAttempts
          && problem.retryAfter().orElseThrow().compareTo(MAX_RETRY_AFTER) <= 0) {
        pause(problem.retryAfter().orElseThrow());
        continue;
      }
      throw problem;
    }
  }

  static Duration backoff(int attempt) {
    return Duration.ofMillis(Math.min(5_000, 200L << Math.min(attempt - 1, 5)));
  }

  void pause(Duration d) {
    try {
      sleeper.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UncheckedIOException(new java.io.InterruptedIOException("interrupted while waiting to retry"));
    }
  }

  /** An error answer as a typed exception: the problem document's members, or {@code http_<status>} without one. */
  GenRtlApiException problem(int status, java.net.http.HttpHeaders headers, byte[] body) {
    String requestId = headers.firstValue("X-Request-Id").orElse(null);
    Duration retryAfter = retryAfter(headers.firstValue("Retry-After").orElse(null));
    Map<String, Object> doc = null;
    String type = headers.firstValue("Content-Type").orElse("");
    if (type.contains("json") && body != null && body.length > 0) {
      try {
        doc = Json.parseObject(new String(body, StandardCharsets.UTF_8));
      } catch (Json.Malformed ignored) {
        doc = null;
      }
    }
    if (doc == null) {
      return new GenRtlApiException(status, "http_" + status, null, requestId, Map.of(), retryAfter);
    }
    Map<String, Object> members = new LinkedHashMap<>(doc);
    String code = Json.str(doc, "code");
    String detail = Json.str(doc, "detail");
    String rid = Json.str(doc, "request_id");
    for (String k : List.of("code", "detail", "status", "request_id")) members.remove(k);
    if (retryAfter == null && doc.get("retry_after_seconds") != null) {
      retryAfter = retryAfter(Json.str(doc, "retry_after_seconds"));
    }
    return new GenRtlApiException(status, code == null ? "http_" + status : code, detail, rid != null ? rid : requestId,
        members, retryAfter);
  }

  /** {@code Retry-After} as delta-seconds or an HTTP date; null when absent or unreadable. */
  Duration retryAfter(String v) {
    if (v == null || v.isBlank()) return null;
    String s = v.trim();
    if (DIGITS.matcher(s).matches()) return Duration.ofSeconds(Long.parseLong(s));
    try {
      ZonedDateTime t = ZonedDateTime.parse(s, DateTimeFormatter.RFC_1123_DATE_TIME);
      Duration d = Duration.between(clock.instant(), t.toInstant());
      return d.isNegative() ? Duration.ZERO : d;
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** Opens a streamed GET (SSE, downloads); error answers become {@link GenRtlApiException}. */
  HttpResponse<InputStream> open(HttpRequest request) throws IOException {
    HttpResponse<InputStream> res;
    try {
      res = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted");
    }
    if (res.statusCode() >= 400) {
      byte[] body;
      try (InputStream in = res.body()) {
        body = in.readNBytes(64 * 1024);
      }
      throw problem(res.statusCode(), res.headers(), body);
    }
    return res;
  }
}
