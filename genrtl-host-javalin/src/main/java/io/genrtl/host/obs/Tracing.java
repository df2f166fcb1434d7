package io.genrtl.host.obs;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * OpenTelemetry traces: host request → job → provider call → store. Off unless an OTLP endpoint is configured (then
 * {@link #enabled()} is false and nothing is created: no spans, no store proxies). Spans carry {@code genrtl.request_id}
 * and {@code genrtl.job_id}; a job runs on a worker thread later, so its span is made a child of the submitting
 * request's span when this host still remembers it (else it starts its own trace).
 */
public final class Tracing implements AutoCloseable {
  public static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("genrtl.request_id");
  public static final AttributeKey<String> JOB_ID = AttributeKey.stringKey("genrtl.job_id");

  private final SdkTracerProvider provider;
  private final Tracer tracer;
  private record Submitted(Context context, String requestId) {}

  private final Map<String, Submitted> submittedFrom = new LinkedHashMap<>(16, 0.75f, false) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Submitted> e) {
      return size() > 10_000;
    }
  };

  private Tracing(SdkTracerProvider provider) {
    this.provider = provider;
    this.tracer = provider == null ? null : provider.get("io.genrtl.host");
  }

  public static Tracing off() {
    return new Tracing(null);
  }

  /** OTLP over HTTP/protobuf to {@code endpoint}/v1/traces, batched. */
  public static Tracing otlp(String endpoint, String serviceName) {
    String e = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
    return withProcessor(BatchSpanProcessor.builder(OtlpHttpSpanExporter.builder().setEndpoint(e + "/v1/traces").build()).build(),
        serviceName);
  }

  /** Exports each span as it ends (tests: an in-memory exporter). */
  public static Tracing exportingTo(SpanExporter exporter, String serviceName) {
    return withProcessor(SimpleSpanProcessor.create(exporter), serviceName);
  }

  private static Tracing withProcessor(io.opentelemetry.sdk.trace.SpanProcessor p, String serviceName) {
    Resource r = Resource.getDefault().merge(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), serviceName)));
    return new Tracing(SdkTracerProvider.builder().setResource(r).addSpanProcessor(p).build());
  }

  public boolean enabled() {
    return tracer != null;
  }

  /** A started span made current on this thread; {@link Active#end} closes the scope and ends the span. */
  public static final class Active {
    static final Active NONE = new Active(null, null);
    private final Span span;
    private final Scope scope;
    /** A request's server span: ending it forgets it as the thread's request span. */
    private boolean server;

    private Active(Span span, Scope scope) {
      this.span = span;
      this.scope = scope;
    }

    public void attribute(String key, String value) {
      if (span != null && value != null) span.setAttribute(key, value);
    }

    public void name(String name) {
      if (span != null) span.updateName(name);
    }

    public void attribute(String key, long value) {
      if (span != null) span.setAttribute(key, value);
    }

    public void end(boolean error, String outcome) {
      if (span == null) return;
      if (server) SERVER.remove();
      try {
        if (outcome != null) span.setAttribute("genrtl.outcome", outcome);
        if (error) span.setStatus(StatusCode.ERROR, outcome == null ? "error" : outcome);
        scope.close();
      } finally {
        span.end();
      }
    }
  }

  /** The request's server span on this thread (a job submitted by the request is its child, whatever span is current). */
  private static final ThreadLocal<Context> SERVER = new ThreadLocal<>();

  public Active startServer(String name) {
    Active a = start(name, SpanKind.SERVER, Context.current());
    if (a.span != null) {
      SERVER.set(Context.current());
      a.server = true;
    }
    return a;
  }

  public Active startInternal(String name) {
    return start(name, SpanKind.INTERNAL, Context.current());
  }

  public Active startClient(String name) {
    return start(name, SpanKind.CLIENT, Context.current());
  }

  /**
   * Remembers the parent of the job's span: the request's server span when a request submits it (the submission runs
   * inside a store transaction's span, which is not the job's parent), else the current context.
   */
  public void jobSubmitted(String jobId) {
    if (!enabled()) return;
    Context parent = SERVER.get() != null ? SERVER.get() : Context.current();
    if (!Span.fromContext(parent).getSpanContext().isValid()) return;
    synchronized (submittedFrom) {
      submittedFrom.put(jobId, new Submitted(parent, RequestContext.requestId()));
    }
  }

  public Active startJob(String name, String jobId) {
    if (!enabled()) return Active.NONE;
    Submitted from;
    synchronized (submittedFrom) {
      from = submittedFrom.remove(jobId);
    }
    Active a = start(name, SpanKind.CONSUMER, from == null ? Context.root() : from.context());
    a.attribute(JOB_ID.getKey(), jobId);
    if (from != null) a.attribute(REQUEST_ID.getKey(), from.requestId());
    return a;
  }

  /** Runs {@code work} in a child span when a span is current (store calls outside any trace make no root spans). */
  public <T> T inChildSpan(String name, Supplier<T> work) {
    if (!enabled() || !Span.current().getSpanContext().isValid()) return work.get();
    Active a = start(name, SpanKind.INTERNAL, Context.current());
    boolean failed = true;
    try {
      T t = work.get();
      failed = false;
      return t;
    } finally {
      a.end(failed, failed ? "error" : null);
    }
  }

  private Active start(String name, SpanKind kind, Context parent) {
    if (!enabled()) return Active.NONE;
    Span span = tracer.spanBuilder(name).setSpanKind(kind).setParent(parent).startSpan();
    String rid = RequestContext.requestId();
    if (rid != null) span.setAttribute(REQUEST_ID, rid);
    return new Active(span, span.makeCurrent());
  }

  @Override
  public void close() {
    if (provider != null) provider.close();
  }
}
