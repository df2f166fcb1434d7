package io.genrtl.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.genrtl.store.jdbc.internal.Db;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/** {@code Transactor.relaxed} on PostgreSQL: its transactions commit asynchronously, every other one synchronously. */
class PostgresRelaxedCommitTest {
  @Test
  void relaxedTransactionsTurnOffSynchronousCommitForThemselvesOnly() {
    try (PgTestDatabase pg = PgTestDatabase.open(2)) {
      Db db = new Db(Jdbi.create(pg.dataSource()), PostgresDialect.INSTANCE);
      String show = "SHOW synchronous_commit";
      String durable = db.inTransaction(() -> db.withHandle(h -> h.createQuery(show).mapTo(String.class).one()));
      String relaxed = db.relaxed(() -> db.inTransaction(() -> db.withHandle(h -> h.createQuery(show).mapTo(String.class).one())));
      // nested: the outer transaction decides
      String nested = db.inTransaction(() -> db.relaxed(() -> db.inTransaction(
          () -> db.withHandle(h -> h.createQuery(show).mapTo(String.class).one()))));
      String after = db.withHandle(h -> h.createQuery(show).mapTo(String.class).one());
      assertThat(durable).isEqualTo("on");
      assertThat(relaxed).isEqualTo("off");
      assertThat(nested).isEqualTo("on");
      assertThat(after).isEqualTo("on"); // SET LOCAL ended with its transaction
      assertThat(db.commitStats()).isEmpty();
    }
  }
}
