package io.genrtl.store.postgres;

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
import io.genrtl.core.cbb.CbbService;
import io.genrtl.core.cbb.FileSystemBlobStore;
import io.genrtl.core.cbb.PackageLimits;
import io.genrtl.core.testing.PgTestSupport;
import io.genrtl.core.testing.TestPackages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A duplicate checkout whose key is held by a request still running gets 409 {@code idempotency_in_flight} once its
 * bounded wait is over, and succeeds once the first is gone. (On SQLite, transactions are serialised, so a duplicate
 * simply waits for the first and replays it.)
 */
class PostgresCheckoutInFlightTest {
  @TempDir Path tmp;

  @Test
  void aKeyHeldByARunningCheckoutAnswersInFlightAfterTheBoundedWait() throws Exception {
    String url = PgTestSupport.urlOrSkip();
    String schema = PgTestSupport.createSchema(url);
    try (HikariDataSource ds = PostgresDataSources.create(url, null, null, schema, 4)) {
      TestPackages packages = new TestPackages(Files.createDirectories(tmp.resolve("p")));
      GenRtl g = GenRtl.builder().stores(PostgresStores.create(ds))
          .blobStore(new FileSystemBlobStore(tmp.resolve("b"))).packageInspector(packages)
          .cbbSettings(new CbbService.Settings("http://x", Duration.ofMinutes(5), PackageLimits.DEFAULTS, Duration.ofMillis(300)))
          .build();
      Principal root = Principal.of(g.accounts().createUser(new NewUser("r@x.test", "ops", Role.SUPER_ADMIN, null)).user(), null);
      g.cbbs().publish(root, packages.make("uart", "1.0.0", 1.0, "uart"));
      CreatedUser ann = g.accounts().createUser(new NewUser("ann@x.test", "acme", Role.USER, "pro"));
      Principal p = Principal.of(ann.user(), null);
      String ws = g.accounts().createWorkspace(p, "w").workspaceId();
      CbbService.CheckoutRequest req = new CbbService.CheckoutRequest(ann.user().userId(), ws, null,
          List.of(new CbbService.CheckoutRequest.Item("uart", "1.0.0")), "k1");

      try (Connection other = ds.getConnection()) {
        other.setAutoCommit(false);
        try (PreparedStatement st = other.prepareStatement("INSERT INTO idempotency_keys (user_id, operation, idem_key, "
            + "fingerprint, created_at) VALUES (?, 'checkout', 'k1', 'running', 0)")) {
          st.setString(1, ann.user().userId());
          st.executeUpdate();
        }
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> g.cbbs().checkout(p, req)).isInstanceOf(GenRtlException.class)
            .satisfies(e -> {
              assertThat(((GenRtlException) e).code()).isEqualTo(ErrorCode.IDEMPOTENCY_IN_FLIGHT);
              assertThat(((GenRtlException) e).details()).containsEntry("retry_after_seconds", 1);
            });
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
        other.rollback();
      }
      assertThat(g.cbbs().checkout(p, req).replayed()).isFalse();
      assertThat(g.cbbs().checkout(p, req).replayed()).isTrue();
      assertThat(g.pool().verify(ann.user().userId()).problems()).isEmpty();
    } finally {
      PgTestSupport.dropSchema(url, schema);
    }
  }
}
