package io.genrtl.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.genrtl.core.GenRtl;
import io.genrtl.core.account.CreatedUser;
import io.genrtl.core.account.NewUser;
import io.genrtl.core.account.Principal;
import io.genrtl.core.account.Role;
import io.genrtl.core.base.ErrorCode;
import io.genrtl.core.base.GenRtlException;
import io.genrtl.core.base.LockWaitTimeoutException;
import io.genrtl.core.cbb.CbbService;
import io.genrtl.core.cbb.FileSystemBlobStore;
import io.genrtl.core.cbb.PackageLimits;
import io.genrtl.core.testing.TestPackages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * When another process holds SQLite's write lock past the busy timeout, a transaction gives up with the core's
 * retryable {@link LockWaitTimeoutException}; a checkout answers 409 {@code idempotency_in_flight} then.
 */
class SqliteBusyTest {
  @TempDir Path dir;

  @Test
  void aTransactionThatCannotGetTheWriteLockFailsRetryably() throws Exception {
    Path db = dir.resolve("busy.db");
    try (HikariDataSource ds = SqliteDataSources.url("jdbc:sqlite:" + db, 2)) {
      TestPackages packages = new TestPackages(Files.createDirectories(dir.resolve("p")));
      GenRtl g = GenRtl.builder().stores(SqliteStores.create(ds)).blobStore(new FileSystemBlobStore(dir.resolve("b")))
          .packageInspector(packages).cbbSettings(new CbbService.Settings("http://x", Duration.ofMinutes(5), PackageLimits.DEFAULTS))
          .build();
      Principal root = Principal.of(g.accounts().createUser(new NewUser("r@x.test", "ops", Role.SUPER_ADMIN, null)).user(), null);
      g.cbbs().publish(root, packages.make("uart", "1.0.0", 1.0, "uart"));
      CreatedUser ann = g.accounts().createUser(new NewUser("ann@x.test", "acme", Role.USER, "pro"));
      Principal p = Principal.of(ann.user(), null);
      String ws = g.accounts().createWorkspace(p, "w").workspaceId();

      GenRtl g2 = GenRtl.builder().stores(SqliteStores.create(quickBusy(db))).blobStore(new FileSystemBlobStore(dir.resolve("b")))
          .packageInspector(packages).build();
      // another process takes the write lock and keeps it
      SQLiteConfig cfg = new SQLiteConfig();
      cfg.setBusyTimeout(100);
      SQLiteDataSource other = new SQLiteDataSource(cfg);
      other.setUrl("jdbc:sqlite:" + db);
      try (Connection c = other.getConnection(); Statement st = c.createStatement()) {
        st.execute("BEGIN IMMEDIATE");
        {
          assertThatThrownBy(() -> g2.pool().charge(io.genrtl.core.pool.ChargeRequest.of(ann.user().userId(),
              io.genrtl.core.pool.UsageKind.LLM, 1, "k"))).isInstanceOf(LockWaitTimeoutException.class);
          assertThatThrownBy(() -> g2.cbbs().checkout(p, new CbbService.CheckoutRequest(ann.user().userId(), ws, null,
              List.of(new CbbService.CheckoutRequest.Item("uart", "1.0.0")), "k1")))
              .isInstanceOf(GenRtlException.class)
              .satisfies(e -> assertThat(((GenRtlException) e).code()).isEqualTo(ErrorCode.IDEMPOTENCY_IN_FLIGHT));
        }
        st.execute("ROLLBACK");
      }
      assertThat(g.cbbs().checkout(p, new CbbService.CheckoutRequest(ann.user().userId(), ws, null,
          List.of(new CbbService.CheckoutRequest.Item("uart", "1.0.0")), "k1")).replayed()).isFalse();
    }
  }

  /** A data source on the same file configured like SqliteDataSources, but with a short busy timeout. */
  private static SQLiteDataSource quickBusy(Path db) {
    SQLiteConfig cfg = new SQLiteConfig();
    cfg.setJournalMode(SQLiteConfig.JournalMode.WAL);
    cfg.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    cfg.enforceForeignKeys(true);
    cfg.setBusyTimeout(200);
    cfg.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
    SQLiteDataSource ds = new SQLiteDataSource(cfg);
    ds.setUrl("jdbc:sqlite:" + db);
    return ds;
  }
}
