package io.genrtl.llm.http;

import io.genrtl.core.llm.LlmClient;
import io.genrtl.core.llm.LlmRequest;
import io.genrtl.core.llm.LlmResponse;
import io.genrtl.core.llm.LlmStreamListener;
import java.util.function.BooleanSupplier;

/** What the three public connectors share: one {@link HttpCaller} for their {@link Wire}. */
abstract class Connector implements LlmClient {
  private final HttpCaller caller;

  Connector(LlmHttpConfig config, Wire wire) {
    this.caller = new HttpCaller(config, wire);
  }

  @Override
  public final String provider() {
    return caller.provider();
  }

  @Override
  public final LlmResponse complete(LlmRequest request, LlmStreamListener listener, BooleanSupplier cancel) {
    return caller.complete(request, listener, cancel);
  }

  @Override
  public final String toString() {
    return getClass().getSimpleName() + "[" + caller.url() + "]";
  }
}
