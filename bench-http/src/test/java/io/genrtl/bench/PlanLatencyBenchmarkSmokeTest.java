package io.genrtl.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genrtl.bench.PlanLatencyBenchmark.Config;
import io.genrtl.bench.PlanLatencyBenchmark.Report;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps the plan-latency harness working: a few plan jobs through the host and direct calls to its stub, SQLite only
 * and without Portkey (which needs npm and the network). The harness itself checks that every call reached the stub
 * and that every job was charged exactly once.
 */
class PlanLatencyBenchmarkSmokeTest {
  @Test
  void measuresTheHostAndTheDirectCallsSideBySide(@TempDir Path dir) throws Exception {
    Config cfg = new Config(10, 2, 2, List.of("sqlite"), null, false, "", dir);
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    List<Report> reports = PlanLatencyBenchmark.run(cfg, new PrintStream(buf, true, StandardCharsets.UTF_8));
    String out = buf.toString(StandardCharsets.UTF_8);

    assertThat(reports).as(out).singleElement().satisfies(r -> {
      assertThat(r.side("direct").nanos()).hasSize(10).doesNotContain(0L);
      assertThat(r.side("direct-json").nanos()).hasSize(10).doesNotContain(0L);
      assertThat(r.side("host").nanos()).hasSize(10).doesNotContain(0L);
      assertThat(r.side("portkey")).isNull();
    });
    assertThat(out).contains("p50/direct", "where a host plan job's time goes", "status:queued → status:running");
  }

  @Test
  void refusesUnknownOptions() {
    assertThatThrownBy(() -> Config.parse(new String[] {"--request=5"})).hasMessageContaining("unknown option --request");
    assertThat(Config.parse(new String[] {"--requests=7", "--rounds=7", "--portkey=off"}).portkey()).isFalse();
  }
}
