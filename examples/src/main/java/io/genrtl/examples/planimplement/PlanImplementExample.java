package io.genrtl.examples.planimplement;

import com.zaxxer.hikari.HikariDataSource;
import io.genrtl.core.GenRtl;
import io.genrtl.core.account.CreatedUser;
import io.genrtl.core.account.NewUser;
import io.genrtl.core.account.Principal;
import io.genrtl.core.account.Role;
import io.genrtl.core.jobs.Job;
import io.genrtl.jobs.GenRtlJobs;
import io.genrtl.jobs.ImplementJob;
import io.genrtl.jobs.PlanJob;
import io.genrtl.llm.http.AnthropicClient;
import io.genrtl.llm.http.LlmHttpConfig;
import io.genrtl.llm.http.OpenAiResponsesClient;
import io.genrtl.store.sqlite.SqliteDataSources;
import io.genrtl.store.sqlite.SqliteStores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * genRTL's model jobs embedded in a plain Java program, on SQLite, without the HTTP host: a plan job (OpenAI) turns a
 * spec into a plan, an implement job (Anthropic) turns the plan into a policy-checked patch; both are charged to the
 * user's pool. Arguments: the OpenAI and Anthropic API base URLs (e.g. {@code https://api.openai.com/v1} and {@code
 * https://api.anthropic.com/v1}; the keys come from {@code OPENAI_API_KEY} and {@code ANTHROPIC_API_KEY}) and,
 * optionally, a directory to keep the database in. {@code PlanImplementExampleTest} runs it against WireMock.
 */
public final class PlanImplementExample {
  public static void main(String[] args) throws Exception {
    Path dir = args.length > 2 ? Path.of(args[2]) : Files.createTempDirectory("genrtl-plan-implement");
    try (HikariDataSource dataSource = SqliteDataSources.file(dir.resolve("genrtl.db"))) {
      GenRtl genrtl = GenRtlJobs.install(GenRtl.builder()
          .stores(SqliteStores.create(dataSource)) // migrates the schema
          .llm(new OpenAiResponsesClient(LlmHttpConfig.builder(key("OPENAI_API_KEY")).baseUrl(args[0]).build()),
              new AnthropicClient(LlmHttpConfig.builder(key("ANTHROPIC_API_KEY")).baseUrl(args[1]).build())))
          .build();
      CreatedUser user = genrtl.accounts().createUser(new NewUser("designer@example.com", "Example Silicon", Role.USER, "pro"));
      Principal caller = Principal.of(user.user(), null);
      String ws = genrtl.accounts().createWorkspace(caller, "pack16").workspaceId();
      long before = genrtl.pool().balance(user.user().userId()).availableMicros();
      try (GenRtl running = genrtl.start(GenRtl.Background.defaults("example", 1))) {
        String spec = "{\"spec\":\"Pack pairs of bytes into 16-bit words, first byte in the low half\"}";
        Job plan = genrtl.jobs().await(caller, genrtl.jobs().submit(caller, PlanJob.TYPE, ws, spec, null).jobId(), Duration.ofMinutes(15));
        System.out.println("plan:       " + plan.status().wire() + " " + plan.result());
        // the plan job's result, {"plan": {...}}, is an implement job's input as it is (no files, vendor/cbb/ read-only)
        Job impl = genrtl.jobs().await(caller, genrtl.jobs().submit(caller, ImplementJob.TYPE, ws, plan.result(), null).jobId(), Duration.ofMinutes(15));
        System.out.println("implement:  " + impl.status().wire() + " " + impl.result());
        long spent = before - genrtl.pool().balance(user.user().userId()).availableMicros();
        System.out.println("spent:      " + spent + " micro-USD");
      }
    }
  }

  private static String key(String variable) {
    String v = System.getenv(variable);
    return v == null || v.isBlank() ? "unset" : v;
  }
}
