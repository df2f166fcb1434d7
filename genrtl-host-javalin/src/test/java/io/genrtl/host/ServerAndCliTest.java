package io.genrtl.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.genrtl.core.testing.PgTestSupport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The jar's entry points as an operator meets them: {@code serve} on SQLite and PostgreSQL, {@code migrate}, {@code admin}. */
class ServerAndCliTest {
  @TempDir Path dir;

  private Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("GENRTL_DATA_DIR", dir.resolve("data").toString());
    env.put("GENRTL_PORT", "0");
    env.put("GENRTL_BIND", "127.0.0.1");
    return env;
  }

  @Test
  void firstStartOnSqliteCreatesOneSuperAdminAndServes() throws Exception {
    firstStartCreatesOneSuperAdminAndServes(env());
    assertThat(dir.resolve("data/genrtl.db")).exists();
  }

  @Test
  void firstStartOnPostgresCreatesOneSuperAdminAndServes() throws Exception {
    String url = PgTestSupport.urlOrSkip();
    String schema = PgTestSupport.createSchema(url);
    try {
      Map<String, String> env = env();
      env.put("GENRTL_DB_URL", url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema);
      firstStartCreatesOneSuperAdminAndServes(env);
      assertThat(dir.resolve("data/genrtl.db")).doesNotExist();
    } finally {
      PgTestSupport.dropSchema(url, schema);
    }
  }

  private void firstStartCreatesOneSuperAdminAndServes(Map<String, String> env) throws Exception {
    HostConfig config = HostConfig.load(env);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    String key;
    try (GenRtlServer server = GenRtlServer.start(config, Clock.systemUTC(), new PrintStream(out, true, StandardCharsets.UTF_8))) {
      String printed = out.toString(StandardCharsets.UTF_8);
      assertThat(printed).matches("(?s)GENRTL_ADMIN_KEY=grtl_[0-9A-Za-z]+_[0-9A-Za-z]{32}\\R");
      key = printed.trim().substring("GENRTL_ADMIN_KEY=".length());
      Path file = config.dataDir().resolve("admin.key");
      assertThat(Files.readString(file).trim()).isEqualTo(key);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");

      TestHttp http = new TestHttp(server.port());
      assertThat(http.get("/healthz", null).status()).isEqualTo(200);
      assertThat(http.get("/readyz", null).status()).isEqualTo(200);
      TestHttp.Response me = http.get("/api/me", key);
      assertThat(me.status()).isEqualTo(200);
      assertThat(me.json()).containsEntry("role", "super_admin");
      // the seed catalog was packaged and published on first start
      TestHttp.Response cbbs = http.get("/api/cbb", key);
      assertThat((java.util.List<?>) cbbs.json().get("items")).hasSizeGreaterThanOrEqualTo(8);
      assertThat(cbbs.body()).contains("\"cbb_id\":\"sync_fifo\"").contains("\"cbb_id\":\"uart\"");
    }
    // the second start finds the admin and prints nothing
    ByteArrayOutputStream again = new ByteArrayOutputStream();
    try (GenRtlServer server = GenRtlServer.start(config, Clock.systemUTC(), new PrintStream(again, true, StandardCharsets.UTF_8))) {
      assertThat(again.toString(StandardCharsets.UTF_8)).isEmpty();
      assertThat(new TestHttp(server.port()).get("/api/me", key).status()).isEqualTo(200);
    }
  }

  record Run(int code, String out, String err) {}

  private Run run(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void adminCreateUserAndCreateKeyPrintJsonWhoseKeysWork() throws Exception {
    Map<String, String> env = env();
    Run migrate = run(env, "migrate");
    assertThat(migrate.code()).as(migrate.err()).isZero();
    assertThat(migrate.out()).containsPattern("\"migrations_applied\":[1-9]");
    assertThat(run(env, "migrate").out()).contains("\"migrations_applied\":0");

    Run user = run(env, "admin", "create-user", "--email", "Dev@Chip.test", "--tenant", "chipco", "--role", "tenant_admin", "--plan", "pro");
    assertThat(user.code()).as(user.err()).isZero();
    Map<String, Object> u = new TestHttp.Response(200, Map.of(), user.out()).json();
    assertThat(u).containsKeys("user_id", "tenant_id", "api_key").containsEntry("email", "dev@chip.test")
        .containsEntry("role", "tenant_admin").containsEntry("plan", "pro");

    Run key = run(env, "admin", "create-key", "--user", u.get("user_id").toString(), "--name", "ci");
    assertThat(key.code()).as(key.err()).isZero();
    Map<String, Object> k = new TestHttp.Response(200, Map.of(), key.out()).json();
    assertThat(k).containsEntry("user_id", u.get("user_id")).containsKey("api_key");

    try (GenRtlServer server = GenRtlServer.start(HostConfig.load(env), Clock.systemUTC(), new PrintStream(new ByteArrayOutputStream()))) {
      TestHttp http = new TestHttp(server.port());
      for (Object apiKey : new Object[] {u.get("api_key"), k.get("api_key")}) {
        TestHttp.Response me = http.get("/api/me", apiKey.toString());
        assertThat(me.status()).isEqualTo(200);
        assertThat(me.json()).containsEntry("plan", "pro").containsEntry("subscription_status", "active");
      }
    }
  }

  /** Low finding: no way to cut a user off from the command line either; disable-user refuses the user's keys at once. */
  @Test
  void low_cliDisablesAndEnablesAUser() throws Exception {
    Map<String, String> env = env();
    Run user = run(env, "admin", "create-user", "--email", "gone@chip.test", "--tenant", "chipco");
    assertThat(user.code()).as(user.err()).isZero();
    Map<String, Object> u = new TestHttp.Response(200, Map.of(), user.out()).json();
    String id = u.get("user_id").toString();
    Run off = run(env, "admin", "disable-user", "--user", id, "--reason", "left the company");
    assertThat(off.code()).as(off.err()).isZero();
    Map<String, Object> o = new TestHttp.Response(200, Map.of(), off.out()).json();
    assertThat(o).containsEntry("user_id", id).containsEntry("disabled", true);
    assertThat(o.get("disabled_at")).isNotNull();
    Run keyForDisabled = run(env, "admin", "create-key", "--user", id);
    assertThat(keyForDisabled.code()).isEqualTo(1);
    assertThat(keyForDisabled.err()).contains("account_disabled");
    try (GenRtlServer server = GenRtlServer.start(HostConfig.load(env), Clock.systemUTC(), new PrintStream(new ByteArrayOutputStream()))) {
      TestHttp http = new TestHttp(server.port());
      TestHttp.Response me = http.get("/api/me", u.get("api_key").toString());
      assertThat(me.status()).isEqualTo(401);
      assertThat(me.json()).containsEntry("code", "account_disabled");
    }
    Run on = run(env, "admin", "enable-user", "--user", id);
    assertThat(on.code()).as(on.err()).isZero();
    assertThat(new TestHttp.Response(200, Map.of(), on.out()).json()).containsEntry("disabled", false).containsEntry("disabled_at", null);
    assertThat(run(env, "admin", "disable-user").err()).contains("--user is required");
    assertThat(run(env, "admin", "disable-user", "--user", "NOSUCHUSER").err()).contains("not found");
    assertThat(run(env, "admin", "disable-user", "--user", id, "--colour", "red").code()).isEqualTo(2);
    try (GenRtlServer server = GenRtlServer.start(HostConfig.load(env), Clock.systemUTC(), new PrintStream(new ByteArrayOutputStream()))) {
      assertThat(new TestHttp(server.port()).get("/api/me", u.get("api_key").toString()).status()).isEqualTo(200);
    }
  }

  @Test
  void cbbPublishValidatesAndPublishesAFile() throws Exception {
    Map<String, String> env = env();
    Path pkg = io.genrtl.cbb.pkg.PackageBuilder.build(Path.of("..", "catalog", "crc32").toAbsolutePath().normalize(),
        dir.resolve("crc32.zip"), io.genrtl.core.cbb.CbbPackage.Format.ZIP);
    Run first = run(env, "cbb", "publish", pkg.toString());
    assertThat(first.code()).as(first.err()).isZero();
    assertThat(first.out()).contains("\"cbb_id\":\"crc32\"").contains("\"created\":true");
    assertThat(run(env, "cbb", "publish", pkg.toString()).out()).contains("\"created\":false");
    Path junk = Files.writeString(dir.resolve("junk.zip"), "not a zip");
    Run bad = run(env, "cbb", "publish", junk.toString());
    assertThat(bad.code()).isEqualTo(1);
    assertThat(bad.err()).contains("invalid_package").contains("not_an_archive");
    assertThat(run(env, "cbb", "publish", dir.resolve("missing.zip").toString()).code()).isEqualTo(2);
    assertThat(run(env, "cbb").code()).isEqualTo(2);
  }

  @Test
  void verifyLedgerPassesOnAnHonestDatabaseAndFailsOnATamperedOne() throws Exception {
    Map<String, String> env = env();
    assertThat(run(env, "admin", "create-user", "--email", "a@x.test", "--plan", "pro").code()).isZero();
    assertThat(run(env, "admin", "create-user", "--email", "b@x.test").code()).isZero();
    Run ok = run(env, "admin", "verify-ledger");
    assertThat(ok.code()).as(ok.err()).isZero();
    assertThat(ok.out()).contains("\"accounts_checked\":2").contains("\"accounts_with_differences\":0");

    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("data/genrtl.db"));
        java.sql.Statement st = c.createStatement()) {
      st.executeUpdate("UPDATE pool_accounts SET included_micros = included_micros - 1 WHERE included_micros > 0");
    }
    Run bad = run(env, "admin", "verify-ledger");
    assertThat(bad.code()).isEqualTo(1);
    assertThat(bad.out()).contains("\"accounts_with_differences\":1").contains("included is 19999999");
  }

  @Test
  void badCommandsAndBadInputGiveClearErrorsAndExitCodes() {
    Map<String, String> env = env();
    assertThat(run(env).code()).isEqualTo(2);
    assertThat(run(env, "help").code()).isZero();
    assertThat(run(env, "frobnicate").err()).contains("unknown command");
    assertThat(run(env, "admin").code()).isEqualTo(2);
    assertThat(run(env, "admin", "create-user").err()).contains("--email is required");
    assertThat(run(env, "admin", "create-user", "--email").err()).contains("needs a value");
    assertThat(run(env, "admin", "create-user", "--email", "a@b.c", "--colour", "red").err()).contains("unknown option --colour");
    assertThat(run(env, "admin", "create-user", "--email", "a@b.c", "--role", "god").code()).isEqualTo(2);
    Run plan = run(env, "admin", "create-user", "--email", "a@b.c", "--plan", "platinum");
    assertThat(plan.code()).isEqualTo(1);
    assertThat(plan.err()).contains("unknown plan").contains("validation_failed");
    assertThat(run(env, "admin", "create-user", "--email", "a@b.c").code()).isZero();
    Run dup = run(env, "admin", "create-user", "--email", "A@b.c");
    assertThat(dup.code()).isEqualTo(1);
    assertThat(dup.err()).contains("email_taken");
    assertThat(run(env, "admin", "create-key", "--user", "NOSUCHUSER").err()).contains("not found");

    Map<String, String> badEnv = env();
    badEnv.put("GENRTL_PORT", "eighty");
    badEnv.put("GENRTL_DB_URL", "mysql://x");
    Run bad = run(badEnv, "serve");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).contains("GENRTL_PORT").contains("GENRTL_DB_URL");
  }

  // ------------------------------------------------------------------ reconcile-billing

  @Test
  void reconcileBillingOnSqliteReportsUnreportedOnDemandUsageUntilTheMeterHasIt() {
    reconcileBilling(env());
  }

  @Test
  void reconcileBillingOnPostgres() {
    String url = PgTestSupport.urlOrSkip();
    String schema = PgTestSupport.createSchema(url);
    try {
      Map<String, String> env = env();
      env.put("GENRTL_DB_URL", url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema);
      reconcileBilling(env);
    } finally {
      PgTestSupport.dropSchema(url, schema);
    }
  }

  private int cli(Map<String, String> env, ByteArrayOutputStream out, String... args) {
    out.reset();
    return Main.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
  }

  private void reconcileBilling(Map<String, String> env) {
    HostConfig config = HostConfig.load(env);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(cli(env, out, "admin", "reconcile-billing")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("\"periods_checked\":0");
    String userId;
    try (HostRuntime rt = HostRuntime.open(config, Clock.systemUTC())) {
      io.genrtl.core.GenRtl g = rt.genrtl();
      userId = g.accounts().createUser(new io.genrtl.core.account.NewUser("meter@x.test", null,
          io.genrtl.core.account.Role.USER, "pro")).user().userId();
      g.billing().subscriptionChanged(userId, "stripe", "sub_cli", "pro", io.genrtl.core.account.SubscriptionStatus.ACTIVE,
          g.clock().millis(), g.clock().millis() + 86_400_000L * 30);
      g.billing().linkCustomer(userId, "stripe", "cus_cli");
      g.pool().setOnDemandLimit(userId, 100_000_000L);
      g.pool().charge(io.genrtl.core.pool.ChargeRequest.of(userId, io.genrtl.core.pool.UsageKind.LLM, 23_500_000L, "k"));
    }
    assertThat(cli(env, out, "admin", "reconcile-billing")).as("unreported on-demand usage").isEqualTo(1);
    String report = out.toString(StandardCharsets.UTF_8);
    assertThat(report).contains("\"periods_with_differences\":1", "\"user_id\":\"" + userId + "\"",
        "\"ledger_on_demand_usd\":3.5", "\"reported_usd\":0", "\"pending_usd\":3.5", "\"difference_usd\":3.5");
    java.util.List<String> sent = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (HostRuntime rt = HostRuntime.open(config, Clock.systemUTC())) {
      new io.genrtl.core.billing.MeterReporter(rt.genrtl().stores().accounts(), rt.genrtl().stores().billing(), Clock.systemUTC(), d -> { },
          e -> sent.add(e.identifier() + " " + e.customerId() + " " + e.value()),
          io.genrtl.core.billing.MeterReporter.Settings.defaults()).reportDue();
    }
    assertThat(sent).singleElement().asString().startsWith("genrtl-od-").endsWith(" cus_cli 3500000");
    assertThat(cli(env, out, "admin", "reconcile-billing")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("\"periods_with_differences\":0", "\"reported_usd\":3.5",
        "\"difference_usd\":0");
  }
}
