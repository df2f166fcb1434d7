package io.genrtl.host;

import static io.genrtl.host.ApiContractTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genrtl.core.base.GenRtlException;
import io.genrtl.host.http.Json;
import io.genrtl.toolrunner.EvidenceBundle;
import io.genrtl.toolrunner.RunRequest;
import io.genrtl.toolrunner.Sims;
import io.genrtl.toolrunner.Simulator;
import io.genrtl.toolrunner.ToolRunner;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding H2 as an operator meets it: {@code auto} never runs untrusted designs without bubblewrap, a weaker level
 * needs an explicit acknowledgement, the host keeps its data directory, keys, database and configuration out of reach
 * of every run at every level it accepts, and a host whose sandbox does not work still serves everything but tool
 * runs, which answer 503 {@code tool_sandbox_unavailable}.
 */
class H2ToolSandboxHostTest {
  @TempDir Path dir;

  @Test
  void h2_unshareLevelRefusedUnlessOptedIn() {
    for (String level : List.of("unshare", "none")) {
      assertThatThrownBy(() -> HostConfig.load(Map.of("GENRTL_DATA_DIR", dir.toString(), "GENRTL_TOOL_ISOLATION", level)))
          .as(level).isInstanceOf(HostConfig.InvalidConfigException.class)
          .hasMessageContaining("GENRTL_TOOL_ISOLATION=" + level + " runs designs without bubblewrap")
          .hasMessageContaining("GENRTL_TOOL_ALLOW_WEAK_ISOLATION=true");
      HostConfig ok = HostConfig.load(Map.of("GENRTL_DATA_DIR", dir.toString(), "GENRTL_TOOL_ISOLATION", level,
          "GENRTL_TOOL_ALLOW_WEAK_ISOLATION", "true"));
      assertThat(ok.tools().isolation()).isEqualTo(level);
      assertThat(ok.tools().allowWeakIsolation()).isTrue();
    }
    // the acknowledgement does not make auto fall back
    assertThatThrownBy(() -> HostConfig.load(Map.of("GENRTL_DATA_DIR", dir.toString(), "GENRTL_TOOL_ALLOW_WEAK_ISOLATION", "true")))
        .hasMessageContaining("GENRTL_TOOL_ALLOW_WEAK_ISOLATION: only with GENRTL_TOOL_ISOLATION=unshare or none");
    assertThatThrownBy(() -> HostConfig.load(Map.of("GENRTL_DATA_DIR", dir.toString(), "GENRTL_TOOL_ISOLATION", "unshare",
        "GENRTL_TOOL_ALLOW_WEAK_ISOLATION", "yes"))).hasMessageContaining("GENRTL_TOOL_ALLOW_WEAK_ISOLATION: true or false");
    HostConfig d = HostConfig.load(Map.of("GENRTL_DATA_DIR", dir.toString()));
    assertThat(d.tools().isolation()).isEqualTo("auto");
    assertThat(d.tools().allowWeakIsolation()).isFalse();
  }

  @Test
  void h2_theHostProtectsItsDataDirKeyDatabaseAndConfiguration() throws Exception {
    Path props = Files.writeString(dir.resolve("genrtl.properties"), "GENRTL_PORT=0\n");
    Path db = dir.resolve("elsewhere/g.db");
    HostConfig c = HostConfig.load(Map.of("GENRTL_DATA_DIR", dir.resolve("data").toString(), "GENRTL_CONFIG_FILE", props.toString(),
        "GENRTL_DB_URL", "jdbc:sqlite:" + db));
    Path data = dir.resolve("data").toAbsolutePath().normalize();
    assertThat(c.tools().protectedPaths()).containsExactly(data, data.resolve("admin.key"), db.toAbsolutePath().normalize(),
        props.toAbsolutePath().normalize());
    ToolRunner.Settings s = HostRuntime.toolSettings(c.tools());
    assertThat(s.protectedPaths()).isEqualTo(c.tools().protectedPaths());
    assertThat(s.run().processes()).isEqualTo(128);
    assertThat(s.writes().bytes()).isEqualTo(1L << 30);
    assertThat(s.writes().files()).isEqualTo(10_000);
    assertThat(s.writes().tmpBytes()).isEqualTo(256L << 20);
    HostConfig tuned = HostConfig.load(Map.of("GENRTL_DATA_DIR", dir.toString(), "GENRTL_TOOL_MAX_PROCESSES", "64",
        "GENRTL_TOOL_MAX_WRITE_MB", "10", "GENRTL_TOOL_MAX_FILES", "100", "GENRTL_TOOL_TMP_MB", "32", "GENRTL_TOOL_SANDBOX_UID", "4242"));
    ToolRunner.Settings t = HostRuntime.toolSettings(tuned.tools());
    assertThat(t.compile().processes()).isEqualTo(64);
    assertThat(t.writes()).isEqualTo(new ToolRunner.WriteLimits(10L << 20, 100, 32L << 20));
    assertThat(t.sandboxUid()).isEqualTo(4242);
    assertThatThrownBy(() -> HostConfig.load(Map.of("GENRTL_DATA_DIR", dir.toString(), "GENRTL_TOOL_MAX_PROCESSES", "20",
        "GENRTL_TOOL_VERILATOR_JOBS", "8"))).hasMessageContaining("GENRTL_TOOL_MAX_PROCESSES: at least 3 per Verilator job");
  }

  @Test
  void h2_runtimeAssembledPathCannotReadAdminKeyAtEveryLevelTheHostAccepts() throws Exception {
    Sims.require(Simulator.IVERILOG);
    Sims.reachable(dir);
    Path data = dir.resolve("data");
    GenRtlServer.createDataDir(data); // private, as at start
    Path key = GenRtlServer.writeAdminKey(data, "grtl_01HOSTADMINKEY_never-in-a-log");
    String tb = "module tb;\n  integer fd, r; string name; reg [8*200:1] line;\n  initial begin\n"
        + "    name = {\"" + data + "\", \"/\", \"admin\", \".key\"};\n"
        + "    fd = $fopen(name, \"r\");\n"
        + "    if (fd == 0) $display(\"KEY_BLOCKED\"); else begin r = $fgets(line, fd); $display(\"KEY:%0s\", line); end\n"
        + "    $display(\"PASS\"); $finish;\n  end\nendmodule\n";
    int accepted = 0;
    for (Map<String, String> level : List.<Map<String, String>>of(Map.of(), Map.of("GENRTL_TOOL_ISOLATION", "unshare", "GENRTL_TOOL_ALLOW_WEAK_ISOLATION", "true"),
        Map.of("GENRTL_TOOL_ISOLATION", "none", "GENRTL_TOOL_ALLOW_WEAK_ISOLATION", "true"))) {
      Map<String, String> env = new HashMap<>(level);
      env.put("GENRTL_DATA_DIR", data.toString());
      env.put("GENRTL_TOOL_WORK_DIR", dir.resolve("runs-" + level.getOrDefault("GENRTL_TOOL_ISOLATION", "auto")).toString());
      ToolRunner r = ToolRunner.create(HostRuntime.toolSettings(HostConfig.load(env).tools()));
      RunRequest req = new RunRequest(Simulator.IVERILOG, Map.of("tb.sv", tb), List.of(), "tb", null, List.of(), null);
      if (r.sandboxProblem().isPresent()) {
        assertThatThrownBy(() -> r.run(req)).isInstanceOfSatisfying(GenRtlException.class,
            e -> assertThat(e.code().code()).isEqualTo("tool_sandbox_unavailable"));
        System.err.println("*** the host refuses " + r.isolation().wire() + " here: " + r.sandboxProblem().get() + " ***");
        continue;
      }
      accepted++;
      EvidenceBundle b = r.run(req);
      assertThat(b.logExcerpt()).as(r.isolation().wire() + ": " + b.logExcerpt()).contains("KEY_BLOCKED")
          .doesNotContain("HOSTADMINKEY").doesNotContain("KEY:");
    }
    assertThat(Files.readString(key)).contains("HOSTADMINKEY");
    if (Sims.env("GENRTL_REQUIRE_SIMULATORS")) assertThat(accepted).isPositive();
  }

  @Test
  void h2_aHostWhoseSandboxFailsServesEverythingButToolRunsWhichAnswer503() throws Exception {
    Path notADir = Files.writeString(dir.resolve("plain-file"), "x");
    Map<String, String> env = new HashMap<>();
    env.put("GENRTL_DATA_DIR", dir.resolve("data").toString());
    env.put("GENRTL_PORT", "0");
    env.put("GENRTL_BIND", "127.0.0.1");
    env.put("GENRTL_TOOL_WORK_DIR", notADir.resolve("runs").toString()); // the probe cannot even create a run directory
    HostConfig config = HostConfig.load(env);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (LogCapture logs = new LogCapture();
        GenRtlServer server = GenRtlServer.start(config, Clock.systemUTC(), new PrintStream(out, true, StandardCharsets.UTF_8))) {
      assertThat(logs.text()).contains("TOOL RUNS ARE DISABLED").contains("tool_sandbox_unavailable");
      String key = out.toString(StandardCharsets.UTF_8).trim().substring("GENRTL_ADMIN_KEY=".length());
      TestHttp http = new TestHttp(server.port());
      assertThat(http.get("/healthz", null).status()).isEqualTo(200);
      assertThat(http.get("/api/me", key).status()).isEqualTo(200);
      TestHttp.Response ws = http.post("/api/workspaces", key, "{\"name\":\"soc\"}");
      assertThat(ws.status()).as(ws.body()).isEqualTo(201);
      String body = Json.write(Map.of("workspace_id", ws.json().get("workspace_id"), "simulator", "iverilog", "top", "tb",
          "files", List.of(Map.of("path", "tb.sv", "text", "module tb; endmodule\n"))));
      TestHttp.Response r = http.post("/api/tools/run", key, body);
      assertProblem(r, 503, "tool_sandbox_unavailable");
      assertThat(r.json().get("detail").toString()).contains("tool runs are disabled on this host")
          .contains("the tool work directory is not usable").doesNotContain(dir.toString());
      assertThat(r.header("Content-Type")).startsWith("application/problem+json");
      // bad input is still a 400, not a 503
      assertProblem(http.post("/api/tools/run", key, body.replace("\"top\":\"tb\"", "\"top\":\"t b\"")), 400, "validation_failed");
      assertThat(http.get("/api/cbb", key).status()).isEqualTo(200);
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config.dataDir()))).isEqualTo("rwx------");
  }
}
