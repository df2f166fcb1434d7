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
 * OpenAI Responses API ({@code POST /responses}). System blocks become {@code instructions} (joined with a blank line:
 * OpenAI caches prompt prefixes by itself, so {@code cacheable} needs no marker); each message one {@code input} item
 * with {@code input_text} parts (user) or {@code output_text} parts (assistant); a schema becomes {@code text.format}
 * ({@code json_schema}); {@code store} is false so that OpenAI keeps no copy of the conversation.
 */
final class ResponsesWire implements Wire {
  static final String DEFAULT_BASE_URL = "https://api.openai.com/v1";

  @Override
  public String provider() {
    return "openai";
  }

  @Override
  public String defaultBaseUrl() {
    return DEFAULT_BASE_URL;
  }

  @Override
  public String path() {
    return "/responses";
  }

  @Override
  public String requestIdHeader() {
    return "x-request-id";
  }

  @Override
  public void authorize(Request.Builder builder, String apiKey) {
    builder.header("Authorization", "Bearer " + apiKey);
  }

  @Override
  public Object body(LlmRequest r) {
    Map<String, Object> b = new LinkedHashMap<>();
    b.put("model", r.model());
    if (!r.system().isEmpty()) b.put("instructions", Wire.joined(r.system()));
    List<Object> input = new ArrayList<>();
    for (LlmRequest.Message m : r.messages()) {
      String partType = "user".equals(m.role()) ? "input_text" : "output_text";
      List<Object> parts = new ArrayList<>();
      for (LlmRequest.Block block : m.content()) {
        Map<String, Object> part = new LinkedHashMap<>();
        part.put("type", partType);
        part.put("text", block.text());
        parts.add(part);
      }
      Map<String, Object> item = new LinkedHashMap<>();
      item.put("role", m.role());
      item.put("content", parts);
      input.add(item);
    }
    b.put("input", input);
    b.put("max_output_tokens", r.maxOutputTokens());
    if (r.schema() != null) {
      Map<String, Object> format = new LinkedHashMap<>();
      format.put("type", "json_schema");
      format.put("name", r.schema().name());
      format.put("schema", Wire.schema(r.schema()));
      format.put("strict", r.schema().strict());
      b.put("text", Map.of("format", format));
    }
    b.put("store", false);
    if (r.stream()) b.put("stream", true);
    return b;
  }

  @Override
  public LlmResponse parse(Map<String, Object> body, LlmRequest request, String requestId) throws WireError, ProviderError {
    return parseResponse(body, request, requestId, null);
  }

  /** A response object; with {@code streamedText} (the deltas), that text is the answer's. */
  private LlmResponse parseResponse(Map<String, Object> body, LlmRequest request, String requestId, String streamedText)
      throws WireError, ProviderError {
    String status = Json.str(body, "status");
    if ("failed".equals(status)) {
      ErrorInfo info = errorInfoOf(Json.obj(body, "error"));
      throw new ProviderError(Wire.openAiStatus(info), info);
    }
    List<?> output = Json.list(body, "output");
    if (output == null) throw new WireError("the response has no output array");
    StringBuilder text = new StringBuilder();
    boolean refusal = false;
    for (Object o : output) {
      if (!(o instanceof Map)) throw new WireError("an output item is not an object");
      Map<String, Object> item = Json.cast(o);
      if (!"message".equals(Json.str(item, "type"))) continue; // reasoning and tool items carry no answer text
      List<?> content = Json.list(item, "content");
      if (content == null) throw new WireError("a message output item has no content array");
      for (Object p : content) {
        if (!(p instanceof Map)) throw new WireError("a content part is not an object");
        Map<String, Object> part = Json.cast(p);
        String type = Json.str(part, "type");
        if ("output_text".equals(type)) {
          String t = Json.str(part, "text");
          if (t == null) throw new WireError("an output_text part has no text");
          text.append(t);
        } else if ("refusal".equals(type)) {
          refusal = true;
        }
      }
    }
    String stop = status;
    if ("incomplete".equals(status)) {
      String reason = Json.str(Json.obj(body, "incomplete_details"), "reason");
      stop = reason != null ? reason : "incomplete";
    }
    String answer = streamedText != null && !streamedText.isEmpty() ? streamedText : text.toString();
    if (refusal && answer.isEmpty()) stop = "refusal";
    LlmUsage usage = Wire.openAiUsage(Json.obj(body, "usage"), "input_tokens", "input_tokens_details", "output_tokens",
        "output_tokens_details");
    String model = Json.str(body, "model");
    return new LlmResponse(provider(), model != null ? model : request.model(), answer, usage, stop, requestId,
        Json.str(body, "id"));
  }

  private static ErrorInfo errorInfoOf(Map<String, Object> e) {
    if (e == null) return ErrorInfo.NONE;
    return new ErrorInfo(Json.str(e, "type"), Json.str(e, "code"), Json.str(e, "message"));
  }

  @Override
  public StreamDecoder decoder(LlmRequest request) {
    return new StreamDecoder() {
      private final StringBuilder text = new StringBuilder();
      private Map<String, Object> terminal;
      private long deltaCount;

      @Override
      public void onEvent(SseReader.Event event, Consumer<String> deltas) throws WireError, ProviderError {
        Map<String, Object> data = data(event);
        String type = Json.str(data, "type");
        if (type == null) type = event.event();
        switch (type) {
          case "response.output_text.delta" -> {
            String delta = Json.str(data, "delta");
            if (delta == null) throw new WireError("an output_text delta has no text");
            text.append(delta);
            deltaCount++;
            deltas.accept(delta);
          }
          case "response.completed", "response.incomplete", "response.failed" -> {
            Map<String, Object> response = Json.obj(data, "response");
            if (response == null) throw new WireError(type + " carries no response");
            if ("response.failed".equals(type)) {
              ErrorInfo info = errorInfoOf(Json.obj(response, "error"));
              throw new ProviderError(Wire.openAiStatus(info), info);
            }
            terminal = response;
          }
          case "error" -> {
            ErrorInfo info = Json.obj(data, "error") != null ? errorInfoOf(Json.obj(data, "error")) : errorInfoOf(data);
            throw new ProviderError(Wire.openAiStatus(info), info);
          }
          default -> { /* created, in_progress, output_item.*, content_part.*, *.done, reasoning events */ }
        }
      }

      @Override
      public boolean finished() {
        return terminal != null;
      }

      @Override
      public LlmResponse result(String requestId) throws WireError {
        if (terminal == null) throw new WireError("the stream ended before response.completed");
        try {
          return parseResponse(terminal, request, requestId, text.toString());
        } catch (ProviderError e) {
          throw new WireError("the completed response reports a failure");
        }
      }

      @Override
      public Partial partial(long requestBytes) {
        // The Responses API reports usage only in the terminal event: before it, everything is an estimate.
        return new Partial(new LlmUsage(Wire.estimatedTokens(requestBytes, 0),
            Wire.estimatedTokens(Wire.utf8Length(text), deltaCount), 0, 0, 0), true);
      }
    };
  }

  static Map<String, Object> data(SseReader.Event event) throws WireError {
    try {
      return Json.parseObject(event.data());
    } catch (Json.Malformed e) {
      throw new WireError("malformed JSON in a " + event.event() + " event", e);
    }
  }
}
