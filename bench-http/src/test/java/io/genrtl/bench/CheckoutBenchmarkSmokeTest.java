package io.genrtl.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.genrtl.bench.CheckoutBenchmark.Config;
import io.genrtl.bench.CheckoutBenchmark.DbReport;
import io.genrtl.bench.CheckoutBenchmark.Report;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keeps the checkout harness working: about a second of checkouts over HTTP and on the floor, SQLite only. */
class CheckoutBenchmarkSmokeTest {
  @Test
  void checksOutOverHttpAndOnTheFloorDownloadsAndTheLedgerStaysExact(@TempDir Path dir) throws Exception {
    Config cfg = new Config(2, 0.25, 0.05, 1, List.of("sqlite"), null, 4, 10, dir, Path.of("..", "catalog"), 2, 1, 1);
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    Report report = CheckoutBenchmark.run(cfg, new PrintStream(buf, true, StandardCharsets.UTF_8),
        new PrintStream(OutputStream.nullOutputStream()));
    String out = buf.toString(StandardCharsets.UTF_8);

    assertThat(report.ok()).as(out).isTrue();
    DbReport r = report.dbs().get(0);
    assertThat(r.http().ops()).as(out).isPositive();
    assertThat(r.floor().ops()).as(out).isPositive();
    assertThat(r.http().errors() + r.floor().errors()).as(out).isZero();
    assertThat(r.download().httpNanos()).isPositive();
    assertThat(out).contains("http/floor", "http/disk", "sqlite ledger invariants", "http buyers OK", "floor buyers OK");
  }
}
