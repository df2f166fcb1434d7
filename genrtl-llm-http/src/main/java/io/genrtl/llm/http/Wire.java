package io.genrtl.llm.http;

import io.genrtl.core.llm.LlmRequest;
import io.genrtl.core.llm.LlmResponse;
import io.genrtl.core.llm.LlmUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import okhttp3.Request;

/** What differs between the three API styles: the request body, headers, the answer and its stream. */
interface Wire {
  String provider();

  String defaultBaseUrl();

  /** Appended to the base URL, e.g. {@code /responses}. */
  String path();

  /** The response header carrying the provider's request id. */
  String requestIdHeader();

  void authorize(Request.Builder builder, String apiKey);

  /** The JSON body as a tree for {@link Json#write(Object)}. */
  Object body(LlmRequest request);

  /** A non-streamed answer (also a stream request the server answered with plain JSON). */
  LlmResponse parse(Map<String, Object> body, LlmRequest request, String requestId) throws WireError, ProviderError;

  StreamDecoder decoder(LlmRequest request);

  /** The provider's error type, code and message from an error body (or an error event). */
  default ErrorInfo errorInfo(Map<String, Object> body) {
    Map<String, Object> e = Json.obj(body, "error");
    if (e == null) return ErrorInfo.NONE;
    return new ErrorInfo(Json.str(e, "type"), Json.str(e, "code"), Json.str(e, "message"));
  }

  /** Reads one provider's stream; one instance per attempt. */
  interface StreamDecoder {
    /** Handles one event; text deltas go to {@code deltas}. */
    void onEvent(SseReader.Event event, Consumer<String> deltas) throws WireError, ProviderError;

    /** True once the terminal event was read; the rest of the stream is not read. */
    boolean finished();

    /** The answer, at the terminal event or at the end of the stream (a stream cut short is a {@link WireError}). */
    LlmResponse result(String requestId) throws WireError;

    /**
     * What the provider had used when the stream is abandoned (a cancel): its own counts where the stream already
     * carried them, otherwise estimates by {@link Wire#estimatedTokens} of the {@code requestBytes} sent and the text
     * streamed so far.
     */
    Partial partial(long requestBytes);
  }

  /** Usage of an abandoned stream; {@code estimated} when any count is an estimate. */
  record Partial(LlmUsage usage, boolean estimated) {}

  /**
   * The estimate of a token count used where a provider has not reported one: one token per 4 bytes of UTF-8,
   * rounded up (the providers' own rule of thumb for English text and code), and never fewer than the number of
   * streamed deltas seen (each carries at least one token).
   */
  static long estimatedTokens(long utf8Bytes, long deltas) {
    return Math.max((utf8Bytes + 3) / 4, deltas);
  }

  static long utf8Length(CharSequence text) {
    return text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
  }

  /** The answer could not be understood. Messages name what was wrong, never content. */
  final class WireError extends Exception {
    private static final long serialVersionUID = 1L;

    WireError(String message) {
      super(message);
    }

    WireError(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** The provider reported an error inside a 200 answer (an error event); {@code status} is the HTTP equivalent. */
  final class ProviderError extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;
    final ErrorInfo info;

    ProviderError(int status, ErrorInfo info) {
      super("provider error " + status, null, false, false);
      this.status = status;
      this.info = info;
    }
  }

  /** Error details as the provider named them; any may be null. */
  record ErrorInfo(String type, String code, String message) {
    static final ErrorInfo NONE = new ErrorInfo(null, null, null);

    boolean is(String name) {
      return name.equals(type) || name.equals(code);
    }
  }

  // ---- helpers shared by the wires ----

  /** Block texts joined with a blank line (providers that take one string per turn). */
  static String joined(List<LlmRequest.Block> blocks) {
    List<String> parts = new ArrayList<>(blocks.size());
    for (LlmRequest.Block b : blocks) parts.add(b.text());
    return String.join("\n\n", parts);
  }

  /** The schema as raw JSON, after checking that it is one JSON object. */
  static Json.Raw schema(LlmRequest.JsonSchema schema) {
    try {
      Json.parseObject(schema.schemaJson());
    } catch (Json.Malformed e) {
      throw new IllegalArgumentException("schema " + schema.name() + " is not a JSON object: " + e.getMessage());
    }
    return new Json.Raw(schema.schemaJson().strip());
  }

  /**
   * OpenAI usage (both API styles): the input count includes the cached tokens, the output count the reasoning
   * tokens. Null when the counts are missing or inconsistent.
   */
  static LlmUsage openAiUsage(Map<String, Object> usage, String inputKey, String inputDetailsKey, String outputKey,
      String outputDetailsKey) {
    if (usage == null) return null;
    Long input = Json.count(usage, inputKey);
    Long output = Json.count(usage, outputKey);
    if (input == null || output == null) return null;
    Long cached = Json.count(Json.obj(usage, inputDetailsKey), "cached_tokens");
    Long reasoning = Json.count(Json.obj(usage, outputDetailsKey), "reasoning_tokens");
    long c = cached == null ? 0 : cached;
    long r = reasoning == null ? 0 : reasoning;
    if (c > input || r > output) return null;
    return new LlmUsage(input - c, output, c, 0, r);
  }

  /** HTTP equivalent of an OpenAI error code or type found in a stream. */
  static int openAiStatus(ErrorInfo info) {
    if (info.is("rate_limit_exceeded") || info.is("insufficient_quota") || info.is("requests") || info.is("tokens")) return 429;
    if (info.is("invalid_request_error") || info.is("invalid_prompt") || info.is("context_length_exceeded")) return 400;
    if (info.is("invalid_api_key") || info.is("authentication_error")) return 401;
    return 500;
  }
}
