package io.genrtl.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTreeTest {
  private static Object parse(String s) {
    return JsonTree.parse(s.getBytes(StandardCharsets.UTF_8));
  }

  private static JsonTree.SyntaxException refused(String s) {
    JsonTree.SyntaxException e = catchThrowableOfType(JsonTree.SyntaxException.class, () -> parse(s));
    assertThat(e).as(s).isNotNull();
    return e;
  }

  @Test
  void readsATreeWithExactNumbers() {
    Object v = parse(" {\"a\": [1, -0.5, 2e3, 12345678901234567890.000001], \"b\": {\"c\": null, \"d\": true, \"e\": false},"
        + " \"s\": \"q\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00 \u00fc\"}\n");
    assertThat(v).isEqualTo(Map.of(
        "a", List.of(new BigDecimal("1"), new BigDecimal("-0.5"), new BigDecimal("2e3"), new BigDecimal("12345678901234567890.000001")),
        "b", new java.util.HashMap<>(java.util.Collections.singletonMap("c", null)) {{ put("d", true); put("e", false); }},
        "s", "q\"\\/\b\f\n\r\t\u00e9\ud83d\ude00 \u00fc"));
    assertThat(parse("[]")).isEqualTo(List.of());
    assertThat(parse("\"x\"")).isEqualTo("x");
    assertThat(parse("0")).isEqualTo(BigDecimal.ZERO);
    assertThat(parse("[".repeat(JsonTree.MAX_DEPTH) + "]".repeat(JsonTree.MAX_DEPTH))).isInstanceOf(List.class);
  }

  @Test
  void refusalsSayWhatAndWhereInOurWords() {
    JsonTree.SyntaxException e = refused("{\"name\":\"a\",}");
    assertThat(e.getMessage()).isEqualTo("expected a member name in double quotes, found '}' at line 1, column 13");
    e = refused("{\n  \"a\": 1,\n  \"b\" 2\n}");
    assertThat(e.getMessage()).isEqualTo("expected ':' after the member name, found '2' at line 3, column 7");
    assertThat(e.field()).isEqualTo("b");
    e = refused("{\"a\":{\"b\":[1,{\"c\":1,\"c\":2}]}}");
    assertThat(e.duplicateKey()).isTrue();
    assertThat(e.field()).isEqualTo("a.b[1].c");
    assertThat(e.problem()).isEqualTo("duplicate key 'c'");
    assertThat(refused("[".repeat(JsonTree.MAX_DEPTH + 1) + "]".repeat(JsonTree.MAX_DEPTH + 1)).problem())
        .isEqualTo("nesting deeper than 255 levels");
    assertThat(refused("{\"a\":1").problem()).startsWith("unexpected end of the body");
    assertThat(refused("{\"a\":1} x").problem()).isEqualTo("unexpected data after the JSON value");
    assertThat(refused("").problem()).isEqualTo("the body holds no JSON value");
    assertThat(refused("{'a':1}").problem()).isEqualTo("expected a member name in double quotes, found \"'\"");
    assertThat(refused("{\"a\":\"x\ny\"}").problem()).isEqualTo("control character U+000A in a string (escape it)");
    assertThat(refused("{\"a\":\"\\q\"}").problem()).isEqualTo("invalid escape sequence \\q");
    assertThat(refused("{\"a\":\"\\u12G4\"}").problem()).startsWith("invalid \\u escape");
    assertThat(refused("{\"a\":01}").problem()).isEqualTo("invalid number (leading zero)");
    assertThat(refused("{\"a\":NaN}").problem()).isEqualTo("unexpected character 'N'");
    assertThat(refused("{\"a\":1.}").problem()).startsWith("invalid number");
    assertThat(refused("{\"a\":-}").problem()).startsWith("invalid number");
    assertThat(refused("{\"a\":1e99999999999}").problem()).isEqualTo("number out of range");
    assertThat(refused("{\"a\":tru}").problem()).isEqualTo("unexpected character '}'");
    assertThat(refused("nul").problem()).isEqualTo("unexpected end of the body");
    assertThat(refused("\u0000").problem()).isEqualTo("unexpected character U+0000");
    assertThat(refused("\uFEFF{}").problem()).isEqualTo("unexpected character U+FEFF");
    assertThat(refused("[1,2,,3]").getMessage()).isEqualTo("unexpected character ',' at line 1, column 6");
    assertThat(refused("/* c */ {}").problem()).isEqualTo("unexpected character '/'");
    byte[] latin1 = "{\"a\":\"Caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1);
    JsonTree.SyntaxException bad = catchThrowableOfType(JsonTree.SyntaxException.class, () -> JsonTree.parse(latin1));
    assertThat(bad.getMessage()).isEqualTo("not valid UTF-8 at line 1, column 10");
  }

  @Test
  void longOrOddDuplicateKeysAreShownShortAndPrintable() {
    String key = "k\\u0001" + "x".repeat(100); // an escaped control character in the key
    JsonTree.SyntaxException e = refused("{\"" + key + "\":1,\"" + key + "\":2}");
    assertThat(e.problem()).isEqualTo("duplicate key 'k?" + "x".repeat(62) + "...'");
  }
}
