package io.genrtl.core.base;

import java.util.Map;
import java.util.Objects;

/**
 * The one exception type services throw for expected failures. It carries a stable machine {@link ErrorCode}
 * that hosts map to a transport status (HTTP: see {@code docs/errors.md}); {@link #details()} holds extra,
 * non-secret fields for the client (for example the offending field).
 */
public class GenRtlException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final ErrorCode code;
  private final Map<String, Object> details;

  public GenRtlException(ErrorCode code, String message) {
    this(code, message, Map.of(), null);
  }

  public GenRtlException(ErrorCode code, String message, Map<String, Object> details) {
    this(code, message, details, null);
  }

  public GenRtlException(ErrorCode code, String message, Map<String, Object> details, Throwable cause) {
    super(message, cause);
    this.code = Objects.requireNonNull(code, "code");
    this.details = Map.copyOf(details);
  }

  public ErrorCode code() {
    return code;
  }

  public Map<String, Object> details() {
    return details;
  }

  public static GenRtlException notFound(String what) {
    return new GenRtlException(ErrorCode.NOT_FOUND, what + " not found");
  }

  public static GenRtlException invalid(String field, String message) {
    return new GenRtlException(ErrorCode.VALIDATION_FAILED, message, Map.of("field", field));
  }
}
