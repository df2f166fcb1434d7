package io.genrtl.host.http;

import java.util.Map;

/**
 * A plan's limits (the plans file's {@code limits} object; 0 turns one off): requests per minute per user, job and tool
 * submissions per minute per user, and jobs queued or running at once per user.
 */
public record PlanLimits(int requestsPerMinute, int jobSubmitsPerMinute, int concurrentJobs) {
  /** A plan without a {@code limits} object. */
  public static final PlanLimits DEFAULTS = new PlanLimits(600, 30, 2);

  public PlanLimits {
    if (requestsPerMinute < 0 || jobSubmitsPerMinute < 0 || concurrentJobs < 0) {
      throw new IllegalArgumentException("limits must not be negative");
    }
  }

  /** These limits with an operator's overrides ({@code requests_per_minute}, ... from the environment) applied. */
  public PlanLimits with(Map<String, Integer> overrides) {
    if (overrides == null) return this;
    return new PlanLimits(overrides.getOrDefault("requests_per_minute", requestsPerMinute),
        overrides.getOrDefault("job_submits_per_minute", jobSubmitsPerMinute),
        overrides.getOrDefault("concurrent_jobs", concurrentJobs));
  }
}
