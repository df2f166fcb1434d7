package io.genrtl.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.genrtl.core.Stores;
import io.genrtl.core.testing.UsageRollupContractTest;

class PostgresUsageRollupContractTest extends UsageRollupContractTest {
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

  @Override
  protected void corruptDayRollup(String userId, long usdMicros) {
    corrupt(db.dataSource(), userId, usdMicros);
  }

  /** The SQL both dialects run to corrupt one day-rollup row of a user (the first by key). */
  static final String CORRUPT = "UPDATE usage_rollup_day SET usd_micros = usd_micros + ? WHERE (user_id, day, kind, model, "
      + "bucket) = (SELECT user_id, day, kind, model, bucket FROM usage_rollup_day WHERE user_id = ? "
      + "ORDER BY day, kind, model, bucket LIMIT 1)";

  static void corrupt(javax.sql.DataSource ds, String userId, long usdMicros) {
    try (java.sql.Connection c = ds.getConnection(); java.sql.PreparedStatement st = c.prepareStatement(CORRUPT)) {
      st.setLong(1, usdMicros);
      st.setString(2, userId);
      assertThat(st.executeUpdate()).isEqualTo(1);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
