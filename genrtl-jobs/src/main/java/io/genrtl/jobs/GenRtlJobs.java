package io.genrtl.jobs;

import io.genrtl.core.GenRtl;
import io.genrtl.core.jobs.JobHandler;
import java.util.Objects;

/**
 * The product's model jobs, registered on a {@link GenRtl.Builder}: {@code plan} ({@link PlanJob}), {@code implement}
 * ({@link ImplementJob}) and {@code repair} ({@link RepairJob}). Each is built from the library's own model gateway
 * ({@code GenRtl.builder().llm(connectors…)}) when the library is, so there is nothing to wire by hand:
 *
 * <pre>{@code
 * GenRtl genrtl = GenRtlJobs.install(GenRtl.builder().stores(stores).llm(openAi, anthropic)).build();
 * }</pre>
 *
 * Run the queued jobs with a {@link io.genrtl.core.jobs.JobRunner}.
 */
public final class GenRtlJobs {
  private GenRtlJobs() {}

  /** Registers the plan, implement and repair jobs; returns the builder. */
  public static GenRtl.Builder install(GenRtl.Builder builder) {
    Objects.requireNonNull(builder, "builder");
    return builder.jobHandler(PlanJob.TYPE, plan()).jobHandler(ImplementJob.TYPE, implement())
        .jobHandler(RepairJob.TYPE, repair());
  }

  /** The {@code plan} job: a spec in, a plan valid against {@link PlanJob#schemaText()} out. */
  public static JobHandler.Factory plan() {
    return env -> new PlanJob(env.llm(), env.ids());
  }

  /** The {@code implement} job: a plan and files in, a policy-checked unified diff out. */
  public static JobHandler.Factory implement() {
    return env -> new ImplementJob(env.llm(), env.ids());
  }

  /** The {@code repair} job: the evidence of a failed tool run and files in, a policy-checked unified diff out. */
  public static JobHandler.Factory repair() {
    return env -> new RepairJob(env.llm(), env.ids());
  }
}
