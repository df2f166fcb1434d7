package io.genrtl.host.obs;

import static org.assertj.core.api.Assertions.assertThat;

import com.squareup.moshi.Moshi;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonLogsLineTest {
  @SuppressWarnings("unchecked")
  private static Map<String, Object> parse(String line) throws Exception {
    assertThat(line).doesNotContain("\n");
    return (Map<String, Object>) new Moshi.Builder().build().adapter(Object.class).fromJson(line);
  }

  @Test
  void oneObjectPerLineWithEscapesIdsAndRedaction() throws Exception {
    String key = "grtl_01ABCDEFGHJKMNPQRSTVWXYZ12_s3cr3tS3cr3tS3cr3tS3cr3tS3cr3t";
    String line = JsonLogs.line(0, "WARN", "x.Y", "a \"quoted\"\nline\twith\u0001 " + key + " and sk-proj-abcdefghijklmnopqrstuvwx",
        "req_1", "01JOB", null);
    Map<String, Object> m = parse(line);
    assertThat(m).containsEntry("ts", "1970-01-01T00:00:00Z").containsEntry("level", "WARN").containsEntry("logger", "x.Y")
        .containsEntry("request_id", "req_1").containsEntry("job_id", "01JOB").doesNotContainKey("error");
    assertThat((String) m.get("msg")).startsWith("a \"quoted\"\nline\twith\u0001 ").contains("[REDACTED:genrtl_key]")
        .contains("[REDACTED:openai_key]").doesNotContain("s3cr3t").doesNotContain("abcdefghijklmnop");
  }

  @Test
  void exceptionsKeepTheirClassAndFramesButNotTheirMessage() throws Exception {
    Exception e = new IllegalStateException("the prompt was: design a secret UART", new RuntimeException("inner detail"));
    Map<String, Object> m = parse(JsonLogs.line(0, "ERROR", "x", "failed", null, null, e));
    assertThat(m).containsEntry("request_id", null).containsEntry("job_id", null);
    assertThat((String) m.get("error")).startsWith("java.lang.IllegalStateException at ")
        .contains("caused by java.lang.RuntimeException").doesNotContain("prompt").doesNotContain("inner detail");
  }
}
