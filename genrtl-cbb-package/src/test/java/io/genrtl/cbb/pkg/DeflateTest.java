package io.genrtl.cbb.pkg;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The deterministic encoder produces valid DEFLATE, and its output depends on the input only. */
class DeflateTest {
  private static byte[] input(String kind) {
    Random r = new Random(42);
    switch (kind) {
      case "empty":
        return new byte[0];
      case "one byte":
        return new byte[] {7};
      case "text": {
        StringBuilder b = new StringBuilder();
        while (b.length() < 700_000) b.append("always_ff @(posedge clk) q <= d; // ").append(r.nextInt(1000)).append('\n');
        return b.toString().getBytes(StandardCharsets.UTF_8);
      }
      case "random": {
        byte[] b = new byte[600_000];
        r.nextBytes(b);
        return b;
      }
      case "zeros":
        return new byte[1_200_000];
      case "far repeats": {
        // a random 40 KiB block repeated: matches at distances near and beyond the 32 KiB window
        byte[] block = new byte[40_000];
        r.nextBytes(block);
        byte[] b = new byte[block.length * 12];
        for (int i = 0; i < 12; i++) System.arraycopy(block, 0, b, i * block.length, block.length);
        return b;
      }
      default: {
        byte[] b = new byte[1_000_000];
        for (int i = 0; i < b.length; i++) b[i] = (byte) (r.nextInt(4) == 0 ? r.nextInt(256) : 'a' + i % 7);
        return b;
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"empty", "one byte", "text", "random", "zeros", "far repeats", "mixed"})
  void roundTripsAndIgnoresHowWritesAreSplit(String kind) throws IOException, DataFormatException {
    byte[] in = input(kind);
    byte[] whole = deflate(in, Integer.MAX_VALUE);
    byte[] split = deflate(in, 4093);
    assertThat(split).isEqualTo(whole);
    assertThat(inflate(whole)).isEqualTo(in);
    if (kind.equals("zeros") || kind.equals("text")) assertThat(whole.length).isLessThan(in.length / 4);
  }

  private static byte[] deflate(byte[] in, int piece) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (Deflate d = new Deflate(out)) {
      for (int off = 0; off < in.length; off += piece) d.write(in, off, Math.min(piece, in.length - off));
    }
    return out.toByteArray();
  }

  private static byte[] inflate(byte[] raw) throws DataFormatException {
    Inflater inf = new Inflater(true);
    inf.setInput(raw);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[65536];
    while (!inf.finished()) {
      int n = inf.inflate(buf);
      if (n == 0 && !inf.finished() && (inf.needsInput() || inf.needsDictionary())) throw new DataFormatException("incomplete");
      out.write(buf, 0, n);
    }
    assertThat(inf.getRemaining()).isZero();
    inf.end();
    return out.toByteArray();
  }
}
