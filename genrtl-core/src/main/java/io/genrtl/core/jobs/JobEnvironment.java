package io.genrtl.core.jobs;

import io.genrtl.core.cbb.CbbService;
import io.genrtl.core.llm.LlmGateway;
import io.genrtl.core.pool.PoolService;
import io.genrtl.core.base.IdGenerator;
import java.time.Clock;

/**
 * What a {@link JobHandler.Factory} may build a handler from: the services a job needs (the model gateway, the pool,
 * the CBB registry), none of which depends on jobs, so the library's construction stays acyclic.
 *
 * @param llm the gateway built from {@code GenRtl.builder().llm(…)} (with no connectors every model call is refused)
 */
public record JobEnvironment(Clock clock, IdGenerator ids, PoolService pool, CbbService cbbs, LlmGateway llm,
    JobTelemetry telemetry) {}
