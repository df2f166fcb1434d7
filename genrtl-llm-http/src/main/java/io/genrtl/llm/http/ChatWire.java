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
 * OpenAI Chat Completions ({@code POST /chat/completions}), also spoken by OpenAI-compatible gateways and servers.
 * System blocks become one {@code system} message and each turn one message whose content is its blocks joined with a
 * blank line (plain strings are what every compatible server accepts); a schema becomes {@code response_format}
 * ({@code json_schema}); streams ask for {@code stream_options.include_usage}.
 */
final class ChatWire implements Wire {
  @Override
  public String provider() {
    return "openai";
  }

  @Override
  public String defaultBaseUrl() {
    return ResponsesWire.DEFAULT_BASE_URL;
  }

  @Override
  public String path() {
    return "/chat/completions";
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
    List<Object> messages = new ArrayList<>();
    if (!r.system().isEmpty()) messages.add(message("system", Wire.joined(r.system())));
    for (LlmRequest.Message m : r.messages()) messages.add(message(m.role(), Wire.joined(m.content())));
    b.put("messages", messages);
    b.put("max_completion_tokens", r.maxOutputTokens());
    if (r.schema() != null) {
      Map<String, Object> schema = new LinkedHashMap<>();
      schema.put("name", r.schema().name());
      schema.put("schema", Wire.schema(r.schema()));
      schema.put("strict", r.schema().strict());
      Map<String, Object> format = new LinkedHashMap<>();
      format.put("type", "json_schema");
      format.put("json_schema", schema);
      b.put("response_format", format);
    }
    if (r.stream()) {
      b.put("stream", true);
      b.put("stream_options", Map.of("include_usage", true));
    }
    return b;
  }

  private static Map<String, Object> message(String role, String content) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("role", role);
    m.put("content", content);
    return m;
  }

  @Override
  public LlmResponse parse(Map<String, Object> body, LlmRequest request, String requestId) throws WireError, ProviderError {
    if (Json.obj(body, "error") != null) {
      ErrorInfo info = errorInfo(body);
      throw new ProviderError(Wire.openAiStatus(info), info);
    }
    List<?> choices = Json.list(body, "choices");
    if (choices == null || choices.isEmpty() || !(choices.get(0) instanceof Map)) throw new WireError("the completion has no choices");
    Map<String, Object> choice = Json.cast(choices.get(0));
    Map<String, Object> message = Json.obj(choice, "message");
    if (message == null) throw new WireError("the first choice has no message");
    String text = content(message.get("content"));
    String stop = Json.str(choice, "finish_reason");
    if (text.isEmpty() && Json.str(message, "refusal") != null) stop = "refusal";
    return response(body, request, requestId, text, stop, usage(Json.obj(body, "usage")));
  }

  /** A string, null, or (some compatible servers) an array of {@code {type: text, text}} parts. */
  private static String content(Object content) throws WireError {
    if (content == null) return "";
    if (content instanceof String s) return s;
    if (content instanceof List<?> parts) {
      StringBuilder sb = new StringBuilder();
      for (Object p : parts) {
        if (p instanceof Map && "text".equals(Json.str(Json.cast(p), "type"))) {
          String t = Json.str(Json.cast(p), "text");
          if (t != null) sb.append(t);
        }
      }
      return sb.toString();
    }
    throw new WireError("message content is neither a string nor an array");
  }

  private LlmResponse response(Map<String, Object> body, LlmRequest request, String requestId, String text, String stop,
      LlmUsage usage) {
    String model = Json.str(body, "model");
    return new LlmResponse(provider(), model != null ? model : request.model(), text, usage, stop, requestId,
        Json.str(body, "id"));
  }

  private static LlmUsage usage(Map<String, Object> usage) {
    return Wire.openAiUsage(usage, "prompt_tokens", "prompt_tokens_details", "completion_tokens", "completion_tokens_details");
  }

  @Override
  public StreamDecoder decoder(LlmRequest request) {
    return new StreamDecoder() {
      private final StringBuilder text = new StringBuilder();
      private Map<String, Object> usage;
      private Map<String, Object> lastChunk;
      private String finishReason;
      private boolean refusal;
      private boolean done;
      private long deltaCount;

      @Override
      public void onEvent(SseReader.Event event, Consumer<String> deltas) throws WireError, ProviderError {
        if ("[DONE]".equals(event.data().strip())) {
          done = true;
          return;
        }
        Map<String, Object> chunk = ResponsesWire.data(event);
        if (Json.obj(chunk, "error") != null) {
          ErrorInfo info = errorInfo(chunk);
          throw new ProviderError(Wire.openAiStatus(info), info);
        }
        lastChunk = chunk;
        Map<String, Object> u = Json.obj(chunk, "usage");
        if (u != null) usage = u;
        List<?> choices = Json.list(chunk, "choices");
        if (choices == null || choices.isEmpty()) return; // the usage chunk has no choices
        if (!(choices.get(0) instanceof Map)) throw new WireError("a choice is not an object");
        Map<String, Object> choice = Json.cast(choices.get(0));
        Map<String, Object> delta = Json.obj(choice, "delta");
        if (delta != null) {
          Object c = delta.get("content");
          if (c != null && !(c instanceof String)) throw new WireError("delta content is not a string");
          if (c != null && !((String) c).isEmpty()) {
            text.append((String) c);
            deltaCount++;
            deltas.accept((String) c);
          }
          if (Json.str(delta, "refusal") != null) refusal = true;
        }
        String fr = Json.str(choice, "finish_reason");
        if (fr != null) finishReason = fr;
      }

      @Override
      public boolean finished() {
        return done;
      }

      @Override
      public LlmResponse result(String requestId) throws WireError {
        // [DONE] ends a stream; some compatible servers omit it, which is accepted once a choice has finished.
        if (!done && finishReason == null) throw new WireError("the stream ended before [DONE]");
        if (lastChunk == null) throw new WireError("the stream carried no chunk");
        String stop = refusal && text.length() == 0 ? "refusal" : finishReason;
        return response(lastChunk, request, requestId, text.toString(), stop, ChatWire.usage(usage));
      }

      @Override
      public Partial partial(long requestBytes) {
        LlmUsage known = ChatWire.usage(usage); // the usage chunk comes last, so this is rare
        if (known != null) return new Partial(known, false);
        return new Partial(new LlmUsage(Wire.estimatedTokens(requestBytes, 0),
            Wire.estimatedTokens(Wire.utf8Length(text), deltaCount), 0, 0, 0), true);
      }
    };
  }
}
