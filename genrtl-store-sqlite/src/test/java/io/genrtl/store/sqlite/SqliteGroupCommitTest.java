package io.genrtl.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.genrtl.store.jdbc.internal.Db;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group commit on SQLite: concurrent transactions share one BEGIN IMMEDIATE … COMMIT, each unit in its own savepoint;
 * a unit that fails its own checks fails alone, and nothing a caller was told is committed is missing.
 */
class SqliteGroupCommitTest {
  static final class Refused extends RuntimeException {
    Refused(String m) {
      super(m);
    }
  }

  @TempDir Path dir;
  HikariDataSource ds;
  Db db;

  @BeforeEach
  void open() {
    ds = SqliteDataSources.file(dir.resolve("g.db"), 4);
    db = new Db(Jdbi.create(ds), SqliteDialect.INSTANCE);
    db.withHandle(h -> {
      h.execute("CREATE TABLE acct (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL CHECK (balance >= 0))");
      h.execute("CREATE TABLE ledger (id INTEGER PRIMARY KEY AUTOINCREMENT, who TEXT NOT NULL, amount INTEGER NOT NULL)");
      h.execute("CREATE TABLE keys (k TEXT PRIMARY KEY)");
      return h.execute("INSERT INTO acct (id, balance) VALUES (1, 1000)");
    });
  }

  @AfterEach
  void close() {
    ds.close();
  }

  /** One debit: the conditional update, the ledger row; a refusal after a write leaves nothing behind. */
  String debit(String who, long amount, boolean failAfterWrite) {
    return db.inTransaction(() -> db.withHandle(h -> {
      h.createUpdate("INSERT INTO ledger (who, amount) VALUES (:w, :a)").bind("w", who).bind("a", amount).execute();
      if (failAfterWrite) throw new Refused("refused after writing: " + who);
      int n = h.createUpdate("UPDATE acct SET balance = balance - :a WHERE id = 1 AND balance >= :a").bind("a", amount)
          .execute();
      if (n != 1) throw new Refused("insufficient funds: " + who);
      return who;
    }));
  }

  long balance() {
    return db.withHandle(h -> h.createQuery("SELECT balance FROM acct WHERE id = 1").mapTo(Long.class).one());
  }

  List<String> ledger() {
    return db.withHandle(h -> h.createQuery("SELECT who FROM ledger ORDER BY id").mapTo(String.class).list());
  }

  @Test
  void concurrentUnitsShareCommitsAndFailAlone() throws Exception {
    int threads = 16;
    int perThread = 150;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    ConcurrentLinkedQueue<String> acknowledged = new ConcurrentLinkedQueue<>();
    AtomicInteger refusedFunds = new AtomicInteger();
    AtomicInteger refusedAfterWrite = new AtomicInteger();
    List<Future<?>> fs = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int tt = t;
      fs.add(pool.submit(() -> {
        start.await();
        for (int i = 0; i < perThread; i++) {
          String who = tt + "-" + i;
          boolean failAfterWrite = i % 7 == 3;
          try {
            acknowledged.add(debit(who, 1, failAfterWrite));
          } catch (Refused e) {
            (failAfterWrite ? refusedAfterWrite : refusedFunds).incrementAndGet();
          }
        }
        return null;
      }));
    }
    start.countDown();
    for (Future<?> f : fs) f.get(120, TimeUnit.SECONDS);
    pool.shutdown();

    // the balance ran out: exactly 1000 debits were acknowledged, each with its ledger row and nothing else
    assertThat(acknowledged).hasSize(1000);
    assertThat(balance()).isZero();
    assertThat(ledger()).containsExactlyInAnyOrderElementsOf(acknowledged);
    int attempts = threads * perThread;
    assertThat(refusedAfterWrite.get() + refusedFunds.get() + acknowledged.size()).isEqualTo(attempts);
    assertThat(refusedAfterWrite.get()).isEqualTo(threads * (int) java.util.stream.IntStream.range(0, perThread)
        .filter(i -> i % 7 == 3).count());
    // and they shared commits: fewer database transactions than units
    Db.CommitStats stats = db.commitStats().orElseThrow();
    assertThat(stats.units()).isEqualTo(attempts + 0L);
    assertThat(stats.commits()).isLessThan(stats.units());

    // what the callers were told survives a new connection pool (the data are on disk)
    ds.close();
    ds = SqliteDataSources.file(dir.resolve("g.db"), 2);
    db = new Db(Jdbi.create(ds), SqliteDialect.INSTANCE);
    assertThat(ledger()).containsExactlyInAnyOrderElementsOf(acknowledged);
    assertThat(balance()).isZero();
  }

  @Test
  void aConstraintViolationFailsItsUnitOnlyAndNestedCallsJoin() {
    db.inTransaction(() -> db.withHandle(h -> h.execute("INSERT INTO keys (k) VALUES ('a')")));
    assertThatThrownBy(() -> db.inTransaction(() -> {
      db.withHandle(h -> h.execute("INSERT INTO keys (k) VALUES ('b')"));
      // a nested call joins the outer unit: its write goes with the unit's rollback
      db.inTransaction(() -> db.withHandle(h -> h.execute("INSERT INTO keys (k) VALUES ('c')")));
      return db.withHandle(h -> h.execute("INSERT INTO keys (k) VALUES ('a')"));
    })).isInstanceOf(RuntimeException.class);
    db.inTransaction(() -> db.withHandle(h -> h.execute("INSERT INTO keys (k) VALUES ('d')")));
    List<String> keys = db.withHandle(h -> h.createQuery("SELECT k FROM keys ORDER BY k").mapTo(String.class).list());
    assertThat(keys).containsExactly("a", "d");
  }

  int synchronousSetting() {
    return db.withHandle(h -> h.createQuery("PRAGMA synchronous").mapTo(Integer.class).one());
  }

  @Test
  void relaxedUnitsCommitWithoutWaitingForTheDiskAndDurableOnesAlwaysDo() {
    // inside a unit, PRAGMA synchronous is the setting its COMMIT runs with: 2 = FULL (fsync), 1 = NORMAL (none)
    int durable = db.inTransaction(this::synchronousSetting);
    int relaxed = db.relaxed(() -> db.inTransaction(this::synchronousSetting));
    int durableAfter = db.inTransaction(this::synchronousSetting);
    assertThat(durable).isEqualTo(2);
    assertThat(relaxed).isEqualTo(1);
    assertThat(durableAfter).isEqualTo(2);
    // a relaxed unit's writes are committed and visible to other connections when it returns
    db.relaxed(() -> debit("relaxed", 7, false));
    assertThat(balance()).isEqualTo(993);
    // outside any unit, pooled connections are back at FULL
    for (int i = 0; i < 8; i++) assertThat(synchronousSetting()).isEqualTo(2);
  }

  @Test
  void underConcurrencyADurableUnitNeverRunsInARelaxedBatch() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(12);
    ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
    List<Future<?>> fs = new ArrayList<>();
    for (int t = 0; t < 12; t++) {
      boolean relaxedThread = t % 2 == 0;
      fs.add(pool.submit(() -> {
        for (int i = 0; i < 100; i++) {
          if (relaxedThread) {
            db.relaxed(() -> db.inTransaction(this::synchronousSetting)); // may share a durable batch: either is fine
          } else {
            int s = db.inTransaction(this::synchronousSetting);
            if (s != 2) wrong.add("durable unit ran with synchronous=" + s);
          }
        }
        return null;
      }));
    }
    for (Future<?> f : fs) f.get(60, TimeUnit.SECONDS);
    pool.shutdown();
    assertThat(wrong).isEmpty();
  }

  @Test
  void anErrorInAUnitDoesNotLeaveTheWriterHeld() {
    assertThatThrownBy(() -> db.inTransaction(() -> {
      db.withHandle(h -> h.execute("INSERT INTO keys (k) VALUES ('x')"));
      throw new StackOverflowError("simulated");
    })).isInstanceOf(StackOverflowError.class);
    assertThat(debit("after", 5, false)).isEqualTo("after");
    assertThat(balance()).isEqualTo(995);
    int keys = db.withHandle(h -> h.createQuery("SELECT count(*) FROM keys").mapTo(Integer.class).one());
    assertThat(keys).isZero();
  }
}
