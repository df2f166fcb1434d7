package io.genrtl.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.genrtl.host.http.Json;
import io.genrtl.jobs.RepairJob;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The offline model providers of {@code ./genrtl demo}: a small JDK HTTP server on loopback that answers with
 * RECORDED answers, in the providers' exact wire formats (including usage), so the real connectors of
 * {@code genrtl-llm-http} talk to it unchanged. No model is called; it says so when it starts.
 *
 * <ul>
 *   <li>{@code POST /v1/responses} (OpenAI Responses, the Plan step): the recorded plan JSON ({@link #plan()}), as one
 *       response object, or with {@code "stream": true} as Server-Sent Events ({@code response.created} …
 *       {@code response.output_text.delta} … {@code response.completed} with usage {@code input_tokens},
 *       {@code input_tokens_details.cached_tokens}, {@code output_tokens}, {@code output_tokens_details.reasoning_tokens}).
 *   <li>{@code POST /v1/messages} (Anthropic Messages, Implement and Repair): a unified diff, as one message or with
 *       {@code "stream": true} as {@code message_start} / {@code content_block_delta} / {@code message_delta} /
 *       {@code message_stop} events, with usage {@code input_tokens}, {@code cache_creation_input_tokens},
 *       {@code cache_read_input_tokens}, {@code output_tokens}. <b>Which diff:</b> the Repair answer ({@link
 *       #repairPatch()}) when the system prompt is the Repair job's (it begins with {@link RepairJob#PROMPT_MARKER});
 *       otherwise the Implement answer ({@link #implementPatch()}).
 * </ul>
 *
 * <p>The recorded design is {@code pack16}: a byte stream packed into 16-bit words through the seed {@code sync_fifo}
 * CBB, with a self-checking testbench {@code tb/tb_pack16.sv} that prints {@code PASS}. The Implement patch adds the
 * module and the testbench with a real bug (the two bytes of a word in the wrong order, so the testbench prints
 * {@code FAIL: 32 errors}); the Repair patch swaps them back. A request without the provider's auth headers gets the
 * provider's 401 error; any key is accepted otherwise.
 */
public final class RecordedProviders implements AutoCloseable {
  static final String RESOURCES = "/io/genrtl/demo/";
  private static final int CHUNK = 64;

  private final HttpServer server;
  private final ExecutorService executor;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<String, AtomicInteger> served = new java.util.concurrent.ConcurrentHashMap<>();

  private RecordedProviders(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /** Starts on a free loopback port and prints that the answers are recorded. */
  public static RecordedProviders start(PrintStream out) {
    return start(0, out);
  }

  public static RecordedProviders start(int port, PrintStream out) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the recorded providers on port " + port, e);
    }
    ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "recorded-providers");
      t.setDaemon(true);
      return t;
    });
    RecordedProviders p = new RecordedProviders(server, executor);
    server.createContext("/v1/responses", p::responses);
    server.createContext("/v1/messages", p::messages);
    server.createContext("/", ex -> p.send(ex, 404, "application/json",
        "{\"error\":{\"type\":\"not_found_error\",\"message\":\"the recorded providers serve /v1/responses and /v1/messages\"}}",
        Map.of()));
    server.setExecutor(executor);
    server.start();
    out.println("Recorded model providers on " + p.baseUrl() + " (OpenAI Responses /v1/responses, Anthropic Messages "
        + "/v1/messages): these are RECORDED answers for the demo design, no real model is called.");
    out.flush();
    return p;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** {@code http://127.0.0.1:<port>/v1}: the value for both {@code OPENAI_BASE_URL} and {@code ANTHROPIC_BASE_URL}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + port() + "/v1";
  }

  /** How many answers of each kind ({@code plan}, {@code implement}, {@code repair}) were served. */
  public Map<String, Integer> served() {
    Map<String, Integer> m = new LinkedHashMap<>();
    for (String k : List.of("plan", "implement", "repair")) m.put(k, served.getOrDefault(k, new AtomicInteger()).get());
    return m;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  // ------------------------------------------------------------------ the recorded texts

  /** The Plan answer: JSON valid against {@code docs/plan.schema.json}. */
  public static String plan() {
    return resource("plan.json");
  }

  /** The Implement answer: a unified diff adding {@code rtl/pack16.sv} (with the bug) and {@code tb/tb_pack16.sv}. */
  public static String implementPatch() {
    return resource("implement.diff");
  }

  /** The Repair answer: a unified diff fixing the byte order in {@code rtl/pack16.sv}. */
  public static String repairPatch() {
    return resource("repair.diff");
  }

  static String resource(String name) {
    try (InputStream in = RecordedProviders.class.getResourceAsStream(RESOURCES + name)) {
      if (in == null) throw new IllegalStateException("missing resource " + name);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ------------------------------------------------------------------ OpenAI Responses

  private void responses(HttpExchange ex) throws IOException {
    Map<String, Object> req = request(ex);
    if (req == null) return;
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    if (auth == null || !auth.startsWith("Bearer ") || auth.length() < 8) {
      send(ex, 401, "application/json", "{\"error\":{\"message\":\"You didn't provide an API key.\",\"type\":"
          + "\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}", Map.of());
      return;
    }
    String model = String.valueOf(req.getOrDefault("model", "gpt-5.1"));
    String text = plan().strip();
    served.computeIfAbsent("plan", k -> new AtomicInteger()).incrementAndGet();
    String respId = "resp_recorded" + ids.incrementAndGet();
    String msgId = "msg_recorded" + ids.incrementAndGet();
    Map<String, Object> usage = new LinkedHashMap<>();
    usage.put("input_tokens", 1850);
    usage.put("input_tokens_details", Map.of("cached_tokens", 1024));
    usage.put("output_tokens", 920);
    usage.put("output_tokens_details", Map.of("reasoning_tokens", 256));
    usage.put("total_tokens", 2770);
    Map<String, String> headers = Map.of("x-request-id", "req_recorded" + ids.incrementAndGet(), "openai-model", model);
    if (!Boolean.TRUE.equals(req.get("stream"))) {
      send(ex, 200, "application/json", Json.write(response(respId, msgId, model, "completed", text, usage)), headers);
      return;
    }
    List<String> events = new ArrayList<>();
    int[] seq = {0};
    java.util.function.BiConsumer<String, Map<String, Object>> ev = (type, data) -> {
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("type", type);
      d.put("sequence_number", seq[0]++);
      d.putAll(data);
      events.add("event: " + type + "\ndata: " + Json.write(d) + "\n\n");
    };
    ev.accept("response.created", Map.of("response", response(respId, msgId, model, "in_progress", null, null)));
    ev.accept("response.in_progress", Map.of("response", response(respId, msgId, model, "in_progress", null, null)));
    Map<String, Object> item = new LinkedHashMap<>();
    item.put("id", msgId);
    item.put("type", "message");
    item.put("status", "in_progress");
    item.put("role", "assistant");
    item.put("content", List.of());
    ev.accept("response.output_item.added", Map.of("output_index", 0, "item", item));
    ev.accept("response.content_part.added", part(msgId, Map.of("type", "output_text", "text", "", "annotations", List.of())));
    for (String chunk : chunks(text)) {
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("item_id", msgId);
      d.put("output_index", 0);
      d.put("content_index", 0);
      d.put("delta", chunk);
      d.put("logprobs", List.of());
      ev.accept("response.output_text.delta", d);
    }
    Map<String, Object> doneText = new LinkedHashMap<>();
    doneText.put("item_id", msgId);
    doneText.put("output_index", 0);
    doneText.put("content_index", 0);
    doneText.put("text", text);
    doneText.put("logprobs", List.of());
    ev.accept("response.output_text.done", doneText);
    ev.accept("response.content_part.done", part(msgId, Map.of("type", "output_text", "text", text, "annotations", List.of())));
    Map<String, Object> full = response(respId, msgId, model, "completed", text, usage);
    ev.accept("response.output_item.done", Map.of("output_index", 0, "item", ((List<?>) full.get("output")).get(0)));
    ev.accept("response.completed", Map.of("response", full));
    stream(ex, events, headers);
  }

  private static Map<String, Object> part(String msgId, Map<String, Object> part) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("item_id", msgId);
    d.put("output_index", 0);
    d.put("content_index", 0);
    d.put("part", part);
    return d;
  }

  /** A Responses API response object; {@code text} null while in progress (no output yet, usage null). */
  private static Map<String, Object> response(String id, String msgId, String model, String status, String text,
      Map<String, Object> usage) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("id", id);
    r.put("object", "response");
    r.put("created_at", 1780272000);
    r.put("status", status);
    r.put("error", null);
    r.put("incomplete_details", null);
    r.put("model", model);
    List<Object> output = new ArrayList<>();
    if (text != null) {
      Map<String, Object> msg = new LinkedHashMap<>();
      msg.put("id", msgId);
      msg.put("type", "message");
      msg.put("status", "completed");
      msg.put("role", "assistant");
      msg.put("content", List.of(Map.of("type", "output_text", "text", text, "annotations", List.of())));
      output.add(msg);
    }
    r.put("output", output);
    r.put("store", false);
    r.put("usage", usage);
    return r;
  }

  // ------------------------------------------------------------------ Anthropic Messages

  private void messages(HttpExchange ex) throws IOException {
    Map<String, Object> req = request(ex);
    if (req == null) return;
    if (ex.getRequestHeaders().getFirst("x-api-key") == null || ex.getRequestHeaders().getFirst("anthropic-version") == null) {
      send(ex, 401, "application/json", "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":"
          + "\"x-api-key and anthropic-version headers are required\"}}", Map.of());
      return;
    }
    String model = String.valueOf(req.getOrDefault("model", "claude-sonnet-4-6"));
    boolean repair = isRepair(req);
    String kind = repair ? "repair" : "implement";
    served.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
    String text = repair ? repairPatch() : implementPatch();
    // recorded usage: the implement call writes the stable prompt prefix to the cache, the repair call reads it
    long input = repair ? 2140 : 3310;
    long cacheWrite = repair ? 0 : 2048;
    long cacheRead = repair ? 2048 : 0;
    long output = repair ? 240 : 2180;
    String msgId = "msg_recorded" + ids.incrementAndGet();
    Map<String, String> headers = Map.of("request-id", "req_recorded" + ids.incrementAndGet());
    Map<String, Object> usage = new LinkedHashMap<>();
    usage.put("input_tokens", input);
    usage.put("cache_creation_input_tokens", cacheWrite);
    usage.put("cache_read_input_tokens", cacheRead);
    usage.put("output_tokens", output);
    if (!Boolean.TRUE.equals(req.get("stream"))) {
      send(ex, 200, "application/json", Json.write(message(msgId, model, List.of(Map.of("type", "text", "text", text)),
          "end_turn", usage)), headers);
      return;
    }
    List<String> events = new ArrayList<>();
    java.util.function.BiConsumer<String, Map<String, Object>> ev = (type, data) -> {
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("type", type);
      d.putAll(data);
      events.add("event: " + type + "\ndata: " + Json.write(d) + "\n\n");
    };
    Map<String, Object> startUsage = new LinkedHashMap<>(usage);
    startUsage.put("output_tokens", 1); // a placeholder in message_start, as the API sends it
    ev.accept("message_start", Map.of("message", message(msgId, model, List.of(), null, startUsage)));
    ev.accept("content_block_start", Map.of("index", 0, "content_block", Map.of("type", "text", "text", "")));
    ev.accept("ping", Map.of());
    for (String chunk : chunks(text)) {
      ev.accept("content_block_delta", Map.of("index", 0, "delta", Map.of("type", "text_delta", "text", chunk)));
    }
    ev.accept("content_block_stop", Map.of("index", 0));
    Map<String, Object> delta = new LinkedHashMap<>();
    delta.put("stop_reason", "end_turn");
    delta.put("stop_sequence", null);
    ev.accept("message_delta", Map.of("delta", delta, "usage", Map.of("output_tokens", output)));
    ev.accept("message_stop", Map.of());
    stream(ex, events, headers);
  }

  private static Map<String, Object> message(String id, String model, List<Object> content, String stopReason,
      Map<String, Object> usage) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id);
    m.put("type", "message");
    m.put("role", "assistant");
    m.put("model", model);
    m.put("content", content);
    m.put("stop_reason", stopReason);
    m.put("stop_sequence", null);
    m.put("usage", usage);
    return m;
  }

  /**
   * Repair when the request's system prompt begins with the Repair job's own marker ({@link RepairJob#PROMPT_MARKER}),
   * which the Implement prompt never has; the user's material (plan, files, evidence) is never looked at, so a plan or
   * a file that happens to mention "evidence" or "repair" cannot flip the answer.
   */
  static boolean isRepair(Map<String, Object> req) {
    StringBuilder system = new StringBuilder();
    collectText(req.get("system"), system);
    return system.toString().stripLeading().startsWith(RepairJob.PROMPT_MARKER);
  }

  private static void collectText(Object node, StringBuilder out) {
    if (node instanceof String s) {
      out.append(s).append('\n');
    } else if (node instanceof List<?> l) {
      for (Object o : l) collectText(o, out);
    } else if (node instanceof Map<?, ?> m) {
      collectText(m.get("text"), out);
      collectText(m.get("content"), out);
    }
  }

  // ------------------------------------------------------------------ HTTP

  /** The JSON body of a POST, or null after answering 405 / 400 in the provider-neutral error shape. */
  private Map<String, Object> request(HttpExchange ex) throws IOException {
    if (!"POST".equals(ex.getRequestMethod())) {
      send(ex, 405, "application/json", "{\"error\":{\"type\":\"invalid_request_error\",\"message\":\"POST only\"}}", Map.of());
      return null;
    }
    byte[] body;
    try (InputStream in = ex.getRequestBody()) {
      body = in.readNBytes(8 << 20);
    }
    Object parsed;
    try {
      parsed = Json.parse(body);
    } catch (RuntimeException e) {
      parsed = null;
    }
    if (!(parsed instanceof Map)) {
      send(ex, 400, "application/json", "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":"
          + "\"the body must be a JSON object\"}}", Map.of());
      return null;
    }
    @SuppressWarnings("unchecked") Map<String, Object> m = (Map<String, Object>) parsed;
    return m;
  }

  private void send(HttpExchange ex, int status, String type, String body, Map<String, String> headers) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** Server-Sent Events, chunked, one flush per event (the real APIs stream them as they are produced). */
  private void stream(HttpExchange ex, List<String> events, Map<String, String> headers) throws IOException {
    ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
    ex.getResponseHeaders().set("Cache-Control", "no-cache");
    headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
    ex.sendResponseHeaders(200, 0);
    try (OutputStream out = ex.getResponseBody()) {
      for (String e : events) {
        out.write(e.getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
    }
  }

  /** The text cut into pieces of at most {@value #CHUNK} characters (never inside a surrogate pair). */
  static List<String> chunks(String text) {
    List<String> out = new ArrayList<>();
    int i = 0;
    while (i < text.length()) {
      int end = Math.min(text.length(), i + CHUNK);
      if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) end--;
      out.add(text.substring(i, end));
      i = end;
    }
    return out;
  }

  /** Runs the stub alone: {@code java -cp genrtl.jar io.genrtl.demo.RecordedProviders [port]}. */
  public static void main(String[] args) throws InterruptedException {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
    RecordedProviders p = start(port, System.out);
    Runtime.getRuntime().addShutdownHook(new Thread(p::close));
    Thread.currentThread().join();
  }
}
