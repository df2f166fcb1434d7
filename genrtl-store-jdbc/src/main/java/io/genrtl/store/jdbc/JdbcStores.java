package io.genrtl.store.jdbc;

import io.genrtl.core.Stores;
import io.genrtl.core.account.ApiKeyStore;
import io.genrtl.core.account.SubscriptionStore;
import io.genrtl.core.account.TenantStore;
import io.genrtl.core.account.UserStore;
import io.genrtl.core.account.WorkspaceStore;
import io.genrtl.core.audit.AuditStore;
import io.genrtl.core.base.MetaStore;
import io.genrtl.core.base.Transactor;
import io.genrtl.core.billing.CustomerStore;
import io.genrtl.core.billing.MeterOutboxStore;
import io.genrtl.core.cbb.CbbStore;
import io.genrtl.core.cbb.ReceiptStore;
import io.genrtl.core.jobs.JobStore;
import io.genrtl.core.pool.AlertStore;
import io.genrtl.core.pool.GrantStore;
import io.genrtl.core.pool.HoldStore;
import io.genrtl.core.pool.IdempotencyStore;
import io.genrtl.core.pool.LedgerStore;
import io.genrtl.core.pool.PoolStore;
import io.genrtl.store.jdbc.internal.AccountsJdbc;
import io.genrtl.store.jdbc.internal.AuditJdbc;
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
public final class JdbcStores implements Stores {
  private final Db db;
  private final AccountsJdbc accounts;
  private final PoolJdbc poolJdbc;
  private final PoolStore pool;
  private final LedgerStore ledger;
  private final GrantStore grants;
  private final HoldStore holds;
  private final IdempotencyStore idempotency;
  private final AlertStore alerts;
  private final io.genrtl.core.pool.AlertDeliveryStore alertDeliveries;
  private final CbbStore cbbs;
  private final ReceiptStore receipts;
  private final JobStore jobs;
  private final CustomerStore customers;
  private final MeterOutboxStore meterOutbox;
  private final io.genrtl.core.auth.AuthStore auth;
  private final AuditStore audit;

  private JdbcStores(DataSource dataSource, Dialect dialect) {
    this.db = new Db(Jdbi.create(dataSource), dialect);
    this.accounts = new AccountsJdbc(db);
    this.poolJdbc = new PoolJdbc(db);
    this.pool = poolJdbc.pool();
    this.ledger = poolJdbc.ledger();
    this.grants = poolJdbc.grants();
    this.holds = poolJdbc.holds();
    this.idempotency = poolJdbc.idempotency();
    this.alerts = poolJdbc.alerts();
    this.alertDeliveries = new io.genrtl.store.jdbc.internal.AlertDeliveriesJdbc(db).store();
    CbbJdbc cbbJdbc = new CbbJdbc(db);
    this.cbbs = cbbJdbc.cbbs();
    this.receipts = cbbJdbc.receipts();
    this.jobs = new JobsJdbc(db).jobs();
    BillingJdbc billing = new BillingJdbc(db);
    this.customers = billing.customers();
    this.meterOutbox = billing.outbox();
    this.auth = new io.genrtl.store.jdbc.internal.AuthJdbc(db).store();
    this.audit = new AuditJdbc(db).audit();
  }

  /** Checks the data source, migrates it, and returns its stores. */
  public static JdbcStores create(DataSource dataSource, Dialect dialect) {
    Objects.requireNonNull(dataSource, "dataSource");
    Objects.requireNonNull(dialect, "dialect");
    dialect.checkDataSource(dataSource);
    Migrations.migrate(dataSource, dialect);
    return new JdbcStores(dataSource, dialect);
  }

  public Dialect dialect() {
    return db.dialect();
  }

  @Override
  public Transactor transactor() {
    return db;
  }

  @Override
  public TenantStore tenants() {
    return accounts.tenants();
  }

  @Override
  public UserStore users() {
    return accounts.users();
  }

  @Override
  public WorkspaceStore workspaces() {
    return accounts.workspaces();
  }

  @Override
  public ApiKeyStore apiKeys() {
    return accounts.apiKeys();
  }

  @Override
  public SubscriptionStore subscriptions() {
    return accounts.subscriptions();
  }

  @Override
  public MetaStore meta() {
    return accounts.meta();
  }

  @Override
  public PoolStore pool() {
    return pool;
  }

  @Override
  public LedgerStore ledger() {
    return ledger;
  }

  @Override
  public GrantStore grants() {
    return grants;
  }

  @Override
  public HoldStore holds() {
    return holds;
  }

  @Override
  public IdempotencyStore idempotency() {
    return idempotency;
  }

  @Override
  public AlertStore alerts() {
    return alerts;
  }

  @Override
  public io.genrtl.core.pool.AlertDeliveryStore alertDeliveries() {
    return alertDeliveries;
  }

  @Override
  public CbbStore cbbs() {
    return cbbs;
  }

  @Override
  public ReceiptStore receipts() {
    return receipts;
  }

  @Override
  public JobStore jobs() {
    return jobs;
  }

  @Override
  public CustomerStore customers() {
    return customers;
  }

  @Override
  public MeterOutboxStore meterOutbox() {
    return meterOutbox;
  }

  @Override
  public io.genrtl.core.auth.AuthStore auth() {
    return auth;
  }

  @Override
  public AuditStore audit() {
    return audit;
  }

  @Override
  public boolean ping() {
    try {
      return db.withHandle(h -> h.createQuery("SELECT 1").mapTo(Integer.class).one()) == 1;
    } catch (RuntimeException e) {
      return false;
    }
  }
}
