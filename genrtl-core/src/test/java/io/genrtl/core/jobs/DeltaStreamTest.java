package io.genrtl.core.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.genrtl.core.testing.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class DeltaStreamTest {
  /** Quotes, backslashes, control characters, non-ASCII and U+2028 besides plain text. */
  static final String ALPHABET = "ab\"\\\n\t\u0001é€\u2028 {}";
  final List<String> events = new ArrayList<>();
  final MutableClock clock = MutableClock.at("2026-07-01T00:00:00Z");
  final JobContext ctx = new JobContext() {
    @Override
    public Job job() {
      return null;
    }

    @Override
    public void emit(String name, String dataJson) {
      assertThat(name).isEqualTo("delta");
      events.add(dataJson);
    }

    @Override
    public boolean cancelRequested() {
      return false;
    }

    @Override
    public String takeSubmissionHold() {
      return null;
    }
  };

  /** The text of an event, unescaped (the escapes DeltaStream writes). */
  static String text(String json) {
    Matcher m = Pattern.compile("^\\{\"step_id\":\"s1\",\"text\":\"(.*)\"}$", Pattern.DOTALL).matcher(json);
    assertThat(m.matches()).as(json).isTrue();
    String t = m.group(1);
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      if (c == '"' || c < 0x20) throw new AssertionError("unescaped character in " + json);
      if (c != '\\') {
        out.append(c);
        continue;
      }
      char n = t.charAt(++i);
      switch (n) {
        case '"', '\\', '/' -> out.append(n);
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        case 't' -> out.append('\t');
        case 'u' -> {
          out.append((char) Integer.parseInt(t.substring(i + 1, i + 5), 16));
          i += 4;
        }
        default -> throw new AssertionError("bad escape in " + json);
      }
    }
    return out.toString();
  }

  @Test
  void manySmallDeltasBecomeFewEventsWhoseTextIsExactlyTheStream() {
    StringBuilder sent = new StringBuilder();
    Random r = new Random(42);
    try (DeltaStream d = new DeltaStream(ctx, "s1", clock, DeltaStream.Timer.NONE)) {
      for (int i = 0; i < 5000; i++) {
        StringBuilder piece = new StringBuilder();
        for (int k = 0; k < 1 + r.nextInt(4); k++) piece.append(ALPHABET.charAt(r.nextInt(ALPHABET.length())));
        sent.append(piece);
        d.onDelta(piece.toString());
        if (i % 50 == 0) clock.advance(Duration.ofMillis(3));
      }
    }
    StringBuilder got = new StringBuilder();
    for (String e : events) got.append(text(e));
    assertThat(got.toString()).isEqualTo(sent.toString());
    assertThat(events.size()).as("coalesced: %d events for 5000 deltas", events.size()).isBetween(2, 40);
  }

  @Test
  void textWaitsAtMostTheIntervalBeforeItIsPublished() {
    DeltaStream d = new DeltaStream(ctx, "s1", clock, DeltaStream.Timer.NONE);
    d.onDelta("a");
    d.onDelta("b");
    assertThat(events).isEmpty();
    clock.advance(Duration.ofMillis(DeltaStream.MAX_MILLIS));
    d.onDelta("c");
    assertThat(events).singleElement().satisfies(e -> assertThat(text(e)).isEqualTo("abc"));
    d.onDelta("d");
    d.close();
    assertThat(events).hasSize(2);
    assertThat(text(events.get(1))).isEqualTo("d");
    d.close();
    assertThat(events).as("nothing left to publish").hasSize(2);
  }

  @Test
  void theTimerPublishesTextHeldBackWhileTheStreamIsSilentAndIsCanceledByAFlush() {
    List<Runnable> scheduled = new ArrayList<>();
    List<Boolean> canceled = new ArrayList<>();
    DeltaStream d = new DeltaStream(ctx, "s1", clock, (task, delay) -> {
      assertThat(delay).isEqualTo(DeltaStream.MAX_MILLIS);
      scheduled.add(task);
      int i = canceled.size();
      canceled.add(false);
      return () -> canceled.set(i, true);
    });
    d.onDelta("held");
    d.onDelta(" back");
    assertThat(scheduled).as("one timer per buffered batch").hasSize(1);
    scheduled.get(0).run(); // the stream stays silent: the timer fires
    assertThat(events).singleElement().satisfies(e -> assertThat(text(e)).isEqualTo("held back"));
    d.onDelta("next");
    assertThat(scheduled).hasSize(2);
    d.close();
    assertThat(canceled).containsExactly(true, true);
    assertThat(text(events.get(1))).isEqualTo("next");
  }

  @Test
  void aLargeBufferIsPublishedAtOnceAndEmptyDeltasAreIgnored() {
    DeltaStream d = new DeltaStream(ctx, "s1", clock, DeltaStream.Timer.NONE);
    d.onDelta("");
    d.onDelta(null);
    d.onDelta("x".repeat(DeltaStream.MAX_CHARS));
    assertThat(events).hasSize(1);
    d.close();
    assertThat(events).hasSize(1);
  }
}
