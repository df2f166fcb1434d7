package io.genrtl.core.jobs;

import io.genrtl.core.internal.JsonText;
import io.genrtl.core.llm.LlmStreamListener;
import java.time.Clock;
import java.util.Objects;

/**
 * A model call's streamed text published as the job's {@code delta} events ({@code {"step_id", "text"}}), coalesced:
 * text is buffered and written as one event once {@link #MAX_CHARS} characters are waiting or {@link #MAX_MILLIS} have
 * passed since the first of them (checked as text arrives, and by a timer so text is not held back while the stream is
 * silent), and on {@link #flush()} / {@link #close()}. Every event is a durable row, so a long answer becomes a few
 * dozen rows instead of one commit per token; the concatenated events are exactly the streamed text, in order.
 */
public final class DeltaStream implements LlmStreamListener, AutoCloseable {
  public static final int MAX_CHARS = 4096;
  public static final long MAX_MILLIS = 100;

  /** Runs a task after a delay; returns what cancels it. */
  @FunctionalInterface
  public interface Timer {
    Runnable schedule(Runnable task, long delayMillis);

    /** No timer: buffered text waits for more text or for {@link #flush()}. */
    Timer NONE = (task, delay) -> () -> {};

    /** One shared daemon thread. */
    Timer SHARED = new Timer() {
      private final java.util.concurrent.ScheduledExecutorService exec =
          java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "genrtl-delta-flush");
            t.setDaemon(true);
            return t;
          });

      @Override
      public Runnable schedule(Runnable task, long delayMillis) {
        java.util.concurrent.ScheduledFuture<?> f = exec.schedule(task, delayMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
        return () -> f.cancel(false);
      }
    };
  }

  private final JobContext ctx;
  private final String stepId;
  private final Clock clock;
  private final Timer timer;
  private final StringBuilder buffer = new StringBuilder();
  private long firstAt;
  private Runnable cancelTimer = () -> {};

  public DeltaStream(JobContext ctx, String stepId, Clock clock, Timer timer) {
    this.ctx = Objects.requireNonNull(ctx, "ctx");
    this.stepId = Objects.requireNonNull(stepId, "stepId");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.timer = Objects.requireNonNull(timer, "timer");
  }

  @Override
  public synchronized void onDelta(String text) {
    if (text == null || text.isEmpty()) return;
    long now = clock.millis();
    if (buffer.length() == 0) {
      firstAt = now;
      cancelTimer = timer.schedule(this::flush, MAX_MILLIS);
    }
    buffer.append(text);
    if (buffer.length() >= MAX_CHARS || now - firstAt >= MAX_MILLIS) flush();
  }

  /** Publishes what is buffered, if anything. */
  public synchronized void flush() {
    if (buffer.length() == 0) return;
    cancelTimer.run();
    ctx.emit("delta", "{\"step_id\":" + JsonText.quote(stepId) + ",\"text\":" + JsonText.quote(buffer) + "}");
    buffer.setLength(0);
  }

  @Override
  public void close() {
    flush();
  }
}
