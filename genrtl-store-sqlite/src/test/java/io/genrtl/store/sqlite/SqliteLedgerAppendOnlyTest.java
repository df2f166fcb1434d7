package io.genrtl.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.genrtl.core.GenRtl;
import io.genrtl.core.account.NewUser;
import io.genrtl.core.pool.ChargeRequest;
import io.genrtl.core.pool.UsageKind;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteLedgerAppendOnlyTest {
  @TempDir Path dir;

  @Test
  void theDatabaseRefusesUpdatesAndDeletesOfLedgerRowsAndGrants() throws Exception {
    try (HikariDataSource ds = SqliteDataSources.file(dir.resolve("g.db"))) {
      GenRtl g = GenRtl.builder().stores(SqliteStores.create(ds)).build();
      String u = g.accounts().createUser(new NewUser("a@x.test", null, io.genrtl.core.account.Role.USER, "pro")).user().userId();
      g.pool().charge(ChargeRequest.of(u, UsageKind.LLM, 5, "k"));
      try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
        assertThatThrownBy(() -> st.execute("UPDATE usage_ledger SET usd_micros = 0")).hasMessageContaining("append-only");
        assertThatThrownBy(() -> st.execute("DELETE FROM usage_ledger")).hasMessageContaining("append-only");
        assertThatThrownBy(() -> st.execute("UPDATE grants SET amount_micros = 0")).hasMessageContaining("append-only");
        assertThatThrownBy(() -> st.execute("UPDATE pool_accounts SET included_micros = -1")).hasMessageContaining("CHECK");
      }
      assertThat(g.pool().verify(u).ok()).isTrue();
    }
  }
}
