package io.genrtl.llm.http;

import io.genrtl.core.llm.LlmRequest;
import io.genrtl.core.llm.LlmResponse;
import io.genrtl.core.llm.LlmUsage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import okhttp3.Request;

/**
 * Anthropic Messages ({@code POST /messages}, {@code anthropic-version: 2023-06-01}). System blocks become the
 * {@code system} array of text blocks and every message an array of text blocks; each {@code cacheable} block gets
 * {@code cache_control: {type: ephemeral}}, at most the last {@value #MAX_BREAKPOINTS} of them (Anthropic refuses
 * more breakpoints; a later breakpoint covers the longer prefix). A schema is not sent as a structured-output mode:
 * it is appended as a last, uncached system block asking for JSON that matches it, and the caller validates.
 */
final class AnthropicWire implements Wire {
  static final String DEFAULT_BASE_URL = "https://api.anthropic.com/v1";
  static final String VERSION = "2023-06-01";
  static final int MAX_BREAKPOINTS = 4;

  @Override
  public String provider() {
    return "anthropic";
  }

  @Override
  public String defaultBaseUrl() {
    return DEFAULT_BASE_URL;
  }

  @Override
  public String path() {
    return "/messages";
  }

  @Override
  public String requestIdHeader() {
    return "request-id";
  }

  @Override
  public void authorize(Request.Builder builder, String apiKey) {
    builder.header("x-api-key", apiKey);
    builder.header("anthropic-version", VERSION);
  }

  @Override
  public Object body(LlmRequest r) {
    // Breakpoints: the last MAX_BREAKPOINTS cacheable blocks in prompt order (system first, then messages).
    int cacheable = 0;
    for (LlmRequest.Block b : r.system()) if (b.cacheable()) cacheable++;
    for (LlmRequest.Message m : r.messages()) for (LlmRequest.Block b : m.content()) if (b.cacheable()) cacheable++;
    int[] unmarked = {Math.max(0, cacheable - MAX_BREAKPOINTS)};
    java.util.function.Predicate<LlmRequest.Block> breakpoint = b -> {
      if (!b.cacheable()) return false;
      if (unmarked[0] > 0) {
        unmarked[0]--;
        return false;
      }
      return true;
    };

    Map<String, Object> body = new LinkedHashMap<>();
    body.put("model", r.model());
    body.put("max_tokens", r.maxOutputTokens());
    List<Object> system = new ArrayList<>();
    for (LlmRequest.Block b : r.system()) system.add(textBlock(b.text(), breakpoint.test(b)));
    if (r.schema() != null) system.add(textBlock(schemaInstruction(r.schema()), false));
    if (!system.isEmpty()) body.put("system", system);
    List<Object> messages = new ArrayList<>();
    for (LlmRequest.Message m : r.messages()) {
      List<Object> content = new ArrayList<>();
      for (LlmRequest.Block b : m.content()) content.add(textBlock(b.text(), breakpoint.test(b)));
      Map<String, Object> message = new LinkedHashMap<>();
      message.put("role", m.role());
      message.put("content", content);
      messages.add(message);
    }
    body.put("messages", messages);
    if (r.stream()) body.put("stream", true);
    return body;
  }

  static String schemaInstruction(LlmRequest.JsonSchema schema) {
    Wire.schema(schema); // the same check as for OpenAI: one JSON object
    return "Answer with one JSON value and nothing else (no prose, no code fence). It must conform to this JSON Schema, named "
        + schema.name() + ":\n" + schema.schemaJson().strip();
  }

  private static Map<String, Object> textBlock(String text, boolean breakpoint) {
    Map<String, Object> block = new LinkedHashMap<>();
    block.put("type", "text");
    block.put("text", text);
    if (breakpoint) block.put("cache_control", Map.of("type", "ephemeral"));
    return block;
  }

  @Override
  public LlmResponse parse(Map<String, Object> body, LlmRequest request, String requestId) throws WireError, ProviderError {
    if ("error".equals(Json.str(body, "type"))) {
      ErrorInfo info = errorInfo(body);
      throw new ProviderError(status(info), info);
    }
    List<?> content = Json.list(body, "content");
    if (content == null) throw new WireError("the message has no content array");
    StringBuilder text = new StringBuilder();
    for (Object o : content) {
      if (!(o instanceof Map)) throw new WireError("a content block is not an object");
      Map<String, Object> block = Json.cast(o);
      if (!"text".equals(Json.str(block, "type"))) continue; // thinking and tool blocks carry no answer text
      String t = Json.str(block, "text");
      if (t == null) throw new WireError("a text block has no text");
      text.append(t);
    }
    Map<String, Object> u = Json.obj(body, "usage");
    LlmUsage usage = usage(Json.count(u, "input_tokens"), Json.count(u, "output_tokens"),
        Json.count(u, "cache_creation_input_tokens"), Json.count(u, "cache_read_input_tokens"));
    String model = Json.str(body, "model");
    return new LlmResponse(provider(), model != null ? model : request.model(), text.toString(), usage,
        Json.str(body, "stop_reason"), requestId, Json.str(body, "id"));
  }

  /**
   * Anthropic's {@code input_tokens} exclude both cache counts already. Null without input or output count; the cache
   * counts are 0 when absent (no caching in the request, or an older API).
   */
  static LlmUsage usage(Long input, Long output, Long cacheWrite, Long cacheRead) {
    if (input == null || output == null) return null;
    return new LlmUsage(input, output, cacheRead == null ? 0 : cacheRead, cacheWrite == null ? 0 : cacheWrite, 0);
  }

  /** HTTP equivalent of an Anthropic error type (as the API documents them). */
  static int status(ErrorInfo info) {
    String type = info.type() == null ? "" : info.type();
    return switch (type) {
      case "invalid_request_error" -> 400;
      case "authentication_error" -> 401;
      case "permission_error" -> 403;
      case "not_found_error" -> 404;
      case "request_too_large" -> 413;
      case "rate_limit_error" -> 429;
      case "overloaded_error" -> 529;
      case "timeout_error" -> 504;
      default -> 500;
    };
  }

  @Override
  public StreamDecoder decoder(LlmRequest request) {
    return new StreamDecoder() {
      private final StringBuilder text = new StringBuilder();
      private Map<String, Object> message;
      private Long input;
      private Long output;
      private Long cacheWrite;
      private Long cacheRead;
      private String stopReason;
      private boolean stopped;
      private boolean finalOutput;
      private long deltaCount;

      @Override
      public void onEvent(SseReader.Event event, Consumer<String> deltas) throws WireError, ProviderError {
        Map<String, Object> data = ResponsesWire.data(event);
        String type = Json.str(data, "type");
        if (type == null) type = event.event();
        switch (type) {
          case "message_start" -> {
            message = Json.obj(data, "message");
            if (message == null) throw new WireError("message_start carries no message");
            Map<String, Object> u = Json.obj(message, "usage");
            input = Json.count(u, "input_tokens");
            cacheWrite = Json.count(u, "cache_creation_input_tokens");
            cacheRead = Json.count(u, "cache_read_input_tokens");
          }
          case "content_block_delta" -> {
            Map<String, Object> delta = Json.obj(data, "delta");
            if (delta == null) throw new WireError("content_block_delta carries no delta");
            if ("text_delta".equals(Json.str(delta, "type"))) {
              String t = Json.str(delta, "text");
              if (t == null) throw new WireError("a text_delta has no text");
              text.append(t);
              deltaCount++;
              deltas.accept(t);
            }
          }
          case "message_delta" -> {
            Map<String, Object> delta = Json.obj(data, "delta");
            String sr = Json.str(delta, "stop_reason");
            if (sr != null) stopReason = sr;
            // Counts here are cumulative; output_tokens is the final one. Newer API versions repeat the input counts.
            Map<String, Object> u = Json.obj(data, "usage");
            Long o = Json.count(u, "output_tokens");
            if (o != null) {
              output = o;
              finalOutput = true;
            }
            Long i = Json.count(u, "input_tokens");
            if (i != null) input = i;
            Long cw = Json.count(u, "cache_creation_input_tokens");
            if (cw != null) cacheWrite = cw;
            Long cr = Json.count(u, "cache_read_input_tokens");
            if (cr != null) cacheRead = cr;
          }
          case "message_stop" -> stopped = true;
          case "error" -> {
            ErrorInfo info = errorInfo(data);
            throw new ProviderError(status(info), info);
          }
          default -> { /* ping, content_block_start, content_block_stop */ }
        }
      }

      @Override
      public boolean finished() {
        return stopped;
      }

      @Override
      public LlmResponse result(String requestId) throws WireError {
        if (!stopped) throw new WireError("the stream ended before message_stop");
        if (message == null) throw new WireError("the stream had no message_start");
        String model = Json.str(message, "model");
        // output_tokens in message_start is a placeholder: without a message_delta count the usage is unknown.
        return new LlmResponse(provider(), model != null ? model : request.model(), text.toString(),
            usage(input, output, cacheWrite, cacheRead), stopReason, requestId, Json.str(message, "id"));
      }

      @Override
      public Partial partial(long requestBytes) {
        // message_start reports the input and cache counts exactly; the output count only at message_delta.
        boolean inputKnown = input != null;
        long out = finalOutput ? output : Wire.estimatedTokens(Wire.utf8Length(text), deltaCount);
        LlmUsage u = inputKnown
            ? new LlmUsage(input, out, cacheRead == null ? 0 : cacheRead, cacheWrite == null ? 0 : cacheWrite, 0)
            : new LlmUsage(Wire.estimatedTokens(requestBytes, 0), out, 0, 0, 0);
        return new Partial(u, !(inputKnown && finalOutput));
      }
    };
  }
}
