package io.genrtl.store.sqlite;

import com.zaxxer.hikari.HikariDataSource;
import io.genrtl.core.GenRtl;
import io.genrtl.core.account.NewUser;
import io.genrtl.core.account.Role;
import io.genrtl.core.pool.ChargeRequest;
import io.genrtl.core.pool.ChargeResult;
import io.genrtl.core.pool.UsageKind;
import java.nio.file.Path;

/** Run in a child JVM by {@link SqliteCrashTest}: charges forever, printing an acknowledgement after each commit. */
public final class CrashChild {
  public static void main(String[] args) {
    HikariDataSource ds = SqliteDataSources.file(Path.of(args[0]));
    GenRtl g = GenRtl.builder().stores(SqliteStores.create(ds)).build();
    String user = g.accounts().createUser(new NewUser("crash@x.test", null, Role.USER, "ultra")).user().userId();
    System.out.println("user " + user);
    System.out.flush();
    for (int i = 0; ; i++) {
      ChargeResult r = g.pool().charge(ChargeRequest.of(user, UsageKind.LLM, 1_000 + i, "k" + i));
      System.out.println("ack k" + i + " " + r.callId());
      System.out.flush();
    }
  }
}
