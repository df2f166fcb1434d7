package io.genrtl.host;

import com.squareup.moshi.Moshi;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/** A small HTTP client for host tests: raw bodies and headers, JSON answers parsed into maps. */
final class TestHttp {
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final com.squareup.moshi.JsonAdapter<Object> ANY = new Moshi.Builder().build().adapter(Object.class);

  private final String base;

  TestHttp(int port) {
    this.base = "http://127.0.0.1:" + port;
  }

  record Response(int status, Map<String, java.util.List<String>> headers, String body) {
    String header(String name) {
      return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
          .findFirst().map(e -> e.getValue().get(0)).orElse(null);
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> json() {
      try {
        return (Map<String, Object>) ANY.fromJson(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + body, e);
      }
    }

    String contentType() {
      return header("Content-Type");
    }
  }

  Response send(String method, String path, String key, String body, String... headers) {
    HttpRequest.BodyPublisher pub = body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8);
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30)).method(method, pub);
    if (key != null) b.header("Authorization", "Bearer " + key);
    if (body != null) b.header("Content-Type", "application/json");
    for (int i = 0; i < headers.length; i += 2) if (headers[i + 1] != null) b.setHeader(headers[i], headers[i + 1]);
    return send(b.build());
  }

  Response sendStream(String method, String path, String key, InputStream body) {
    HttpRequest r = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofInputStream(() -> body)).build();
    return send(r);
  }

  private static Response send(HttpRequest r) {
    try {
      HttpResponse<String> res = CLIENT.send(r, HttpResponse.BodyHandlers.ofString());
      return new Response(res.statusCode(), res.headers().map(), res.body());
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  Response get(String path, String key) {
    return send("GET", path, key, null);
  }

  Response post(String path, String key, String body) {
    return send("POST", path, key, body);
  }

  Response delete(String path, String key) {
    return send("DELETE", path, key, null);
  }
}
