package io.genrtl.host;

import com.zaxxer.hikari.HikariDataSource;
import io.genrtl.core.Stores;
import io.genrtl.store.sqlite.SqliteDataSources;
import io.genrtl.store.sqlite.SqliteStores;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.io.TempDir;

class SqliteAlertWebhooksTest extends AlertWebhooksTest {
  @TempDir Path dir;
  private final List<HikariDataSource> pools = new CopyOnWriteArrayList<>();

  @Override
  protected Stores openStores() {
    return openAnotherHost();
  }

  @Override
  protected Stores openAnotherHost() {
    HikariDataSource ds = SqliteDataSources.file(dir.resolve("genrtl.db"));
    pools.add(ds);
    return SqliteStores.create(ds);
  }

  @Override
  protected void closeStores() {
    pools.forEach(HikariDataSource::close);
  }
}
