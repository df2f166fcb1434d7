package io.genrtl.host;

import io.genrtl.core.GenRtl;
import io.genrtl.core.account.CreatedUser;
import io.genrtl.core.account.IssuedKey;
import io.genrtl.core.account.NewUser;
import io.genrtl.core.account.Role;
import io.genrtl.core.base.GenRtlException;
import io.genrtl.core.pool.LedgerCheck;
import io.genrtl.host.http.Json;
import java.io.PrintStream;
import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The {@code genrtl} command line: {@code serve}, {@code migrate}, {@code admin ...}, {@code cbb publish}; the app jar
 * (module genrtl-app) adds {@code demo} through {@link Command}.
 */
public final class Main {
  static final String USAGE_HEAD = String.join("\n",
      "usage: genrtl <command> [options]",
      "",
      "  serve                                   run the server (configuration: GENRTL_* environment variables)",
      "  migrate                                 bring the database schema up to date and exit",
      "  admin create-user --email E [--tenant NAME] [--role user|tenant_admin|super_admin] [--plan PLAN]",
      "                                          create a user and a first API key; prints one JSON object",
      "  admin create-key --user USER_ID [--name NAME]",
      "                                          create another API key for a user; prints one JSON object",
      "  admin disable-user --user USER_ID [--reason R]",
      "                                          refuse the user's API keys, sessions and sign-ins at once; prints one JSON object",
      "  admin enable-user --user USER_ID [--reason R]",
      "                                          let a disabled user in again; prints one JSON object",
      "  admin verify-ledger                     check every balance against grants and ledger rows, and the usage rollups against a full scan; exit 1 on any difference",
      "  admin reconcile-billing                 compare on-demand ledger totals per user and period with what was reported",
      "                                          to the usage meter; prints JSON, exit 1 on any difference",
      "  cbb publish FILE                        validate and publish a CBB package (.zip or .tar.gz)",
      "");
  static final String USAGE_TAIL = "  help                                    show this text\n";

  /**
   * A command the host module does not hold itself: the app jar adds {@code demo} (module genrtl-demo), which runs its
   * own host. {@code usage} is its lines of the help text (each ending in a newline). A {@link UsageException} it throws
   * is printed with the usage and exits 2.
   */
  public record Command(String name, String usage, Runner runner) {}

  /** Runs a {@link Command}: the whole argument list (the command's name first); returns the exit code. */
  @FunctionalInterface
  public interface Runner {
    int run(String[] args, PrintStream out, PrintStream err);
  }

  static String usage(List<Command> extra) {
    StringBuilder b = new StringBuilder(USAGE_HEAD);
    for (Command c : extra) b.append(c.usage());
    return b.append(USAGE_TAIL).toString();
  }

  private Main() {}

  public static void main(String[] args) {
    main(args, List.of());
  }

  /** The process entry point with {@code extra} commands (the app's {@code demo}); exits with the command's code. */
  public static void main(String[] args, List<Command> extra) {
    int code = run(args, System.getenv(), System.out, System.err, extra);
    if (code != 0) System.exit(code);
  }

  static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    return run(args, env, out, err, List.of());
  }

  /** Runs one command; returns the process exit code (0 ok, 1 failure, 2 usage or configuration error). */
  public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err, List<Command> extra) {
    String usage = usage(extra);
    if (args.length == 0 || List.of("help", "--help", "-h").contains(args[0])) {
      (args.length == 0 ? err : out).print(usage);
      return args.length == 0 ? 2 : 0;
    }
    for (Command c : extra) {
      if (!c.name().equals(args[0])) continue;
      // an extra command runs its own host on its own directory, whatever the GENRTL_* environment says
      Logging.configure("warn");
      try {
        return c.runner().run(args, out, err);
      } catch (UsageException e) {
        err.println(e.getMessage() + "\n");
        err.print(usage);
        return 2;
      }
    }
    HostConfig config;
    try {
      config = HostConfig.load(env);
    } catch (HostConfig.InvalidConfigException e) {
      err.println(e.getMessage());
      return 2;
    }
    Logging.configure(args[0].equals("serve") ? config.logLevel() : "warn", config.observability().logFormat());
    try {
      switch (args[0]) {
        case "serve":
          return serve(config, out);
        case "migrate": {
          GenRtlServer.createDataDir(config.dataDir());
          int n = HostRuntime.migrate(config);
          out.println(Json.write(Map.of("migrations_applied", n)));
          return 0;
        }
        case "admin":
          return admin(args, config, out, err);
        case "cbb":
          return cbb(args, config, out);
        default:
          err.println("unknown command: " + args[0] + "\n");
          err.print(usage);
          return 2;
      }
    } catch (UsageException e) {
      err.println(e.getMessage() + "\n");
      err.print(usage);
      return 2;
    } catch (GenRtlException e) {
      err.println("error: " + e.getMessage() + " (" + e.code().code() + ")"
          + (e.details().isEmpty() ? "" : " " + Json.write(e.details())));
      return 1;
    } catch (RuntimeException e) {
      err.println("error: " + e.getMessage());
      return 1;
    }
  }

  private static int serve(HostConfig config, PrintStream out) {
    GenRtlServer server = GenRtlServer.start(config, Clock.systemUTC(), out);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "genrtl-shutdown"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  private static int admin(String[] args, HostConfig config, PrintStream out, PrintStream err) {
    if (args.length < 2) throw new UsageException("admin needs a subcommand");
    Map<String, String> opts = options(args, 2);
    GenRtlServer.createDataDir(config.dataDir());
    try (HostRuntime rt = HostRuntime.open(config, Clock.systemUTC())) {
      GenRtl g = rt.genrtl();
      switch (args[1]) {
        case "create-user": {
          allow(opts, "email", "tenant", "role", "plan");
          String email = required(opts, "email");
          Role role = opts.containsKey("role")
              ? Role.parse(opts.get("role")).orElseThrow(() -> new UsageException("--role must be user, tenant_admin or super_admin"))
              : Role.USER;
          CreatedUser c = g.accounts().createUser(new NewUser(email, opts.get("tenant"), role, opts.get("plan")));
          IssuedKey k = g.apiKeys().issue(c.user().userId(), "cli", null);
          Map<String, Object> o = new LinkedHashMap<>();
          o.put("user_id", c.user().userId());
          o.put("tenant_id", c.tenant().tenantId());
          o.put("email", c.user().email());
          o.put("role", c.user().role().wire());
          o.put("plan", c.subscription().map(s -> s.planId()).orElse("free"));
          o.put("key_id", k.key().keyId());
          o.put("api_key", k.apiKey());
          out.println(Json.write(o));
          return 0;
        }
        case "create-key": {
          allow(opts, "user", "name");
          IssuedKey k = g.apiKeys().issue(required(opts, "user"), opts.getOrDefault("name", "cli"), null);
          Map<String, Object> o = new LinkedHashMap<>();
          o.put("key_id", k.key().keyId());
          o.put("user_id", k.key().userId());
          o.put("api_key", k.apiKey());
          out.println(Json.write(o));
          return 0;
        }
        case "disable-user":
        case "enable-user": {
          allow(opts, "user", "reason");
          boolean disable = args[1].equals("disable-user");
          String reason = opts.getOrDefault("reason", (disable ? "disabled" : "enabled") + " from the command line");
          io.genrtl.core.account.User u = disable ? g.accounts().disableUser(required(opts, "user"), reason)
              : g.accounts().enableUser(required(opts, "user"), reason);
          Map<String, Object> o = new LinkedHashMap<>();
          o.put("user_id", u.userId());
          o.put("tenant_id", u.tenantId());
          o.put("email", u.email());
          o.put("disabled", u.disabled());
          o.put("disabled_at", u.disabledAt() == null ? null : java.time.Instant.ofEpochMilli(u.disabledAt()).toString());
          out.println(Json.write(o));
          return 0;
        }
        case "verify-ledger": {
          allow(opts);
          List<LedgerCheck> checks = g.pool().verifyAll();
          List<Map<String, Object>> bad = new java.util.ArrayList<>();
          for (LedgerCheck c : checks) {
            if (!c.ok()) bad.add(Map.of("user_id", c.userId(), "problems", c.problems()));
          }
          Map<String, Object> o = new LinkedHashMap<>();
          o.put("accounts_checked", checks.size());
          o.put("accounts_with_differences", bad.size());
          o.put("differences", bad);
          out.println(Json.write(o));
          if (!bad.isEmpty()) err.println("ledger differences found in " + bad.size() + " account(s)");
          return bad.isEmpty() ? 0 : 1;
        }
        case "reconcile-billing": {
          allow(opts);
          List<io.genrtl.core.billing.MeterTotal> totals = g.billing().meterTotals();
          List<Map<String, Object>> rows = new java.util.ArrayList<>();
          int differences = 0;
          for (io.genrtl.core.billing.MeterTotal t : totals) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("user_id", t.userId());
            r.put("period_start", java.time.Instant.ofEpochMilli(t.periodStart()).toString());
            r.put("ledger_on_demand_usd", io.genrtl.core.pool.Money.toUsd(t.ledgerMicros()));
            r.put("reported_usd", io.genrtl.core.pool.Money.toUsd(t.reportedMicros()));
            r.put("skipped_usd", io.genrtl.core.pool.Money.toUsd(t.skippedMicros()));
            r.put("pending_usd", io.genrtl.core.pool.Money.toUsd(t.pendingMicros()));
            r.put("missing_usd", io.genrtl.core.pool.Money.toUsd(t.missingMicros()));
            r.put("difference_usd", io.genrtl.core.pool.Money.toUsd(t.differenceMicros()));
            rows.add(r);
            if (t.differenceMicros() != 0) differences++;
          }
          Map<String, Object> o = new LinkedHashMap<>();
          o.put("periods_checked", totals.size());
          o.put("periods_with_differences", differences);
          o.put("periods", rows);
          out.println(Json.write(o));
          if (differences > 0) err.println("on-demand usage not yet reported in " + differences + " user period(s)");
          return differences == 0 ? 0 : 1;
        }
        default:
          throw new UsageException("unknown admin subcommand: " + args[1]);
      }
    }
  }

  private static int cbb(String[] args, HostConfig config, PrintStream out) {
    if (args.length != 3 || !args[1].equals("publish")) throw new UsageException("usage: genrtl cbb publish FILE");
    java.nio.file.Path file = java.nio.file.Path.of(args[2]);
    if (!java.nio.file.Files.isRegularFile(file)) throw new UsageException("no such file: " + file);
    GenRtlServer.createDataDir(config.dataDir());
    try (HostRuntime rt = HostRuntime.open(config, Clock.systemUTC())) {
      io.genrtl.core.cbb.CbbService.Published p = rt.genrtl().cbbs().publish(file, "cli");
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("cbb_id", p.version().cbbId());
      o.put("version", p.version().version());
      o.put("sha256", p.version().sha256());
      o.put("size_bytes", p.version().sizeBytes());
      o.put("created", p.created());
      out.println(Json.write(o));
      return 0;
    }
  }

  /** A wrong command line: printed with the usage text, exit 2. */
  public static final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
      super(message);
    }
  }

  static Map<String, String> options(String[] args, int from) {
    Map<String, String> m = new HashMap<>();
    for (int i = from; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--") || a.length() < 3) throw new UsageException("unexpected argument: " + a);
      String name = a.substring(2);
      String value;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else {
        if (i + 1 >= args.length) throw new UsageException("--" + name + " needs a value");
        value = args[++i];
      }
      if (m.put(name, value) != null) throw new UsageException("--" + name + " given twice");
    }
    return m;
  }

  private static void allow(Map<String, String> opts, String... names) {
    List<String> ok = List.of(names);
    for (String k : opts.keySet()) if (!ok.contains(k)) throw new UsageException("unknown option --" + k);
  }

  private static String required(Map<String, String> opts, String name) {
    String v = opts.get(name);
    if (v == null || v.isBlank()) throw new UsageException("--" + name + " is required");
    return v;
  }
}
