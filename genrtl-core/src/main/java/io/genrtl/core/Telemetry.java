package io.genrtl.core;

import io.genrtl.core.jobs.JobTelemetry;
import io.genrtl.core.llm.LlmTelemetry;
import io.genrtl.core.pool.PoolTelemetry;

/**
 * What the library tells an observer (metrics, traces, log context) about its work: jobs, provider calls and charges.
 * Each domain owns its part ({@link JobTelemetry}, {@link LlmTelemetry}, {@link PoolTelemetry}, spans are
 * {@link io.genrtl.core.base.Span}); this interface joins them for {@link GenRtl.Builder#telemetry}. Every method has
 * a no-op default and {@link #NONE} is the builder's default, so the core stays free of any metrics or tracing
 * library; the host implements it with Micrometer and OpenTelemetry. Implementations must be fast, thread-safe and
 * never throw.
 */
public interface Telemetry extends JobTelemetry, LlmTelemetry, PoolTelemetry {
  Telemetry NONE = new Telemetry() {};
}
