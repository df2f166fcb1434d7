package io.genrtl.core.jobs;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A job as clients see it ({@link JobService#view}): the job, its steps (folded from its {@code step} events) and
 * what it cost (from its ledger rows), in total and per step. Money is micro-USD.
 */
public record JobView(Job job, List<Step> steps, Usage usage) {
  public JobView {
    Objects.requireNonNull(job, "job");
    steps = List.copyOf(steps);
    Objects.requireNonNull(usage, "usage");
  }

  /** Tokens and micro-USD charged. */
  public record Usage(long inputTokens, long outputTokens, long cachedInputTokens, long cacheWriteTokens, long usdMicros) {
    public static final Usage NONE = new Usage(0, 0, 0, 0, 0);

    Usage plus(Usage o) {
      return new Usage(inputTokens + o.inputTokens, outputTokens + o.outputTokens, cachedInputTokens + o.cachedInputTokens,
          cacheWriteTokens + o.cacheWriteTokens, usdMicros + o.usdMicros);
    }
  }

  /**
   * One step: when its first event was written, when it last reported a status other than {@code running} (null while
   * it runs), the fields of its events merged in order (a later event's value wins; the first event fixes the order),
   * and the usage its ledger rows carry.
   */
  public record Step(String stepId, long startedAt, Long finishedAt, Map<String, Object> fields, Usage usage) {
    public Step {
      Objects.requireNonNull(stepId, "stepId");
      fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
      Objects.requireNonNull(usage, "usage");
    }
  }
}
