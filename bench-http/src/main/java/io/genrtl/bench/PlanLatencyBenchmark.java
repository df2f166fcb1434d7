package io.genrtl.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.genrtl.bench.ChargeBenchmark.Target;
import io.genrtl.core.GenRtl;
import io.genrtl.core.Stores;
import io.genrtl.core.account.CreatedUser;
import io.genrtl.core.account.NewUser;
import io.genrtl.core.account.Principal;
import io.genrtl.core.account.Role;
import io.genrtl.core.base.IdGenerator;
import io.genrtl.core.jobs.JobRunner;
import io.genrtl.core.base.IdGenerator;
import io.genrtl.core.Stores;
import io.genrtl.host.http.GenRtlApp;
import io.genrtl.jobs.GenRtlJobs;
import io.genrtl.jobs.PlanJob;
import io.genrtl.llm.http.LlmHttpConfig;
import io.genrtl.llm.http.OpenAiChatClient;
import io.javalin.Javalin;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The latency the host adds to a plan job, next to calling the model directly and next to the open-source Portkey
 * gateway, in one run against one zero-latency local stub of the OpenAI Chat Completions API. See README.md,
 * "Plan job latency".
 *
 * <pre>
 * java -cp bench/target/genrtl-bench.jar io.genrtl.bench.PlanLatencyBenchmark [--requests=300] [--warmup=50]
 *     [--rounds=5] [--db=sqlite] [--pg-url=...] [--portkey=on|off] [--portkey-cmd="npx -y @portkey-ai/gateway@1.15.2"]
 * </pre>
 *
 * Three sides, measured one request at a time over a keep-alive {@link HttpClient}, in alternating slices:
 * <ul>
 *   <li><b>direct</b>: {@code POST /v1/chat/completions} (streamed) to the stub, reading the whole stream;</li>
 *   <li><b>portkey</b>: the same request through {@code npx @portkey-ai/gateway} (headers {@code x-portkey-provider:
 *       openai}, {@code x-portkey-custom-host: <stub>/v1});</li>
 *   <li><b>host</b>: {@code POST /api/jobs/plan} with {@code Prefer: wait=30}, answered 200 with the finished job: the
 *       job is persisted, its first step reserved, claimed by a worker, the same streamed call made by the real
 *       connector, the plan validated against the schema, the usage settled in the ledger and the job read back.</li>
 * </ul>
 */
public final class PlanLatencyBenchmark {
  static final String PLAN = "{\"modules\":[{\"name\":\"uart_top\",\"type\":\"custom\",\"description\":\"glue\",\"ports\":"
      + "[{\"name\":\"clk\",\"direction\":\"input\",\"width\":1}]},{\"name\":\"uart\",\"type\":\"cbb\",\"description\":\"8N1\","
      + "\"ports\":[]}],\"cbb_requirements\":[{\"cbb_id\":\"uart\",\"version\":\"^1\",\"tags\":null,\"simulator\":\"iverilog\","
      + "\"sv\":\"2012\",\"text\":null}],\"verification_plan\":{\"testbenches\":[\"tb_uart_top\"],\"assertions\":[],"
      + "\"coverage_points\":[\"loopback\"]}}";

  private PlanLatencyBenchmark() {}

  public record Config(int requests, int warmup, int rounds, List<String> dbs, String pgUrl, boolean portkey,
      String portkeyCmd, Path dir) {

    public static Config parse(String[] args) {
      Map<String, String> o = new LinkedHashMap<>();
      o.put("requests", System.getProperty("bench.requests", "300"));
      o.put("warmup", System.getProperty("bench.warmup", "50"));
      o.put("rounds", System.getProperty("bench.rounds", "5"));
      o.put("db", System.getProperty("bench.db", "sqlite"));
      o.put("pg-url", System.getProperty("bench.pgUrl", System.getenv("GENRTL_PG_URL")));
      o.put("portkey", System.getProperty("bench.portkey", "on"));
      o.put("portkey-cmd", System.getProperty("bench.portkeyCmd", "npx -y @portkey-ai/gateway@1.15.2"));
      o.put("dir", System.getProperty("bench.dir", System.getProperty("java.io.tmpdir")));
      for (String a : args) {
        if (!a.startsWith("--") || !a.contains("=")) throw new IllegalArgumentException("arguments look like --name=value: " + a);
        String k = a.substring(2, a.indexOf('='));
        if (!o.containsKey(k)) throw new IllegalArgumentException("unknown option --" + k + "; known: " + o.keySet());
        o.put(k, a.substring(a.indexOf('=') + 1));
      }
      List<String> dbs = Arrays.stream(o.get("db").split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
      for (String d : dbs) {
        if (!d.equals("sqlite") && !d.equals("postgres")) throw new IllegalArgumentException("--db takes sqlite and/or postgres");
      }
      int requests = Integer.parseInt(o.get("requests"));
      int rounds = Integer.parseInt(o.get("rounds"));
      if (requests < rounds || rounds < 1) throw new IllegalArgumentException("--requests must be at least --rounds (≥ 1)");
      return new Config(requests, Integer.parseInt(o.get("warmup")), rounds, dbs, o.get("pg-url"),
          !o.get("portkey").equals("off"), o.get("portkey-cmd"), Path.of(o.get("dir")));
    }

    ChargeBenchmark.Config db() {
      return new ChargeBenchmark.Config(List.of(1), 1, 0, dbs, pgUrl, 4, 10, dir, false, 1);
    }
  }

  /** Latencies of one side, in nanoseconds. */
  public record Side(String name, long[] nanos) {
    public double p(double q) {
      long[] s = nanos.clone();
      Arrays.sort(s);
      int i = (int) Math.ceil(q * s.length) - 1;
      return s[Math.max(0, Math.min(s.length - 1, i))] / 1e6;
    }
  }

  public record Report(String db, List<Side> sides, String portkeyNote) {
    public Side side(String name) {
      return sides.stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
    }
  }

  public static void main(String[] args) throws Exception {
    Config cfg;
    try {
      cfg = Config.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    List<Report> reports = run(cfg, System.out);
    System.exit(reports.isEmpty() ? 1 : 0);
  }

  public static List<Report> run(Config cfg, PrintStream out) throws Exception {
    List<Report> reports = new ArrayList<>();
    try (Stub stub = Stub.start(); Portkey portkey = cfg.portkey() ? Portkey.start(cfg.portkeyCmd(), out) : null) {
      for (String db : cfg.dbs()) {
        if (db.equals("postgres") && (cfg.pgUrl() == null || cfg.pgUrl().isBlank())) {
          out.println("postgres: skipped (no GENRTL_PG_URL / --pg-url)");
          continue;
        }
        try (Target t = db.equals("sqlite") ? Target.sqlite(cfg.db()) : Target.postgres(cfg.db());
             Host host = Host.start(t.stores, stub.base())) {
          out.println(db + ": " + t.description);
          reports.add(measure(cfg, db, stub, portkey, host, out));
        }
      }
    }
    print(reports, cfg, out);
    return reports;
  }

  private static Report measure(Config cfg, String db, Stub stub, Portkey portkey, Host host, PrintStream out)
      throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    int stubBefore = stub.calls();
    // the host warms up first: the direct sides then send the very bytes its connector sent to the stub
    for (int i = 0; i < Math.max(1, cfg.warmup()); i++) host.plan(http);
    String sent = stub.lastBody();
    // Portkey (1.9.8 and 1.15.2 on Node 20) answers streamed chat completions with 500 "Something went wrong", so
    // it is measured on the same request with stream=false, next to the direct call with stream=false
    String unstreamed = sent.replace("\"stream\":true", "\"stream\":false")
        .replace(",\"stream_options\":{\"include_usage\":true}", "");
    if (unstreamed.equals(sent)) throw new IllegalStateException("could not find stream:true in the connector's request");
    Map<String, Call> calls = new LinkedHashMap<>();
    calls.put("direct", () -> direct(http, stub.base() + "/v1/chat/completions", sent, Map.of()));
    calls.put("direct-json", () -> direct(http, stub.base() + "/v1/chat/completions", unstreamed, Map.of()));
    if (portkey != null) {
      calls.put("portkey", () -> direct(http, portkey.base() + "/v1/chat/completions", unstreamed,
          Map.of("x-portkey-provider", "openai", "x-portkey-custom-host", stub.base() + "/v1")));
    }
    calls.put("host", () -> host.plan(http));
    for (Map.Entry<String, Call> c : calls.entrySet()) {
      if (c.getKey().equals("host")) continue;
      for (int i = 0; i < Math.max(1, cfg.warmup()); i++) c.getValue().run();
    }
    Map<String, long[]> nanos = new LinkedHashMap<>();
    Map<String, Integer> filled = new LinkedHashMap<>();
    for (String k : calls.keySet()) {
      nanos.put(k, new long[cfg.requests()]);
      filled.put(k, 0);
    }
    List<String> order = new ArrayList<>(calls.keySet());
    for (int r = 0; r < cfg.rounds(); r++) {
      int per = cfg.requests() / cfg.rounds() + (r < cfg.requests() % cfg.rounds() ? 1 : 0);
      for (String k : order) {
        Call c = calls.get(k);
        long[] into = nanos.get(k);
        int at = filled.get(k);
        for (int i = 0; i < per; i++) {
          long t0 = System.nanoTime();
          c.run();
          into[at++] = System.nanoTime() - t0;
        }
        filled.put(k, at);
      }
      order.add(order.remove(0)); // rotate who goes first
    }
    List<Side> sides = new ArrayList<>();
    nanos.forEach((k, v) -> sides.add(new Side(k, v)));
    int stubCalls = stub.calls() - stubBefore;
    int expected = (Math.max(1, cfg.warmup()) + cfg.requests()) * calls.size();
    if (stubCalls != expected) throw new IllegalStateException("the stub saw " + stubCalls + " calls, expected " + expected);
    host.checkLedger(Math.max(1, cfg.warmup()) + cfg.requests());
    out.println(db + ": where a host plan job's time goes (event timestamps, last 200 jobs):");
    out.print(host.breakdown());
    return new Report(db, sides, portkey == null ? "portkey: off" : "portkey: " + portkey.description());
  }

  @FunctionalInterface
  interface Call {
    void run() throws Exception;
  }

  private static void direct(HttpClient http, String url, String body, Map<String, String> headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json").header("Authorization", "Bearer sk-bench")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(b::header);
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200 || !(r.body().contains("[DONE]") || r.body().contains("\"chat.completion\""))) {
      throw new IllegalStateException(url + " answered " + r.statusCode() + ": " + r.body().substring(0, Math.min(300, r.body().length())));
    }
  }

  /** A zero-latency OpenAI Chat Completions stub: the plan, streamed in the documented chunk format with usage. */
  static final class Stub implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService pool;
    private final java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
    private volatile String lastBody;
    static final byte[] STREAM = streamBody();
    static final byte[] JSON = ("{\"id\":\"chatcmpl-b\",\"object\":\"chat.completion\",\"created\":1760000000,\"model\":\"gpt-5.1\","
        + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":" + io.genrtl.host.http.Json.write(PLAN)
        + ",\"refusal\":null},\"finish_reason\":\"stop\"}],\"usage\":" + usage() + "}").getBytes(StandardCharsets.UTF_8);

    private Stub(HttpServer server, ExecutorService pool) {
      this.server = server;
      this.pool = pool;
    }

    static Stub start() throws IOException {
      // without TCP_NODELAY the stub's header and body writes meet the client's delayed ACK: ~40 ms per call
      System.setProperty("sun.net.httpserver.nodelay", "true");
      HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
      ExecutorService pool = Executors.newFixedThreadPool(4);
      s.setExecutor(pool);
      Stub stub = new Stub(s, pool);
      s.createContext("/v1/chat/completions", stub::answer);
      s.start();
      return stub;
    }

    private static String usage() {
      return "{\"prompt_tokens\":2000,\"completion_tokens\":700,\"total_tokens\":2700,\"prompt_tokens_details\":"
          + "{\"cached_tokens\":1500},\"completion_tokens_details\":{\"reasoning_tokens\":0}}";
    }

    private static byte[] streamBody() {
      String head = "{\"id\":\"chatcmpl-b\",\"object\":\"chat.completion.chunk\",\"created\":1760000000,\"model\":\"gpt-5.1\",";
      String s = "data: " + head + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\n\n"
          + "data: " + head + "\"choices\":[{\"index\":0,\"delta\":{\"content\":" + io.genrtl.host.http.Json.write(PLAN)
          + "},\"finish_reason\":null}]}\n\n"
          + "data: " + head + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
          + "data: " + head + "\"choices\":[],\"usage\":" + usage() + "}\n\n"
          + "data: [DONE]\n\n";
      return s.getBytes(StandardCharsets.UTF_8);
    }

    private void answer(HttpExchange ex) throws IOException {
      try (ex) {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        calls.incrementAndGet();
        lastBody = body;
        boolean stream = body.contains("\"stream\":true") || body.contains("\"stream\": true");
        byte[] out = stream ? STREAM : JSON;
        ex.getResponseHeaders().set("Content-Type", stream ? "text/event-stream" : "application/json");
        ex.getResponseHeaders().set("x-request-id", "req_bench");
        ex.sendResponseHeaders(200, out.length);
        try (OutputStream os = ex.getResponseBody()) {
          os.write(out);
        }
      }
    }

    String base() {
      return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    int calls() {
      return calls.get();
    }

    String lastBody() {
      return lastBody;
    }

    @Override
    public void close() {
      server.stop(0);
      pool.shutdownNow();
    }
  }

  /** The Javalin app, a job runner and the real Chat Completions connector, on the given stores. */
  static final class Host implements AutoCloseable {
    private final GenRtl genrtl;
    private final JobRunner runner;
    private final Javalin app;
    private final String key;
    private final String body;
    private final String userId;

    private Host(GenRtl genrtl, JobRunner runner, Javalin app, String key, String body, String userId) {
      this.genrtl = genrtl;
      this.runner = runner;
      this.app = app;
      this.key = key;
      this.body = body;
      this.userId = userId;
    }

    static Host start(Stores stores, String stubBase) {
      Clock clock = Clock.systemUTC();
      IdGenerator ids = IdGenerator.ulid(clock);
      OpenAiChatClient chat = new OpenAiChatClient(LlmHttpConfig.builder("sk-bench").baseUrl(stubBase + "/v1").clock(clock).build());
      GenRtl g = GenRtl.builder().stores(stores).clock(clock).ids(ids).llm("openai", chat)
          .jobHandler(PlanJob.TYPE, GenRtlJobs.plan()).build();
      // as GenRtlServer runs it: 250 ms store poll (the in-process signals make it irrelevant on one host)
      JobRunner runner = new JobRunner(stores.transactor(), stores.jobs(), clock, g.jobs(), new JobRunner.Settings("bench", 2, Duration.ofSeconds(60),
          Duration.ofMillis(250), 3));
      runner.start();
      Javalin app = GenRtlApp.create(g, new GenRtlApp.Settings(1 << 20, "http://localhost"));
      app.start("127.0.0.1", 0);
      CreatedUser u = g.accounts().createUser(new NewUser("bench-" + System.nanoTime() + "@bench.test", "bench", Role.USER, "ultra"));
      String key = g.apiKeys().issue(u.user().userId(), "bench", null).apiKey();
      String ws = g.accounts().createWorkspace(Principal.of(u.user(), null), "bench").workspaceId();
      String body = "{\"workspace_id\":\"" + ws + "\",\"spec\":\"A UART loopback at 115200 baud\",\"constraints\":{}}";
      return new Host(g, runner, app, key, body, u.user().userId());
    }

    void plan(HttpClient http) throws Exception {
      HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/api/jobs/plan"))
          .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json").header("Authorization", "Bearer " + key)
          .header("Prefer", "wait=30").POST(HttpRequest.BodyPublishers.ofString(body)).build();
      long t0 = System.currentTimeMillis();
      HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
      long t1 = System.currentTimeMillis();
      if (r.statusCode() != 200 || !r.body().contains("\"status\":\"succeeded\"")) {
        throw new IllegalStateException("the host answered " + r.statusCode() + ": " + r.body().substring(0, Math.min(400, r.body().length())));
      }
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"job_id\":\"([0-9A-Z]+)\"").matcher(r.body());
      if (m.find()) timeline.add(new long[] {t0, t1, 0});
      if (m.find(0)) timelineIds.add(m.group(1));
    }

    private final List<long[]> timeline = new ArrayList<>();
    private final List<String> timelineIds = new ArrayList<>();

    /** Median milliseconds between the request and the job's events, from the events' own timestamps. */
    String breakdown() {
      Map<String, List<Long>> gaps = new LinkedHashMap<>();
      int from = Math.max(0, timeline.size() - 200);
      for (int i = from; i < timeline.size(); i++) {
        long prev = timeline.get(i)[0];
        String prevName = "request";
        int n = 0;
        for (io.genrtl.core.jobs.JobEvent e : genrtl.stores().jobs().events(timelineIds.get(i), 0)) {
          String name = e.name() + (e.name().equals("status") || e.name().equals("step") ? ":" + e.data().replaceAll(".*\"status\":\"([a-z]+)\".*", "$1") : "");
          gaps.computeIfAbsent((n++) + " " + prevName + " → " + name, k -> new ArrayList<>()).add(e.at() - prev);
          prev = e.at();
          prevName = name;
        }
        gaps.computeIfAbsent(n + " " + prevName + " → response", k -> new ArrayList<>()).add(timeline.get(i)[1] - prev);
      }
      StringBuilder sb = new StringBuilder();
      gaps.forEach((k, v) -> {
        List<Long> sorted = new ArrayList<>(v);
        java.util.Collections.sort(sorted);
        sb.append(String.format(Locale.ROOT, "  %-45s median %4d ms (n=%d)%n", k.substring(k.indexOf(' ') + 1), sorted.get(sorted.size() / 2), v.size()));
      });
      return sb.toString();
    }

    /** Every job charged exactly once, and the balances agree with the ledger. */
    void checkLedger(int jobs) {
      long[] rows = new long[1];
      genrtl.pool().forEachUsage(io.genrtl.core.pool.LedgerQuery.all(userId), e -> rows[0]++);
      if (rows[0] != jobs) throw new IllegalStateException(rows[0] + " ledger rows for " + jobs + " jobs");
      if (!genrtl.pool().verify(userId).problems().isEmpty()) {
        throw new IllegalStateException("ledger check failed: " + genrtl.pool().verify(userId).problems());
      }
    }

    @Override
    public void close() {
      app.stop();
      runner.close();
    }
  }

  /** {@code npx @portkey-ai/gateway} on a free loopback port, stopped with its whole process tree. */
  static final class Portkey implements AutoCloseable {
    private final Process process;
    private final int port;
    private final String version;

    private Portkey(Process process, int port, String version) {
      this.process = process;
      this.port = port;
      this.version = version;
    }

    static Portkey start(String cmd, PrintStream out) throws Exception {
      int port;
      try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        port = s.getLocalPort();
      }
      List<String> argv = new ArrayList<>(Arrays.asList(cmd.trim().split("\\s+")));
      argv.add("--port=" + port);
      argv.add("--headless");
      ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
      Process p = pb.start();
      StringBuilder log = new StringBuilder();
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = r.readLine()) != null) {
            synchronized (log) {
              if (log.length() < 20_000) log.append(line).append('\n');
            }
          }
        } catch (IOException ignored) {
          // the process ended
        }
      }, "portkey-log");
      reader.setDaemon(true);
      reader.start();
      HttpClient http = HttpClient.newHttpClient();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180); // npx may download the package first
      while (true) {
        try {
          HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
              .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() == 200) break;
        } catch (IOException e) {
          // not up yet
        }
        if (!p.isAlive() || System.nanoTime() > deadline) {
          stop(p);
          String l;
          synchronized (log) {
            l = log.toString();
          }
          throw new IllegalStateException("Portkey did not start (" + String.join(" ", argv) + "); pass --portkey=off to skip it. Output:\n" + l);
        }
        Thread.sleep(200);
      }
      String version = String.join(" ", argv.subList(0, argv.size() - 2));
      out.println("portkey: " + version + " on 127.0.0.1:" + port + " (pid " + p.pid() + ")");
      return new Portkey(p, port, version);
    }

    String base() {
      return "http://127.0.0.1:" + port;
    }

    String description() {
      return version + ", pid " + process.pid();
    }

    private static void stop(Process p) {
      p.descendants().forEach(ProcessHandle::destroy);
      p.destroy();
      try {
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
          p.descendants().forEach(ProcessHandle::destroyForcibly);
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void close() {
      stop(process);
    }
  }

  static void print(List<Report> reports, Config cfg, PrintStream out) {
    out.println();
    out.printf(Locale.ROOT, "plan job latency: %d measured requests per side (after %d warm-up), one at a time, in %d "
        + "alternating slices; machine: %d cores, Java %s%n", cfg.requests(), cfg.warmup(), cfg.rounds(),
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
    out.printf(Locale.ROOT, "%-9s %-8s %9s %9s %11s %11s %14s%n", "database", "side", "p50 ms", "p99 ms", "p50/direct",
        "p99/direct", "added p50 ms");
    for (Report r : reports) {
      Side d = r.side("direct");
      for (Side s : r.sides()) {
        out.printf(Locale.ROOT, "%-9s %-8s %9.3f %9.3f %11.2f %11.2f %14.3f%n", r.db(), s.name(), s.p(0.50), s.p(0.99),
            s.p(0.50) / d.p(0.50), s.p(0.99) / d.p(0.99), s.p(0.50) - d.p(0.50));
      }
      Side dj = r.side("direct-json");
      Side pk = r.side("portkey");
      Side host = r.side("host");
      if (pk != null) {
        // each against its own direct call: host vs streamed, portkey vs unstreamed
        double hostAdded50 = host.p(0.50) - d.p(0.50);
        double pkAdded50 = pk.p(0.50) - dj.p(0.50);
        double hostAdded99 = host.p(0.99) - d.p(0.99);
        double pkAdded99 = pk.p(0.99) - dj.p(0.99);
        out.printf(Locale.ROOT, "%-9s added over its direct call: host %.3f ms p50, %.3f ms p99; portkey %.3f ms p50, %.3f ms p99%n",
            r.db(), hostAdded50, hostAdded99, pkAdded50, pkAdded99);
        out.printf(Locale.ROOT, "%-9s host/portkey latency ratio: p50 %.2f×, p99 %.2f×; added-latency ratio host/portkey: p50 %.2f×, p99 %.2f×%n",
            r.db(), host.p(0.50) / pk.p(0.50), host.p(0.99) / pk.p(0.99), hostAdded50 / pkAdded50, hostAdded99 / pkAdded99);
      }
      out.println(r.db() + ": " + r.portkeyNote());
    }
  }
}
