package io.genrtl.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.genrtl.core.GenRtl;
import io.genrtl.core.pool.LedgerEntry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A charge acknowledged to a caller survives the process being killed (SIGKILL) mid-stream: a child JVM charges in a
 * loop, we kill it after 200 acknowledgements, and every acknowledged charge is in the ledger with its call id.
 * (Power loss is covered by synchronous=FULL, checked in {@link SqliteSettingsTest}.)
 */
class SqliteCrashTest {
  @TempDir Path dir;

  @Test
  void acknowledgedChargesSurviveAKill() throws Exception {
    Path db = dir.resolve("crash.db");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", CrashChild.class.getName(), db.toString())
        .redirectErrorStream(false).start();
    Map<String, String> acked = new LinkedHashMap<>();
    String user = null;
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        String[] parts = line.split(" ");
        if (parts[0].equals("user")) user = parts[1];
        if (parts[0].equals("ack")) acked.put(parts[1], parts[2]);
        if (acked.size() >= 200) break;
      }
      p.destroyForcibly();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(user).isNotNull();
    assertThat(acked).hasSize(200);

    try (HikariDataSource ds = SqliteDataSources.file(db)) {
      GenRtl g = GenRtl.builder().stores(SqliteStores.create(ds)).build();
      for (Map.Entry<String, String> e : acked.entrySet()) {
        List<LedgerEntry> rows = g.stores().pool().ledger().findByCall(user, e.getValue());
        assertThat(rows).as("acknowledged charge " + e.getKey()).isNotEmpty();
        assertThat(rows.get(0).idempotencyKey()).isEqualTo(e.getKey());
      }
      assertThat(g.pool().verify(user).problems()).isEmpty();
    }
  }
}
