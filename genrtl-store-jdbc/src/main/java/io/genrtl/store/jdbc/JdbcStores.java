package io.genrtl.store.jdbc;

import io.genrtl.core.Stores;
import io.genrtl.core.account.AccountStores;
import io.genrtl.core.billing.BillingStores;
import io.genrtl.core.cbb.CbbStores;
import io.genrtl.core.pool.PoolStores;
import io.genrtl.store.jdbc.internal.AccountsJdbc;
import io.genrtl.store.jdbc.internal.AlertDeliveriesJdbc;
import io.genrtl.store.jdbc.internal.AuditJdbc;
import io.genrtl.store.jdbc.internal.AuthJdbc;
import io.genrtl.store.jdbc.internal.BillingJdbc;
import io.genrtl.store.jdbc.internal.CbbJdbc;
import io.genrtl.store.jdbc.internal.Db;
import io.genrtl.store.jdbc.internal.JobsJdbc;
import io.genrtl.store.jdbc.internal.PoolJdbc;
import java.util.Objects;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;

/**
 * The {@link Stores} of one relational database, over Jdbi. The data source belongs to the caller: closing it is
 * the caller's job. Construct through a dialect module ({@code SqliteStores}, {@code PostgresStores}).
 */
public final class JdbcStores {
  private JdbcStores() {}

  /** Checks the data source, migrates it, and returns its stores. */
  public static Stores create(DataSource dataSource, Dialect dialect) {
    Objects.requireNonNull(dataSource, "dataSource");
    Objects.requireNonNull(dialect, "dialect");
    dialect.checkDataSource(dataSource);
    Migrations.migrate(dataSource, dialect);
    Db db = new Db(Jdbi.create(dataSource), dialect);
    AccountsJdbc accounts = new AccountsJdbc(db);
    PoolJdbc pool = new PoolJdbc(db);
    CbbJdbc cbb = new CbbJdbc(db);
    BillingJdbc billing = new BillingJdbc(db);
    return new Stores(db, accounts.meta(),
        new AccountStores(accounts.tenants(), accounts.users(), accounts.workspaces(), accounts.apiKeys(),
            accounts.subscriptions()),
        new PoolStores(pool.pool(), pool.ledger(), pool.grants(), pool.holds(), pool.idempotency(), pool.alerts(),
            new AlertDeliveriesJdbc(db).store()),
        new CbbStores(cbb.cbbs(), cbb.receipts()),
        new BillingStores(billing.customers(), billing.outbox()),
        new JobsJdbc(db).jobs(), new AuthJdbc(db).store(), new AuditJdbc(db).audit(), () -> ping(db));
  }

  private static boolean ping(Db db) {
    try {
      return db.withHandle(h -> h.createQuery("SELECT 1").mapTo(Integer.class).one()) == 1;
    } catch (RuntimeException e) {
      return false;
    }
  }
}
