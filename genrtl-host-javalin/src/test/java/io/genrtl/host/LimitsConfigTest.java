package io.genrtl.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genrtl.host.http.PlanLimits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The limits and observability settings: defaults, plan limits from the plans file, operator overrides, bad values. */
class LimitsConfigTest {
  @TempDir Path dir;

  @Test
  void defaults() {
    HostConfig c = HostConfig.load(Map.of());
    assertThat(c.limits().enabled()).isTrue();
    assertThat(c.limits().perKeyPerMinute()).isEqualTo(600);
    assertThat(c.limits().anonymousPerMinute()).isEqualTo(300);
    assertThat(c.limits().authPerMinute()).isEqualTo(30);
    assertThat(c.limits().tenantPerMinute()).isEqualTo(6000);
    assertThat(c.limits().store()).isEqualTo("memory");
    assertThat(c.observability().metricsKey()).isNull();
    assertThat(c.observability().logFormat()).isEqualTo("text");
    assertThat(c.observability().otlpEndpoint()).isNull();
    HostConfig pg = HostConfig.load(Map.of("GENRTL_DB_URL", "jdbc:postgresql://db/genrtl"));
    assertThat(pg.limits().store()).isEqualTo("postgres");
    Map<String, PlanLimits> plans = HostRuntime.planLimits(c);
    assertThat(plans.get("free")).isEqualTo(new PlanLimits(300, 10, 2));
    assertThat(plans.get("pro")).isEqualTo(new PlanLimits(1200, 60, 4));
    assertThat(plans).containsKeys("pro_plus", "ultra");
  }

  @Test
  void operatorsOverrideByEnvironment() {
    HostConfig c = HostConfig.load(Map.of("GENRTL_RATE_LIMIT_PER_MINUTE", "120", "GENRTL_RATE_LIMIT_STORE", "memory",
        "GENRTL_PLAN_PRO_CONCURRENT_JOBS", "9", "GENRTL_PLAN_PRO_PLUS_REQUESTS_PER_MINUTE", "0",
        "GENRTL_METRICS_KEY", "0123456789abcdef", "GENRTL_LOG_FORMAT", "json",
        "OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318", "OTEL_SERVICE_NAME", "genrtl-eu"));
    assertThat(c.limits().perKeyPerMinute()).isEqualTo(120);
    Map<String, PlanLimits> plans = HostRuntime.planLimits(c);
    assertThat(plans.get("pro")).isEqualTo(new PlanLimits(1200, 60, 9));
    assertThat(plans.get("pro_plus").requestsPerMinute()).isZero(); // 0: off
    assertThat(c.observability().otlpEndpoint()).isEqualTo("http://127.0.0.1:4318");
    assertThat(c.observability().serviceName()).isEqualTo("genrtl-eu");
    assertThat(c.toString()).doesNotContain("0123456789abcdef").contains("metrics=key");
    assertThatThrownBy(() -> HostRuntime.planLimits(HostConfig.load(Map.of("GENRTL_PLAN_GOLD_CONCURRENT_JOBS", "3"))))
        .hasMessageContaining("no plan gold");
  }

  @Test
  void badValuesAreReportedTogether() {
    assertThatThrownBy(() -> HostConfig.load(Map.of("GENRTL_RATE_LIMIT_PER_MINUTE", "-1", "GENRTL_RATE_LIMITS", "maybe",
        "GENRTL_RATE_LIMIT_STORE", "postgres", "GENRTL_PLAN_PRO_BURST", "5", "GENRTL_PLAN_PRO_CONCURRENT_JOBS", "many",
        "GENRTL_METRICS_KEY", "short", "GENRTL_LOG_FORMAT", "xml", "OTEL_EXPORTER_OTLP_ENDPOINT", "grpc://collector",
        "GENRTL_RATE_LIMIT_TRUST_FORWARDED_FOR", "yes")))
        .hasMessageContaining("GENRTL_RATE_LIMIT_PER_MINUTE: must be between")
        .hasMessageContaining("GENRTL_RATE_LIMITS: on or off")
        .hasMessageContaining("GENRTL_RATE_LIMIT_STORE: postgres needs")
        .hasMessageContaining("GENRTL_PLAN_PRO_BURST: unknown setting")
        .hasMessageContaining("GENRTL_PLAN_PRO_CONCURRENT_JOBS: not a whole number")
        .hasMessageContaining("GENRTL_METRICS_KEY: at least 16")
        .hasMessageContaining("GENRTL_LOG_FORMAT: text or json")
        .hasMessageContaining("OTEL_EXPORTER_OTLP_ENDPOINT: must be an http(s) URL")
        .hasMessageContaining("GENRTL_RATE_LIMIT_TRUST_FORWARDED_FOR: true or false");
    assertThatThrownBy(() -> HostConfig.load(Map.of("GENRTL_METRICS_KEY", "with a space in it!!"))).hasMessageContaining("GENRTL_METRICS_KEY");
  }

  @Test
  void thePlansFileCarriesLimits() throws Exception {
    Path f = dir.resolve("plans.json");
    Files.writeString(f, "{\"plans\":[{\"id\":\"free\",\"included_usd\":0},"
        + "{\"id\":\"team\",\"included_usd\":50,\"limits\":{\"requests_per_minute\":900,\"concurrent_jobs\":6}}]}",
        StandardCharsets.UTF_8);
    Map<String, PlanLimits> l = PlansFile.loadLimits(f);
    assertThat(l.get("free")).isEqualTo(PlanLimits.DEFAULTS);
    assertThat(l.get("team")).isEqualTo(new PlanLimits(900, PlanLimits.DEFAULTS.jobSubmitsPerMinute(), 6));
    for (String bad : new String[] {"{\"requests_per_minute\":-1}", "{\"concurrent_jobs\":1.5}", "{\"burst\":3}",
        "{\"job_submits_per_minute\":\"ten\"}", "[1]"}) {
      Files.writeString(f, "{\"plans\":[{\"id\":\"free\",\"included_usd\":0,\"limits\":" + bad + "}]}", StandardCharsets.UTF_8);
      assertThatThrownBy(() -> PlansFile.loadLimits(f)).as(bad).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("invalid plans file");
    }
  }
}
