package io.genrtl.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostConfigTest {
  @TempDir Path dir;

  @Test
  void defaultsRunOnSqliteInTheDataDir() {
    HostConfig c = HostConfig.load(Map.of());
    assertThat(c.port()).isEqualTo(8080);
    assertThat(c.dataDir()).isEqualTo(Path.of("./genrtl-data").toAbsolutePath().normalize());
    assertThat(c.dbUrl()).isEqualTo("jdbc:sqlite:" + c.dataDir().resolve("genrtl.db"));
    assertThat(c.isPostgres()).isFalse();
    assertThat(c.maxBodyBytes()).isEqualTo(1L << 20);
    assertThat(c.publicUrl()).isEqualTo("http://localhost:8080");
    assertThat(c.dbPoolSize()).isEqualTo(4);
  }

  @Test
  void toolSettingsHaveDefaultsAndAreValidated() {
    HostConfig d = HostConfig.load(Map.of("GENRTL_DATA_DIR", dir.toString()));
    assertThat(d.tools().microsPerCpuSecond()).isZero();
    assertThat(d.tools().isolation()).isEqualTo("auto");
    assertThat(d.tools().maxConcurrent()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(d.tools().cacheDir()).isEqualTo(dir.toAbsolutePath().normalize().resolve("verilator-cache"));
    assertThat(d.tools().runTimeoutSeconds()).isEqualTo(30);
    assertThat(d.tools().maxRunTimeoutSeconds()).isEqualTo(600);
    HostConfig c = HostConfig.load(Map.of("GENRTL_TOOL_USD_PER_CPU_SECOND", "0.000125", "GENRTL_TOOL_ISOLATION", "none",
        "GENRTL_TOOL_ALLOW_WEAK_ISOLATION", "true", "GENRTL_TOOL_MAX_CONCURRENT", "3", "GENRTL_TOOL_CACHE_MB", "0",
        "GENRTL_TOOL_VERILATOR_JOBS", "4"));
    assertThat(c.tools().microsPerCpuSecond()).isEqualTo(125);
    assertThat(c.tools().maxConcurrent()).isEqualTo(3);
    assertThat(c.tools().cacheBytes()).isZero();
    assertThat(c.tools().verilatorJobs()).isEqualTo(4);
    assertThat(HostRuntime.toolRunner(c.tools())).isNotNull(); // lazy: nothing is probed yet
    assertThatThrownBy(() -> HostConfig.load(Map.of("GENRTL_TOOL_USD_PER_CPU_SECOND", "0.0000001", "GENRTL_TOOL_ISOLATION", "docker",
        "GENRTL_TOOL_RUN_TIMEOUT_S", "900", "GENRTL_TOOL_MAX_RUN_TIMEOUT_S", "60", "GENRTL_TOOL_TIMEOUT", "5")))
        .hasMessageContaining("GENRTL_TOOL_USD_PER_CPU_SECOND").hasMessageContaining("GENRTL_TOOL_ISOLATION")
        .hasMessageContaining("GENRTL_TOOL_RUN_TIMEOUT_S").hasMessageContaining("GENRTL_TOOL_TIMEOUT: unknown setting");
    assertThatThrownBy(() -> HostConfig.load(Map.of("GENRTL_TOOL_USD_PER_CPU_SECOND", "-1")))
        .hasMessageContaining("GENRTL_TOOL_USD_PER_CPU_SECOND");
    assertThatThrownBy(() -> HostConfig.load(Map.of("GENRTL_TOOL_USD_PER_CPU_SECOND", "cheap")))
        .hasMessageContaining("not a number");
  }

  @Test
  void aPostgresUrlSwitchesDialectAndPoolDefault() {
    HostConfig c = HostConfig.load(Map.of("GENRTL_DB_URL", "jdbc:postgresql://db:5432/genrtl", "GENRTL_DB_PASSWORD", "s3cret"));
    assertThat(c.isPostgres()).isTrue();
    assertThat(c.dbPoolSize()).isEqualTo(10);
    assertThat(c.toString()).doesNotContain("s3cret");
  }

  @Test
  void theEnvironmentOverridesTheFile() throws Exception {
    Path f = dir.resolve("genrtl.properties");
    Files.writeString(f, "GENRTL_PORT=9000\nGENRTL_PUBLIC_URL=https://rtl.example.com/\nGENRTL_MAX_BODY_BYTES=2048\n");
    HostConfig c = HostConfig.load(Map.of("GENRTL_CONFIG_FILE", f.toString(), "GENRTL_PORT", "9100"));
    assertThat(c.port()).isEqualTo(9100);
    assertThat(c.publicUrl()).isEqualTo("https://rtl.example.com");
    assertThat(c.maxBodyBytes()).isEqualTo(2048);
  }

  @Test
  void s3SettingsAreValidatedAndTheSecretNeverPrinted() {
    HostConfig c = HostConfig.load(Map.of("GENRTL_BLOB_STORE", "s3", "GENRTL_S3_REGION", "us-east-1", "GENRTL_S3_BUCKET", "pkgs",
        "GENRTL_S3_ENDPOINT", "http://127.0.0.1:9000", "GENRTL_S3_ACCESS_KEY_ID", "AKIA", "GENRTL_S3_SECRET_ACCESS_KEY",
        "very-secret", "GENRTL_S3_PATH_STYLE", "true"));
    assertThat(c.s3().bucket()).isEqualTo("pkgs");
    assertThat(c.s3().pathStyle()).isTrue();
    assertThat(c.toString()).contains("bucket=pkgs").doesNotContain("very-secret");
    assertThat(HostRuntime.blobs(c).toString()).doesNotContain("very-secret");
    assertThatThrownBy(() -> HostConfig.load(Map.of("GENRTL_BLOB_STORE", "s3", "GENRTL_S3_ACCESS_KEY_ID", "x",
        "GENRTL_S3_ENDPOINT", "http://user:pw@host")))
        .hasMessageContaining("GENRTL_S3_REGION").hasMessageContaining("GENRTL_S3_BUCKET")
        .hasMessageContaining("set both or neither").hasMessageContaining("GENRTL_S3_ENDPOINT");
    assertThatThrownBy(() -> HostConfig.load(Map.of("GENRTL_BLOB_STORE", "ftp"))).hasMessageContaining("filesystem or s3");
    assertThatThrownBy(() -> HostConfig.load(Map.of("GENRTL_BLOB_STORE", "s3", "GENRTL_S3_REGION", "r", "GENRTL_S3_BUCKET", "No_Such")))
        .hasMessageContaining("not a valid bucket name");
    assertThat(HostConfig.load(Map.of()).s3()).isNull();
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    assertThatThrownBy(() -> HostConfig.load(Map.of(
        "GENRTL_PORT", "70000", "GENRTL_DB_URL", "mysql://x", "GENRTL_PUBLIC_URL", "ftp://x",
        "GENRTL_MAX_BODY_BYTES", "lots", "GENRTL_LOG_LEVEL", "loud", "GENRTL_PROT", "1",
        "GENRTL_CONFIG_FILE", dir.resolve("missing.properties").toString())))
        .isInstanceOf(HostConfig.InvalidConfigException.class)
        .hasMessageContaining("GENRTL_PORT")
        .hasMessageContaining("GENRTL_DB_URL")
        .hasMessageContaining("GENRTL_PUBLIC_URL")
        .hasMessageContaining("GENRTL_MAX_BODY_BYTES")
        .hasMessageContaining("GENRTL_LOG_LEVEL")
        .hasMessageContaining("GENRTL_PROT: unknown setting")
        .hasMessageContaining("cannot read");
  }

  @Test
  void theLaunchersJavaOptionsAreNotAnUnknownSetting(@org.junit.jupiter.api.io.TempDir Path d) {
    // ./genrtl reads GENRTL_JAVA_OPTS itself; the server must not refuse to start because it sees it too
    HostConfig c = HostConfig.load(Map.of("GENRTL_DATA_DIR", d.toString(), "GENRTL_JAVA_OPTS", "-Xmx512m"));
    assertThat(c.dataDir()).isEqualTo(d.toAbsolutePath().normalize());
  }

  @Test
  void theBuildsTestVariablesAreNotSettingsButLookAlikesAreRefused(@org.junit.jupiter.api.io.TempDir Path d) {
    // a shell set up to run the tests (README.md, Tests) runs ./genrtl unchanged
    HostConfig c = HostConfig.load(Map.of("GENRTL_DATA_DIR", d.toString(), "GENRTL_PG_URL", "jdbc:postgresql://x/y",
        "GENRTL_REQUIRE_PG", "1", "GENRTL_SIM_FULL", "1", "GENRTL_REQUIRE_SIMULATORS", "1"));
    assertThat(c.dataDir()).isEqualTo(d.toAbsolutePath().normalize());
    assertThat(c.isPostgres()).isFalse(); // GENRTL_PG_URL is the tests', never the server's database
    // exact names only: no prefix lets a typo through
    assertThatThrownBy(() -> HostConfig.load(Map.of("GENRTL_SIM_FUL", "1", "GENRTL_PG_USER", "x", "GENRTL_TOOL_TIMEOUT", "1")))
        .hasMessageContaining("GENRTL_SIM_FUL: unknown setting").hasMessageContaining("GENRTL_PG_USER: unknown setting")
        .hasMessageContaining("GENRTL_TOOL_TIMEOUT: unknown setting");
  }

  @Test
  void paymentSettingsAreReadAndCheckedWithoutPrintingSecrets() {
    HostConfig c = HostConfig.load(Map.of("CREEM_API_KEY", "creem_key_secret", "CREEM_WEBHOOK_SECRET", "whsec_creem_secret",
        "CREEM_API_BASE", "https://test-api.creem.io", "GENRTL_CREEM_PRODUCT_PRO", "prod_1", "GENRTL_CREEM_PRODUCT_CREDITS_50",
        "prod_2", "GENRTL_ALERT_WEBHOOK_URL", "https://hooks.example.com/genrtl", "GENRTL_ALERT_WEBHOOK_SECRET",
        "alert-secret-0123456789", "STRIPE_SECRET_KEY", "sk_test_secret", "GENRTL_STRIPE_METER_EVENT", "genrtl_on_demand"));
    assertThat(c.creem().productById()).containsEntry("pro", "prod_1").containsEntry("credits_50", "prod_2");
    assertThat(c.creem().apiBase()).isEqualTo("https://test-api.creem.io");
    assertThat(c.alerts().webhookUrl()).isEqualTo("https://hooks.example.com/genrtl");
    assertThat(c.meter().eventName()).isEqualTo("genrtl_on_demand");
    assertThat(c.meter().reportSeconds()).isEqualTo(60);
    assertThat(c.toString()).doesNotContain("creem_key_secret", "whsec_creem_secret", "alert-secret", "sk_test_secret");

    assertThatThrownBy(() -> HostConfig.load(Map.of("GENRTL_ALERT_WEBHOOK_URL", "http://hooks.example.com/x",
        "GENRTL_METER_REPORT_SECONDS", "0", "GENRTL_STRIPE_METER_EVENT", "e", "CREEM_API_BASE", "ftp://x")))
        .isInstanceOf(HostConfig.InvalidConfigException.class)
        .hasMessageContaining("GENRTL_ALERT_WEBHOOK_URL: must be an https:// URL")
        .hasMessageContaining("GENRTL_ALERT_WEBHOOK_SECRET: required")
        .hasMessageContaining("GENRTL_METER_REPORT_SECONDS")
        .hasMessageContaining("GENRTL_STRIPE_METER_EVENT: needs STRIPE_SECRET_KEY")
        .hasMessageContaining("CREEM_API_BASE");
    assertThat(HostConfig.load(Map.of("GENRTL_ALERT_WEBHOOK_URL", "http://127.0.0.1:9999/h", "GENRTL_ALERT_WEBHOOK_SECRET",
        "alert-secret-0123456789")).alerts().webhookUrl()).startsWith("http://127.0.0.1");
  }

  // ------------------------------------------------------------------ the HTTP edge

  @Test
  void edgeSettingsAreOffByDefaultAndValidated() {
    HostConfig d = HostConfig.load(Map.of());
    assertThat(d.edge().trustForwardedProto()).isFalse();
    assertThat(d.edge().corsOrigins()).isEmpty();
    HostConfig c = HostConfig.load(Map.of("GENRTL_TRUST_FORWARDED_PROTO", "true",
        "GENRTL_CORS_ORIGINS", " https://App.Example.com, http://localhost:5173,,https://app.example.com,http://[::1]:8080"));
    assertThat(c.edge().trustForwardedProto()).isTrue();
    assertThat(c.edge().corsOrigins()).containsExactly("https://app.example.com", "http://localhost:5173", "http://[::1]:8080");
    assertThat(c.toString()).contains("cors=[https://app.example.com");
    for (String bad : new String[] {"*", "https://*.example.com", "https://a.example.com/", "https://a.example.com/app",
        "ftp://a.example.com", "a.example.com", "https://a.example.com:99999", "https://a.example.com:0", "null",
        "https://user@a.example.com"}) {
      assertThatThrownBy(() -> HostConfig.load(Map.of("GENRTL_CORS_ORIGINS", bad))).as(bad)
          .hasMessageContaining("GENRTL_CORS_ORIGINS: '" + bad + "' is not an origin");
    }
    assertThatThrownBy(() -> HostConfig.load(Map.of("GENRTL_TRUST_FORWARDED_PROTO", "yes")))
        .hasMessageContaining("GENRTL_TRUST_FORWARDED_PROTO: true or false");
  }
}
