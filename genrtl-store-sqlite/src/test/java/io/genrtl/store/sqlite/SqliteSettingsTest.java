package io.genrtl.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.genrtl.store.jdbc.Migrations;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteDataSource;

class SqliteSettingsTest {
  @TempDir Path dir;

  @Test
  void dataSourcesComeConfiguredForDurabilityAndConcurrency() throws Exception {
    try (HikariDataSource ds = SqliteDataSources.file(dir.resolve("sub/dir/genrtl.db"));
        Connection c = ds.getConnection();
        Statement st = c.createStatement()) {
      assertThat(pragma(st, "journal_mode")).isEqualTo("wal");
      assertThat(pragma(st, "synchronous")).isEqualTo("2"); // FULL
      assertThat(pragma(st, "foreign_keys")).isEqualTo("1");
      assertThat(pragma(st, "busy_timeout")).isEqualTo("30000");
    }
  }

  @Test
  void aDataSourceWithoutWalOrForeignKeysIsRefusedWithAReason() {
    SQLiteDataSource plain = new SQLiteDataSource();
    plain.setUrl("jdbc:sqlite:" + dir.resolve("plain.db"));
    assertThatThrownBy(() -> SqliteStores.create(plain))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("journal_mode")
        .hasMessageContaining("foreign_keys")
        .hasMessageContaining("SqliteDataSources.file");
  }

  @Test
  void migrationsUseTheirOwnHistoryTableAndAreIdempotent() throws Exception {
    try (HikariDataSource ds = SqliteDataSources.file(dir.resolve("genrtl.db"))) {
      assertThat(SqliteStores.migrate(ds)).isPositive();
      assertThat(SqliteStores.migrate(ds)).isZero();
      try (Connection c = ds.getConnection(); Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%history%'")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo(Migrations.HISTORY_TABLE);
        assertThat(rs.next()).isFalse();
      }
    }
  }

  @Test
  void foreignKeysAreEnforced() throws Exception {
    try (HikariDataSource ds = SqliteDataSources.file(dir.resolve("genrtl.db"))) {
      SqliteStores.migrate(ds);
      try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
        assertThatThrownBy(() -> st.execute(
            "INSERT INTO users (user_id, tenant_id, email, role, created_at) VALUES ('u', 'missing', 'e', 'user', 0)"))
            .hasMessageContaining("FOREIGN KEY");
      }
    }
  }

  private static String pragma(Statement st, String name) throws Exception {
    try (ResultSet rs = st.executeQuery("PRAGMA " + name)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
