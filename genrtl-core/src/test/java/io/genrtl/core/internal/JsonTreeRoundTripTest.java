package io.genrtl.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** More of {@link JsonTree}: what it refuses, depth, and round trips with the core's writer. */
class JsonTreeRoundTripTest {
  @Test
  void readsEveryKindOfValue() {
    Object v = JsonTree.parse(" {\"a\": [1, -2.50, 3e2, true, false, null], \"b\": \"x\\u00e9\\n\\\"\\ud83d\\ude00\", \"c\": {}} ");
    assertThat(v).isEqualTo(Map.of("a", java.util.Arrays.asList(new BigDecimal("1"), new BigDecimal("-2.50"),
        new BigDecimal("3e2"), true, false, null), "b", "xé\n\"😀", "c", Map.of()));
  }

  @Test
  void numbersStayExact() {
    assertThat(JsonTree.parse("0.1000000000000000055511151231257827")).isEqualTo(new BigDecimal("0.1000000000000000055511151231257827"));
    assertThat(JsonTree.parse("123456789012345678901234567890")).isEqualTo(new BigDecimal("123456789012345678901234567890"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "'x'", "01", "1.", ".5", "-", "1e",
      "+1", "tru", "nul", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00\"", "\"a\tb\"", "{} {}", "[1] x",
      "{\"a\":1,\"a\":2}", "NaN", "Infinity", "1e999999999999"})
  void refusesWhatIsNotStrictJson(String text) {
    assertThatThrownBy(() -> JsonTree.parse(text)).isInstanceOf(JsonTree.SyntaxException.class)
        .hasMessageContaining("line 1, column");
  }

  @Test
  void deepNestingIsRefusedNotAStackOverflow() {
    String deep = "[".repeat(10_000) + "]".repeat(10_000);
    assertThatThrownBy(() -> JsonTree.parse(deep)).isInstanceOf(JsonTree.SyntaxException.class).hasMessageContaining("nesting");
    String ok = "[".repeat(JsonTree.MAX_DEPTH) + "]".repeat(JsonTree.MAX_DEPTH);
    assertThat(JsonTree.parse(ok)).isInstanceOf(List.class);
  }

  /** Whatever JsonText writes, JsonReader reads back as the same tree (seeded random trees). */
  @Test
  void roundTripsWithTheCoresWriter() {
    long seed = 20261207L;
    Random r = new Random(seed);
    for (int i = 0; i < 2_000; i++) {
      Object tree = randomTree(r, 0);
      String text = JsonText.write(tree);
      assertThat(JsonTree.parse(text)).as("seed %d case %d: %s", seed, i, text).isEqualTo(normalise(tree));
    }
  }

  private static Object randomTree(Random r, int depth) {
    int k = depth > 4 ? r.nextInt(4) : r.nextInt(6);
    switch (k) {
      case 0: return r.nextBoolean();
      case 1: return r.nextLong();
      case 2: {
        StringBuilder sb = new StringBuilder();
        int n = r.nextInt(8);
        for (int i = 0; i < n; i++) sb.appendCodePoint(r.nextInt(4) == 0 ? r.nextInt(0x20) : r.nextInt(3) == 0 ? 0x1F600 + r.nextInt(50) : 0x20 + r.nextInt(0x500));
        return sb.toString();
      }
      case 3: return null;
      case 4: {
        java.util.List<Object> l = new java.util.ArrayList<>();
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) l.add(randomTree(r, depth + 1));
        return l;
      }
      default: {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) m.put("k" + i + (char) ('a' + r.nextInt(26)), randomTree(r, depth + 1));
        return m;
      }
    }
  }

  private static Object normalise(Object v) {
    if (v instanceof Long l) return new BigDecimal(l);
    if (v instanceof List<?> l) return l.stream().map(JsonTreeRoundTripTest::normalise).collect(java.util.stream.Collectors.toList());
    if (v instanceof Map<?, ?> m) {
      java.util.Map<Object, Object> out = new java.util.LinkedHashMap<>();
      m.forEach((a, b) -> out.put(a, normalise(b)));
      return out;
    }
    return v;
  }
}
