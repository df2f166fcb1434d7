package io.genrtl.host.http;

import io.genrtl.core.base.ErrorCode;
import io.genrtl.core.base.GenRtlException;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;

/** RFC 9457 problem details: {@code application/problem+json} with a stable machine {@code code}. */
public final class Problems {
  public static final String CONTENT_TYPE = "application/problem+json";
  static final String WRITTEN = "genrtl.problem-written";

  private Problems() {}

  public static int status(ErrorCode code) {
    return switch (code.category()) {
      case INVALID_REQUEST -> 400;
      case UNAUTHENTICATED -> 401;
      case PAYMENT_REQUIRED -> 402;
      case FORBIDDEN -> 403;
      case NOT_FOUND -> 404;
      case METHOD_NOT_ALLOWED -> 405;
      case CONFLICT -> 409;
      case TOO_LARGE -> 413;
      case UNSUPPORTED_MEDIA_TYPE -> 415;
      case UNPROCESSABLE -> 422;
      case TOO_MANY_REQUESTS -> 429;
      case UNAVAILABLE -> 503;
      case INTERNAL -> 500;
    };
  }

  public static void write(Context ctx, GenRtlException e) {
    write(ctx, status(e.code()), e.code().code(), e.getMessage(), e.details());
  }

  public static void write(Context ctx, int status, String code, String detail, Map<String, Object> extra) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", "urn:genrtl:problem:" + code);
    body.put("title", title(status));
    body.put("status", status);
    body.put("detail", detail);
    body.put("code", code);
    body.put("instance", GenRtlApp.safePath(ctx));
    body.put("request_id", ctx.attribute(RequestIds.ATTRIBUTE));
    extra.forEach(body::putIfAbsent);
    if (status == 401) ctx.header("WWW-Authenticate", "Bearer realm=\"genrtl\"");
    Object retry = extra.get("retry_after_seconds");
    if (retry != null) ctx.header("Retry-After", retry.toString());
    ctx.status(status).contentType(CONTENT_TYPE).result(Json.write(body));
    ctx.attribute(WRITTEN, Boolean.TRUE);
  }

  static String title(int status) {
    return switch (status) {
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 402 -> "Payment Required";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 409 -> "Conflict";
      case 413 -> "Content Too Large";
      case 415 -> "Unsupported Media Type";
      case 422 -> "Unprocessable Content";
      case 429 -> "Too Many Requests";
      case 503 -> "Service Unavailable";
      default -> status >= 500 ? "Internal Server Error" : "Error";
    };
  }
}
