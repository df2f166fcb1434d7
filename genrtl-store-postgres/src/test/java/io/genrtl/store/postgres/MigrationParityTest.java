package io.genrtl.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.genrtl.store.jdbc.Migrations;
import io.genrtl.store.sqlite.SqliteStores;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Both dialects must carry the same migration versions with the same descriptions, so a schema version means one thing. */
class MigrationParityTest {
  @Test
  void sqliteAndPostgresHaveTheSameMigrationVersions() {
    ClassLoader cl = getClass().getClassLoader();
    List<String> sqlite = Migrations.list(cl, SqliteStores.migrationsLocation());
    List<String> postgres = Migrations.list(cl, PostgresStores.migrationsLocation());
    assertThat(sqlite).isNotEmpty();
    assertThat(sqlite).allMatch(n -> n.matches("V\\d+__[a-z0-9_]+\\.sql"), "named V<n>__<description>.sql");
    assertThat(postgres).containsExactlyElementsOf(sqlite);
  }
}
