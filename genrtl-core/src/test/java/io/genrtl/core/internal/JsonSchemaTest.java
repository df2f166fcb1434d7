package io.genrtl.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link JsonSchema} against an independent implementation (networknt, test scope only) on genRTL's own schemas: a
 * valid document and thousands of seeded mutations of it must get the same verdict from both.
 */
class JsonSchemaTest {
  private static final ObjectMapper JACKSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  static String doc(String name) throws Exception {
    return Files.readString(Path.of("..", "docs", name));
  }

  static final String PLAN = """
      {"modules":[{"name":"top","type":"custom","description":"d","ports":[{"name":"clk","direction":"input","width":1}]}],
       "cbb_requirements":[{"cbb_id":"sync_fifo","version":"^1.0","tags":["fifo"],"simulator":null,"sv":null,"text":null}],
       "verification_plan":{"testbenches":["tb"],"assertions":[],"coverage_points":["full"]}}""";

  static final String MANIFEST = """
      {"id":"sync_fifo","version":"1.2.3","name":"Sync FIFO","description":"A FIFO","tags":["fifo","sync"],
       "entrypoints":{"rtl_top":"sync_fifo","tb_top":"tb_sync_fifo","filelist_rtl":"scripts/filelist_rtl.f","filelist_tb":"scripts/filelist_tb.f"},
       "compat":{"sv":"2012","simulators":["iverilog","verilator"]},"price_usd":0.5,"license":"Apache-2.0",
       "interfaces":[],"parameters":[]}""";

  @ParameterizedTest
  @ValueSource(strings = {"plan.schema.json", "cbb-manifest.schema.json"})
  void agreesWithAnIndependentValidatorOnSeededMutations(String schemaFile) throws Exception {
    String schemaText = doc(schemaFile);
    JsonSchema ours = JsonSchema.load(schemaText);
    com.networknt.schema.JsonSchema theirs = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(schemaText);
    String valid = schemaFile.startsWith("plan") ? PLAN : MANIFEST;
    long seed = 7_070_707L + schemaFile.length();
    Random r = new Random(seed);
    int invalid = 0;
    for (int i = 0; i < 3_000; i++) {
      Object tree = JsonTree.parse(valid);
      int n = 1 + r.nextInt(3);
      for (int k = 0; k < n; k++) tree = mutate(tree, r);
      String text = JsonText.write(tree);
      boolean oursOk = ours.validate(JsonTree.parse(text)).isEmpty();
      boolean theirsOk = theirs.validate(JACKSON.readTree(text)).isEmpty();
      assertThat(oursOk).as("seed %d case %d: %s (ours: %s)", seed, i, text, ours.validate(JsonTree.parse(text)))
          .isEqualTo(theirsOk);
      if (!oursOk) invalid++;
    }
    assertThat(invalid).as("the mutations must exercise the invalid side too").isGreaterThan(1_000);
    assertThat(ours.validate(JsonTree.parse(valid))).isEmpty();
  }

  @Test
  void problemsNameThePlaceAndTheRule() {
    JsonSchema s = JsonSchema.load("""
        {"type":"object","additionalProperties":false,"required":["a","b"],
         "properties":{"a":{"type":"integer","minimum":1},"b":{"type":["string","null"],"enum":["x",null]},
                       "c":{"type":"array","items":{"$ref":"#/$defs/p"}}},
         "$defs":{"p":{"type":"string","pattern":"^[a-z]+$","minLength":2}}}""");
    assertThat(s.validate(JsonTree.parse("{\"a\":0,\"c\":[\"ok\",\"X\"],\"d\":1}"))).containsExactly(
        "$.b: is required", "$.a: must be at least 1", "$.c[1]: must be at least 2 characters long",
        "$.c[1]: must match the pattern ^[a-z]+$", "$.d: is not a known property");
    assertThat(s.validate(JsonTree.parse("{\"a\":1.0,\"b\":null}"))).isEmpty();
    assertThat(s.validate(JsonTree.parse("{\"a\":1.5,\"b\":\"y\"}"))).containsExactly(
        "$.a: must be integer, found number", "$.b: must be one of [x, null]");
  }

  @Test
  void refusesKeywordsItDoesNotImplement() {
    assertThatThrownBy(() -> JsonSchema.load("{\"type\":\"object\",\"patternProperties\":{}}"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("patternProperties");
    assertThatThrownBy(() -> JsonSchema.load("{\"$ref\":\"https://example.com/s.json\"}"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("local");
    assertThatThrownBy(() -> JsonSchema.load("{\"type\":\"str\"}")).isInstanceOf(IllegalArgumentException.class);
  }

  // ------------------------------------------------------------------------------------------------ mutations

  private static final List<Object> ODD = java.util.Arrays.asList(null, true, "", "x", "UPPER", "a b", "1.2",
      new BigDecimal("0"), new BigDecimal("-1"), new BigDecimal("1.5"), new BigDecimal("1e3"), new BigDecimal("0.33"),
      new BigDecimal("1000001"), List.of(), List.of("x"), Map.of(), Map.of("k", "v"), "input", "custom", "cbb",
      "^1.0", "1.2.3", "sync_fifo", "Apache-2.0");

  /** A fresh, mutable copy of one of the odd values. */
  static Object odd(Random r) {
    return JsonTree.parse(JsonText.write(ODD.get(r.nextInt(ODD.size()))));
  }

  @SuppressWarnings("unchecked")
  static Object mutate(Object tree, Random r) {
    List<Object[]> places = new ArrayList<>(); // {container, key-or-index}
    collect(tree, places);
    if (places.isEmpty() || r.nextInt(50) == 0) return odd(r);
    Object[] p = places.get(r.nextInt(places.size()));
    int op = r.nextInt(10);
    if (p[0] instanceof Map<?, ?> m0) {
      Map<String, Object> m = (Map<String, Object>) m0;
      String key = (String) p[1];
      if (op == 0) m.remove(key);
      else if (op == 1) m.put("extra_" + r.nextInt(3), odd(r));
      else m.put(key, odd(r));
    } else {
      List<Object> l = (List<Object>) p[0];
      int idx = (Integer) p[1];
      if (op == 0) l.remove(idx);
      else if (op == 1) l.add(l.get(idx));
      else l.set(idx, odd(r));
    }
    return tree;
  }

  private static void collect(Object v, List<Object[]> out) {
    if (v instanceof Map<?, ?> m) {
      for (Object k : new ArrayList<>(m.keySet())) {
        out.add(new Object[] {m, k});
        collect(m.get(k), out);
      }
    } else if (v instanceof List<?> l) {
      for (int i = 0; i < l.size(); i++) {
        out.add(new Object[] {l, i});
        collect(l.get(i), out);
      }
    }
  }
}
