package io.genrtl.core.llm;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/** A connector that answers from a script: a test double for the port (the real connectors are tested on WireMock). */
final class ScriptedLlmClient implements LlmClient {
  private final String provider;
  private final Deque<Function<LlmRequest, LlmResponse>> script = new ArrayDeque<>();
  private Function<LlmRequest, LlmResponse> fallback;
  final AtomicInteger calls = new AtomicInteger();
  final List<LlmRequest> requests = new java.util.concurrent.CopyOnWriteArrayList<>();

  ScriptedLlmClient(String provider) {
    this.provider = provider;
  }

  ScriptedLlmClient then(Function<LlmRequest, LlmResponse> step) {
    script.add(step);
    return this;
  }

  ScriptedLlmClient always(Function<LlmRequest, LlmResponse> step) {
    fallback = step;
    return this;
  }

  static Function<LlmRequest, LlmResponse> answer(String text, LlmUsage usage) {
    return r -> new LlmResponse("x", r.model(), text, usage, "stop", "req_1", "resp_1");
  }

  @Override
  public String provider() {
    return provider;
  }

  @Override
  public LlmResponse complete(LlmRequest request, LlmStreamListener listener, BooleanSupplier cancel) {
    calls.incrementAndGet();
    requests.add(request);
    Function<LlmRequest, LlmResponse> step;
    synchronized (script) {
      step = script.isEmpty() ? fallback : script.poll();
    }
    if (step == null) throw new AssertionError("unexpected call");
    return step.apply(request);
  }

  List<String> models() {
    List<String> out = new ArrayList<>();
    for (LlmRequest r : requests) out.add(r.model());
    return out;
  }
}
