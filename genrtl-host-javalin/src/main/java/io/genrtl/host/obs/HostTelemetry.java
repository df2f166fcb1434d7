package io.genrtl.host.obs;

import io.genrtl.core.Telemetry;
import io.genrtl.core.base.Span;
import io.genrtl.core.jobs.Job;
import io.genrtl.core.llm.LlmUsage;
import io.genrtl.core.pool.UsageKind;

/** The core's {@link Telemetry} port on Micrometer ({@link Metrics}), OpenTelemetry ({@link Tracing}) and the log context. */
public final class HostTelemetry implements Telemetry {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(HostTelemetry.class);
  private final Metrics metrics;
  private final Tracing tracing;

  public HostTelemetry(Metrics metrics, Tracing tracing) {
    this.metrics = metrics;
    this.tracing = tracing;
  }

  @Override
  public void jobSubmitted(Job job) {
    metrics.jobSubmitted(job.type());
    tracing.jobSubmitted(job.jobId());
  }

  @Override
  public Span jobStarted(Job job) {
    long start = System.nanoTime();
    String previous = RequestContext.jobId();
    RequestContext.setJob(job.jobId());
    Tracing.Active span = tracing.startJob("job " + job.type(), job.jobId());
    span.attribute("genrtl.job_type", job.type());
    span.attribute("genrtl.job_attempt", job.attempts());
    return outcome -> {
      try {
        long nanos = System.nanoTime() - start;
        metrics.job(job.type(), outcome, nanos);
        LOG.info("job {} {} after {} ms (attempt {})", job.type(), outcome, nanos / 1_000_000, job.attempts());
        span.end(!"succeeded".equals(outcome), outcome);
      } finally {
        RequestContext.setJob(previous);
      }
    };
  }

  @Override
  public Span providerCallStarted(String provider, String model) {
    long start = System.nanoTime();
    Tracing.Active span = tracing.startClient("llm " + provider);
    span.attribute("gen_ai.system", provider);
    span.attribute("gen_ai.request.model", model);
    return outcome -> {
      metrics.providerCall(provider, model, outcome, System.nanoTime() - start);
      span.end(!"ok".equals(outcome), outcome);
    };
  }

  @Override
  public void tokens(String provider, String model, LlmUsage u) {
    metrics.tokens(provider, model, "input", u.inputTokens());
    metrics.tokens(provider, model, "cached_input", u.cachedInputTokens());
    metrics.tokens(provider, model, "cache_write", u.cacheWriteTokens());
    metrics.tokens(provider, model, "output", u.outputTokens());
  }

  @Override
  public void charged(UsageKind kind, long micros) {
    metrics.charged(kind.wire(), micros);
  }

  @Override
  public void paymentRefused(String code) {
    metrics.paymentRefused(code);
  }
}
