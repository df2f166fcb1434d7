package io.genrtl.client;

import io.genrtl.core.GenRtl;
import io.genrtl.core.account.CreatedUser;
import io.genrtl.core.account.NewUser;
import io.genrtl.core.account.Role;
import io.genrtl.core.testing.MutableClock;
import io.genrtl.host.GenRtlServer;
import io.genrtl.host.HostConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A real genRTL host in-process: {@link GenRtlServer#start} on SQLite in a temp dir, the seed catalog published by its
 * own start-up, the host clock a {@link MutableClock} the test moves. Users are created through the library.
 */
final class HostFixture implements AutoCloseable {
  final MutableClock clock = MutableClock.at("2026-06-01T00:00:00Z");
  final GenRtlServer server;
  final int port;
  final String baseUrl;
  final String adminKey;
  final List<Duration> sleeps = java.util.Collections.synchronizedList(new ArrayList<>());

  HostFixture(Path dataDir, Map<String, String> extraEnv) {
    port = freePort();
    baseUrl = "http://127.0.0.1:" + port;
    Map<String, String> env = new HashMap<>();
    env.put("GENRTL_DATA_DIR", dataDir.toString());
    env.put("GENRTL_PORT", Integer.toString(port));
    env.put("GENRTL_BIND", "127.0.0.1");
    env.put("GENRTL_PUBLIC_URL", baseUrl);
    env.put("GENRTL_JOB_WORKERS", "1");
    env.putAll(extraEnv);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    server = GenRtlServer.start(HostConfig.load(env), clock, new PrintStream(out, true, StandardCharsets.UTF_8));
    String printed = out.toString(StandardCharsets.UTF_8).trim();
    adminKey = printed.substring(printed.indexOf('=') + 1).trim();
  }

  GenRtl genrtl() {
    return server.runtime().genrtl();
  }

  /** A user with a personal tenant on {@code plan} (null: free) and one API key; returns {user id, key}. */
  String[] user(String email, String plan) {
    CreatedUser u = genrtl().accounts().createUser(new NewUser(email, email.substring(email.indexOf('@') + 1), Role.USER, plan));
    return new String[] {u.user().userId(), genrtl().apiKeys().issue(u.user().userId(), "test", null).apiKey()};
  }

  /** A client for {@code key} whose sleeper records the waits and takes only a few real milliseconds. */
  GenRtlClient client(String key) {
    return GenRtlClient.builder().baseUrl(baseUrl).apiKey(key).sleeper(d -> {
      sleeps.add(d);
      Thread.sleep(10);
    }).build();
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    server.close();
  }
}
