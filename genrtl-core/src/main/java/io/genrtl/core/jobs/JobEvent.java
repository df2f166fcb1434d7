package io.genrtl.core.jobs;

/** One event of a job's stream ({@code status}, {@code step}, {@code delta}, {@code done}), in order by {@code seq}. */
public record JobEvent(String jobId, long seq, String name, String data, long at) {}
