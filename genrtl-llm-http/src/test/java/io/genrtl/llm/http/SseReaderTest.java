package io.genrtl.llm.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import okio.Buffer;
import okio.BufferedSource;
import okio.Okio;
import okio.Source;
import okio.Timeout;
import org.junit.jupiter.api.Test;

class SseReaderTest {
  private static final String STREAM = """
      : a comment, then a retry field that is ignored
      retry: 1000

      event: response.output_text.delta
      data: {"delta":"héllo ✓ 𝔽"}

      data:no-space
      data:  two spaces keep one
      data

      event: done
      id: 7
      data: [DONE]

      """;

  private static final List<SseReader.Event> EXPECTED = List.of(
      new SseReader.Event("response.output_text.delta", "{\"delta\":\"héllo ✓ 𝔽\"}", ""),
      new SseReader.Event("message", "no-space\n two spaces keep one\n", ""),
      new SseReader.Event("done", "[DONE]", "7"));

  @Test
  void lfCrlfAndLoneCrLineEndsReadTheSame() throws IOException {
    assertThat(readAll(whole(STREAM))).isEqualTo(EXPECTED);
    assertThat(readAll(whole(STREAM.replace("\n", "\r\n")))).isEqualTo(EXPECTED);
    assertThat(readAll(whole(STREAM.replace("\n", "\r")))).isEqualTo(EXPECTED);
  }

  @Test
  void splitAtEveryByteBoundaryReadsTheSame() throws IOException {
    for (String eol : List.of("\n", "\r\n", "\r")) {
      byte[] bytes = STREAM.replace("\n", eol).getBytes(StandardCharsets.UTF_8);
      for (int cut = 1; cut < bytes.length; cut++) {
        assertThat(readAll(Okio.buffer(new Chunked(bytes, List.of(cut, bytes.length - cut)))))
            .as("eol %s, cut at %d", eol.replace("\r", "CR").replace("\n", "LF"), cut)
            .isEqualTo(EXPECTED);
      }
    }
  }

  @Test
  void oneByteAtATimeAndRandomChunksReadTheSame() throws IOException {
    byte[] bytes = STREAM.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
    List<Integer> ones = new ArrayList<>();
    for (int i = 0; i < bytes.length; i++) ones.add(1);
    assertThat(readAll(Okio.buffer(new Chunked(bytes, ones)))).isEqualTo(EXPECTED);

    Random random = new Random(7);
    for (int round = 0; round < 50; round++) {
      List<Integer> sizes = new ArrayList<>();
      for (int left = bytes.length; left > 0; ) {
        int n = Math.min(left, 1 + random.nextInt(9));
        sizes.add(n);
        left -= n;
      }
      assertThat(readAll(Okio.buffer(new Chunked(bytes, sizes)))).isEqualTo(EXPECTED);
    }
  }

  @Test
  void aByteOrderMarkIsDropped() throws IOException {
    assertThat(readAll(whole("\uFEFFdata: x\n\n"))).containsExactly(new SseReader.Event("message", "x", ""));
  }

  @Test
  void anEventLeftUnfinishedAtTheEndIsDiscarded() throws IOException {
    assertThat(readAll(whole("data: complete\n\ndata: cut sho"))).containsExactly(new SseReader.Event("message", "complete", ""));
    assertThat(readAll(whole("data: no blank line after\n"))).isEmpty();
  }

  @Test
  void blankLinesWithoutDataDispatchNothing() throws IOException {
    assertThat(readAll(whole("\n\n\nevent: lonely\n\n: only a comment\n\n"))).isEmpty();
  }

  @Test
  void aLineBeyondTheCapIsBroken() {
    SseReader reader = new SseReader(whole("data: " + "x".repeat(100) + "\n\n"), 64);
    assertThatThrownBy(reader::next).isInstanceOf(SseReader.Broken.class);
    SseReader unterminated = new SseReader(whole("data: " + "x".repeat(100)), 64);
    assertThatThrownBy(unterminated::next).isInstanceOf(SseReader.Broken.class);
  }

  private static BufferedSource whole(String text) {
    return new Buffer().writeUtf8(text);
  }

  private static List<SseReader.Event> readAll(BufferedSource source) throws IOException {
    SseReader reader = new SseReader(source);
    List<SseReader.Event> events = new ArrayList<>();
    for (SseReader.Event e; (e = reader.next()) != null; ) events.add(e);
    return events;
  }

  /** Hands out the bytes in the given read sizes, as a network would. */
  private static final class Chunked implements Source {
    private final byte[] bytes;
    private final List<Integer> sizes;
    private int pos;
    private int next;

    Chunked(byte[] bytes, List<Integer> sizes) {
      this.bytes = bytes;
      this.sizes = new ArrayList<>(sizes);
    }

    @Override
    public long read(Buffer sink, long byteCount) {
      if (pos >= bytes.length) return -1;
      int n = (int) Math.min(byteCount, Math.min(sizes.get(next), bytes.length - pos));
      sink.write(bytes, pos, n);
      pos += n;
      if (n == sizes.get(next)) next++; else sizes.set(next, sizes.get(next) - n);
      return n;
    }

    @Override
    public Timeout timeout() {
      return Timeout.NONE;
    }

    @Override
    public void close() {}
  }
}
