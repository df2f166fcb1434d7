package io.genrtl.host.http;

import io.genrtl.core.base.ErrorCode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * What Jetty refuses before any route runs (a header block over its limit, a malformed request line, header or
 * {@code Content-Length}, an ambiguous URI) as an RFC 9457 problem document like every other error, in place of
 * Jetty's HTML page. Never a stack trace: the cause is not written, and Jetty's short reason only when it is plain
 * printable text. Every such answer says {@code Connection: close}, and the connection is closed after it.
 */
final class ProblemErrorHandler extends ErrorHandler {
  private final EdgeHeaders edge;

  ProblemErrorHandler(EdgeHeaders edge) {
    this.edge = edge;
  }

  @Override
  protected void generateResponse(Request request, Response response, int status, String message, Throwable cause,
      Callback callback) throws IOException {
    String code = switch (status) {
      case 400 -> ErrorCode.VALIDATION_FAILED.code();
      case 413 -> ErrorCode.PAYLOAD_TOO_LARGE.code();
      default -> status >= 500 ? ErrorCode.INTERNAL.code() : "http_" + status;
    };
    String reason = message != null && message.length() <= 200 && message.matches("[\\x20-\\x7e]*") ? message : null;
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", "urn:genrtl:problem:" + code);
    body.put("title", Problems.title(status));
    body.put("status", status);
    body.put("detail", status >= 500 ? "an unexpected error occurred"
        : "the request could not be read" + (reason == null || reason.isBlank() ? "" : ": " + reason));
    body.put("code", code);
    byte[] bytes = Json.write(body).getBytes(StandardCharsets.UTF_8);
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problems.CONTENT_TYPE);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    response.getHeaders().put("X-Content-Type-Options", "nosniff");
    if (edge.hsts(request.isSecure(), request.getHeaders().get("X-Forwarded-Proto"))) {
      response.getHeaders().put("Strict-Transport-Security", EdgeHeaders.HSTS);
    }
    // Jetty closes the connection after refusing a request at this level (it cannot tell where the next one starts, or
    // will not trust it); say so, so that a client does not send its next request into a closed connection
    response.getHeaders().put(HttpHeader.CONNECTION, "close");
    response.write(true, ByteBuffer.wrap(bytes), callback);
  }
}
