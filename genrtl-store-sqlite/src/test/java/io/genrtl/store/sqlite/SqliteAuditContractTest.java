package io.genrtl.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.genrtl.core.Stores;
import io.genrtl.core.testing.AuditContractTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class SqliteAuditContractTest extends AuditContractTest {
  private HikariDataSource ds;

  @Override
  protected Stores createStores() {
    try {
      ds = SqliteDataSources.file(Files.createTempDirectory("genrtl-sqlite-audit").resolve("genrtl.db"));
      return SqliteStores.create(ds);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  protected void closeStores(Stores stores) {
    ds.close();
  }

  @Test
  void theDatabaseRefusesUpdatesAndDeletesOfAuditEntries() throws Exception {
    admin.grant(p(superAdmin), alice.userId(), 1_000_000L, "r", "k");
    try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
      assertThatThrownBy(() -> st.execute("UPDATE audit_log SET action = 'x'")).hasMessageContaining("append-only");
      assertThatThrownBy(() -> st.execute("DELETE FROM audit_log")).hasMessageContaining("append-only");
      try (var rs = st.executeQuery("SELECT COUNT(*) FROM audit_log WHERE action = 'pool.grant'")) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(1);
      }
    }
  }
}
