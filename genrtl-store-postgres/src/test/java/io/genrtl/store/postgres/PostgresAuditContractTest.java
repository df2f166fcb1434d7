package io.genrtl.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genrtl.core.Stores;
import io.genrtl.core.testing.AuditContractTest;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class PostgresAuditContractTest extends AuditContractTest {
  private PgTestDatabase db;

  @Override
  protected Stores createStores() {
    db = PgTestDatabase.open(16);
    return db.stores();
  }

  @Override
  protected void closeStores(Stores stores) {
    if (db != null) db.close();
  }

  @Test
  void theDatabaseRefusesUpdatesAndDeletesOfAuditEntries() throws Exception {
    admin.grant(p(superAdmin), alice.userId(), 1_000_000L, "r", "k");
    try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
      assertThatThrownBy(() -> st.execute("UPDATE audit_log SET action = 'x'")).hasMessageContaining("append-only");
      assertThatThrownBy(() -> st.execute("DELETE FROM audit_log")).hasMessageContaining("append-only");
      try (var rs = st.executeQuery("SELECT COUNT(*) FROM audit_log WHERE action = 'pool.grant'")) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(1);
      }
    }
  }
}
