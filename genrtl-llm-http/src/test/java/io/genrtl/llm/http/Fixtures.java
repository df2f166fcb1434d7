package io.genrtl.llm.http;

import io.genrtl.core.llm.LlmRequest;
import io.genrtl.core.llm.LlmRequest.Block;
import io.genrtl.core.llm.LlmRequest.Message;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** Shared test data: the key, requests, a recording sleeper, captured console output. */
final class Fixtures {
  private Fixtures() {}

  static final String KEY = "test-key";

  static final String PLAN_SCHEMA = "{\"type\":\"object\",\"properties\":{\"steps\":{\"type\":\"array\","
      + "\"items\":{\"type\":\"string\"},\"maxItems\":5}},\"required\":[\"steps\"],\"additionalProperties\":false}";

  static final List<Block> SYSTEM = List.of(new Block("You are an RTL planner.", true), new Block("Project: fifo16", false));

  /** A Plan step: strict structured output. */
  static LlmRequest plan(String model, boolean stream) {
    return new LlmRequest("call-plan-1", model, SYSTEM, List.of(Message.user("Plan a FIFO.")), 1024,
        new LlmRequest.JsonSchema("plan", PLAN_SCHEMA, true), stream);
  }

  /** An Implement step: free text (a diff), no schema. */
  static LlmRequest implement(String model, boolean stream) {
    return new LlmRequest("call-impl-1", model, SYSTEM, List.of(Message.user("Write the FIFO.")), 2048, null, stream);
  }

  /** Config pointing at a stub, with a recording sleeper and a seeded jitter source. */
  static LlmHttpConfig.Builder config(String baseUrl, Sleeps sleeps) {
    return LlmHttpConfig.builder(KEY)
        .baseUrl(baseUrl)
        .connectTimeout(Duration.ofSeconds(2))
        .readTimeout(Duration.ofSeconds(5))
        .callTimeout(Duration.ofSeconds(10))
        .cancelPollInterval(Duration.ofMillis(20))
        .sleeper(sleeps)
        .random(new Random(42));
  }

  /** A sleeper that records the waits and takes none; {@code onSleep} runs inside each wait. */
  static final class Sleeps implements Sleeper {
    final List<Duration> waits = Collections.synchronizedList(new ArrayList<>());
    volatile Runnable onSleep = () -> {};

    @Override
    public void sleep(Duration duration) {
      waits.add(duration);
      onSleep.run();
    }
  }

  /** Deltas as the listener saw them. */
  static final class Deltas implements io.genrtl.core.llm.LlmStreamListener {
    final List<String> seen = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void onDelta(String text) {
      seen.add(text);
    }

    String joined() {
      return String.join("", seen);
    }
  }

  /** SSE body from lines, each ended with {@code eol}. */
  static String sse(String eol, String... lines) {
    StringBuilder sb = new StringBuilder();
    for (String l : lines) sb.append(l).append(eol);
    return sb.toString();
  }

  /** Tees System.out and System.err (slf4j-simple, WireMock and OkHttp all write there) while installed. */
  static final class ConsoleCapture implements AutoCloseable {
    private final PrintStream out = System.out;
    private final PrintStream err = System.err;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    ConsoleCapture() {
      System.setOut(new PrintStream(tee(out), true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(tee(err), true, StandardCharsets.UTF_8));
    }

    private OutputStream tee(PrintStream original) {
      return new OutputStream() {
        @Override
        public void write(int b) {
          synchronized (captured) {
            captured.write(b);
          }
          original.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
          synchronized (captured) {
            captured.write(b, off, len);
          }
          original.write(b, off, len);
        }
      };
    }

    String text() {
      synchronized (captured) {
        return captured.toString(StandardCharsets.UTF_8);
      }
    }

    @Override
    public void close() {
      System.setOut(out);
      System.setErr(err);
    }
  }
}
