package io.genrtl.client;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * An error answer of the genRTL API: the RFC 9457 problem document's {@code status}, stable {@code code},
 * human {@code detail} and {@code request_id} (quote it when reporting a problem), plus its extra members
 * ({@code field}, {@code required_usd}, …). Branch on {@link #code()}, never on the detail text.
 *
 * <p>A non-problem error answer (a proxy's HTML page) gets the code {@code http_<status>}. Transport failures are
 * not this exception but {@link java.io.UncheckedIOException}.
 */
public final class GenRtlApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;
  private final String detail;
  private final String requestId;
  private final transient Map<String, Object> members;
  private final Duration retryAfter;

  GenRtlApiException(int status, String code, String detail, String requestId, Map<String, Object> members,
      Duration retryAfter) {
    super(status + " " + code + (detail == null ? "" : ": " + detail) + (requestId == null ? "" : " (request " + requestId + ")"));
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.requestId = requestId;
    this.members = members == null ? Map.of() : Map.copyOf(members.entrySet().stream()
        .filter(e -> e.getValue() != null).collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
    this.retryAfter = retryAfter;
  }

  /** The HTTP status. */
  public int status() {
    return status;
  }

  /** The stable machine code (the problem's {@code code} member), e.g. {@code insufficient_funds}. */
  public String code() {
    return code;
  }

  /** The human-readable explanation; may change between versions. */
  public String detail() {
    return detail;
  }

  /** The server's request id ({@code request_id}, or the {@code X-Request-Id} header), or null. */
  public String requestId() {
    return requestId;
  }

  /** Every non-null member of the problem document, e.g. {@code field} or {@code required_usd}. */
  public Map<String, Object> members() {
    return members;
  }

  /** A string member of the problem, e.g. {@code member("field")}. */
  public Optional<String> member(String name) {
    Object v = members.get(name);
    if (v == null) return Optional.empty();
    return Optional.of(v instanceof java.math.BigDecimal d ? d.toPlainString() : v.toString());
  }

  /** The {@code Retry-After} the server sent, if any. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  /**
   * True when the same request may succeed later: 429 or 503 with a {@code Retry-After}. The client retries these
   * by itself for GETs and for POSTs carrying an idempotency key.
   */
  public boolean retriable() {
    return (status == 429 || status == 503) && retryAfter != null;
  }
}
