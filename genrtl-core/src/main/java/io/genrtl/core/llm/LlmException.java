package io.genrtl.core.llm;

import java.time.Duration;

/**
 * Why a model call failed, after the connector's own retries. {@link #retriable()} tells whether trying again later
 * (or another provider) could help. Messages never contain keys, prompts or completions.
 */
public abstract class LlmException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String provider;
  private final int status;
  private final String providerRequestId;

  protected LlmException(String provider, int status, String providerRequestId, String message, Throwable cause) {
    super(message, cause);
    this.provider = provider;
    this.status = status;
    this.providerRequestId = providerRequestId;
  }

  public abstract boolean retriable();

  public String provider() {
    return provider;
  }

  /** The HTTP status, or 0 when there was no answer. */
  public int status() {
    return status;
  }

  public String providerRequestId() {
    return providerRequestId;
  }

  /** 429: rate limited; {@code retryAfter} as the provider asked (may be null). */
  public static final class RateLimited extends LlmException {
    private static final long serialVersionUID = 1L;
    private final Duration retryAfter;

    public RateLimited(String provider, String requestId, Duration retryAfter, String message) {
      super(provider, 429, requestId, message, null);
      this.retryAfter = retryAfter;
    }

    public Duration retryAfter() {
      return retryAfter;
    }

    @Override
    public boolean retriable() {
      return true;
    }
  }

  /** 5xx, Anthropic 529 (overloaded), a reset connection or a timeout: the provider is having trouble. */
  public static final class Unavailable extends LlmException {
    private static final long serialVersionUID = 1L;

    public Unavailable(String provider, int status, String requestId, String message, Throwable cause) {
      super(provider, status, requestId, message, cause);
    }

    @Override
    public boolean retriable() {
      return true;
    }
  }

  /** 401/403: the key is wrong or lacks permission. */
  public static final class Unauthorized extends LlmException {
    private static final long serialVersionUID = 1L;

    public Unauthorized(String provider, int status, String requestId, String message) {
      super(provider, status, requestId, message, null);
    }

    @Override
    public boolean retriable() {
      return false;
    }
  }

  /** Another 4xx: the request itself is wrong (unknown model, bad schema, too long). */
  public static final class BadRequest extends LlmException {
    private static final long serialVersionUID = 1L;

    public BadRequest(String provider, int status, String requestId, String message) {
      super(provider, status, requestId, message, null);
    }

    @Override
    public boolean retriable() {
      return false;
    }
  }

  /** The answer could not be understood (malformed JSON, missing fields, a broken stream). */
  public static final class MalformedResponse extends LlmException {
    private static final long serialVersionUID = 1L;

    public MalformedResponse(String provider, String requestId, String message, Throwable cause) {
      super(provider, 0, requestId, message, cause);
    }

    @Override
    public boolean retriable() {
      return false;
    }
  }

  /** The caller canceled the call. */
  public static final class Canceled extends LlmException {
    private static final long serialVersionUID = 1L;
    private final transient LlmUsage partialUsage;
    private final boolean estimated;

    /** Canceled before the provider began to answer: nothing was used. */
    public Canceled(String provider) {
      this(provider, null, false);
    }

    /**
     * Canceled while the provider was answering. {@code partialUsage} is what it had used by then (the input and the
     * output streamed so far); {@code estimated} when some counts are estimates because the provider reports usage
     * only at the end of a stream.
     */
    public Canceled(String provider, LlmUsage partialUsage, boolean estimated) {
      super(provider, 0, null, "canceled", null);
      this.partialUsage = partialUsage;
      this.estimated = estimated;
    }

    /** What the provider had used when the call was abandoned; null when it had not begun to answer. */
    public LlmUsage partialUsage() {
      return partialUsage;
    }

    /** True when {@link #partialUsage()} holds estimates rather than the provider's own counts. */
    public boolean estimated() {
      return estimated;
    }

    @Override
    public boolean retriable() {
      return false;
    }
  }
}
