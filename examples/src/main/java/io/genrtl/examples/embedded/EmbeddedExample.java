package io.genrtl.examples.embedded;

import com.zaxxer.hikari.HikariDataSource;
import io.genrtl.core.GenRtl;
import io.genrtl.core.account.CreatedUser;
import io.genrtl.core.account.IssuedKey;
import io.genrtl.core.account.NewUser;
import io.genrtl.core.account.Principal;
import io.genrtl.core.account.Role;
import io.genrtl.core.account.Workspace;
import io.genrtl.store.sqlite.SqliteDataSources;
import io.genrtl.store.sqlite.SqliteStores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

/**
 * genRTL embedded in a plain Java program, on SQLite, without the HTTP host: create a user on the Pro plan, give
 * them an API key, authenticate with it and open a workspace. Run it from your IDE (pass a directory to keep the
 * database there); {@code EmbeddedExampleTest} runs it in the build ({@code mvn -o -q -pl examples -am test}).
 */
public final class EmbeddedExample {
  public static void main(String[] args) throws Exception {
    Path dir = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("genrtl-embedded");
    try (HikariDataSource dataSource = SqliteDataSources.file(dir.resolve("genrtl.db"))) {
      GenRtl genrtl = GenRtl.builder()
          .stores(SqliteStores.create(dataSource)) // migrates the schema
          .clock(Clock.systemUTC())
          .build();

      CreatedUser user = genrtl.accounts().createUser(
          new NewUser("designer-" + System.nanoTime() + "@example.com", "Example Silicon", Role.USER, "pro"));
      IssuedKey key = genrtl.apiKeys().issue(user.user().userId(), "embedded example", null);
      Principal caller = genrtl.apiKeys().authenticate(key.apiKey());
      Workspace ws = genrtl.accounts().createWorkspace(caller, "uart-bringup");

      System.out.println("database:   " + dir.resolve("genrtl.db"));
      System.out.println("user:       " + user.user().userId() + " (" + user.user().email() + ")");
      System.out.println("plan:       " + genrtl.accounts().me(caller).plan().name()
          + ", period ends " + java.time.Instant.ofEpochMilli(user.subscription().orElseThrow().periodEnd()));
      System.out.println("key:        " + key.key().keyId() + " (secret shown once, not printed here)");
      System.out.println("workspace:  " + ws.workspaceId() + " " + ws.name());
    }
  }
}
