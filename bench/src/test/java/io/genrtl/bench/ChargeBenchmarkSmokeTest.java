package io.genrtl.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.genrtl.bench.ChargeBenchmark.Config;
import io.genrtl.bench.ChargeBenchmark.Report;
import io.genrtl.bench.ChargeBenchmark.Row;
import io.genrtl.store.sqlite.SqliteDataSources;
import io.genrtl.store.sqlite.SqliteStores;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keeps the harness working: about a second of charges on SQLite only (no PostgreSQL, whatever the environment). */
class ChargeBenchmarkSmokeTest {
  @Test
  void runsBothSidesOnSqliteAndTheLedgerStaysExact(@TempDir Path dir) throws Exception {
    Config cfg = new Config(List.of(2), 0.25, 0.05, List.of("sqlite"), null, 4, 10, dir, false, 1);
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    Report report = ChargeBenchmark.run(cfg, new PrintStream(buf, true, StandardCharsets.UTF_8),
        new PrintStream(OutputStream.nullOutputStream()));
    String out = buf.toString(StandardCharsets.UTF_8);

    assertThat(report.ok()).as(out).isTrue();
    List<Row> rows = report.dbs().get(0).rows();
    assertThat(rows).extracting(Row::variant).containsExactly(ChargeBenchmark.OWN, ChargeBenchmark.HOT);
    for (Row r : rows) {
      assertThat(r.service().ops()).as(out).isPositive();
      assertThat(r.floor().ops()).as(out).isPositive();
      assertThat(r.service().errors() + r.floor().errors()).as(out).isZero();
    }
    assertThat(out).contains("service/floor", "sqlite ledger invariants", "service users OK", "floor users OK");
  }

  @Test
  void theFloorsDebitIsPoolJdbcsStatement(@TempDir Path dir) {
    // the harness refuses to run otherwise; this names the cause directly when PoolJdbc's statement changes
    try (HikariDataSource ds = SqliteDataSources.file(dir.resolve("check.db"))) {
      assertThat(Floor.debitSql("MIN")).isEqualTo(ChargeBenchmark.poolJdbcDebitSql(SqliteStores.create(ds)));
    }
    assertThat(Floor.Sql.of(Floor.LEDGER_INSERT).names()).hasSize(26);
  }

  @Test
  void theFloorsRollupUpsertsArePoolJdbcsStatements() throws Exception {
    Class<?> pj = Class.forName("io.genrtl.store.jdbc.internal.PoolJdbc");
    for (String[] t : new String[][] {{"UPSERT_DAY", "usage_rollup_day", "user_id, day, kind, model, bucket"},
        {"UPSERT_JOB", "usage_rollup_job", "user_id, job_id, workspace_id, day, kind, model, bucket"},
        {"UPSERT_WORKSPACE", "usage_rollup_workspace", "user_id, workspace_id, day, kind, model, bucket"},
        {"UPSERT_PERIOD", "usage_rollup_period", "user_id, period_start, bucket"}}) {
      java.lang.reflect.Field f = pj.getDeclaredField(t[0]);
      f.setAccessible(true);
      assertThat(Floor.upsert(t[1], t[2])).as(t[0]).isEqualTo(f.get(null));
    }
  }
}
