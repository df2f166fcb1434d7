package io.genrtl.host;

import com.zaxxer.hikari.HikariDataSource;
import io.genrtl.cbb.pkg.ArchiveInspector;
import io.genrtl.core.GenRtl;
import io.genrtl.core.cbb.CbbService;
import io.genrtl.core.cbb.FileSystemBlobStore;
import io.genrtl.core.cbb.PackageLimits;
import io.genrtl.core.jobs.JobContext;
import io.genrtl.core.jobs.JobHandler;
import io.genrtl.core.testing.MutableClock;
import io.genrtl.host.http.GenRtlApp;
import io.genrtl.store.sqlite.SqliteDataSources;
import io.genrtl.store.sqlite.SqliteStores;
import io.javalin.Javalin;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The host with every route family wired (CBB publishing, jobs) on SQLite, for the OpenAPI and route × role tests.
 * Jobs are never run (no runner): a {@code plan} handler exists only so that jobs can be submitted.
 */
final class FullApp implements AutoCloseable {
  final MutableClock clock = MutableClock.at("2026-07-01T00:00:00Z");
  final HikariDataSource ds;
  final GenRtl genrtl;
  final Javalin app;
  final TestHttp http;

  FullApp(Path dir) {
    ds = SqliteDataSources.file(dir.resolve("genrtl.db"));
    genrtl = GenRtl.builder().stores(SqliteStores.create(ds)).clock(clock)
        .blobStore(new FileSystemBlobStore(dir.resolve("blobs")))
        .packageInspector(new ArchiveInspector())
        .cbbSettings(new CbbService.Settings("http://127.0.0.1", Duration.ofSeconds(300), PackageLimits.DEFAULTS))
        .jobHandler("plan", new JobHandler() {
          @Override
          public long firstStepWorstCaseMicros(String input) {
            return 0;
          }

          @Override
          public String run(JobContext context) {
            throw new IllegalStateException("jobs do not run in this test");
          }
        })
        .build();
    // every route a configured server can serve, /metrics included (open: no GENRTL_METRICS_KEY)
    app = GenRtlApp.create(genrtl, new GenRtlApp.Settings(64 * 1024, "http://127.0.0.1", 2L << 20, ManifestSchema.text()),
        io.genrtl.host.http.SignInProviders.none(), new GenRtlApp.Extras(null, new io.genrtl.host.obs.Metrics(), null, null));
    app.start("127.0.0.1", 0);
    http = new TestHttp(app.port());
  }

  @Override
  public void close() {
    app.stop();
    ds.close();
  }
}
