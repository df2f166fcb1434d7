package io.genrtl.toolrunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genrtl.core.base.GenRtlException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding H2 of the hostile review (the tool sandbox fell back to no file isolation; code ran past the pre-scan) and
 * the tool-run "small truths": every isolation level the runner accepts keeps the data directory, keys and other runs
 * out of reach, {@code auto} never falls back below bubblewrap, runs are bounded in processes and in what they write,
 * and the wrapper's marker never reaches a log.
 */
class H2SandboxTest {
  static final String KEY = "grtl_01SECRETADMINKEY_do-not-print-me";
  @TempDir static Path base;
  static Path dataDir;
  static Path adminKey;

  @BeforeAll
  static void dataDirectory() throws Exception {
    Sims.reachable(base);
    // what the host has: a private data directory holding the super admin's key
    dataDir = Files.createDirectories(base.resolve("genrtl-data"));
    Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwx------"));
    adminKey = Files.writeString(dataDir.resolve("admin.key"), KEY + "\n");
    Files.setPosixFilePermissions(adminKey, PosixFilePermissions.fromString("rw-------"));
  }

  static ToolRunner.Settings settings(String name, Isolation level) {
    ToolRunner.Settings d = ToolRunner.Settings.defaults();
    return d.withWorkDir(base.resolve(name)).withIsolation(level).withMaxConcurrent(2).withVerilatorJobs(Sims.verilatorJobs())
        .withProtectedPaths(List.of(dataDir, adminKey))
        .withLimits(d.compile(), new ToolRunner.Limits(Duration.ofSeconds(30), Duration.ofSeconds(60), 2L << 30, 1L << 20,
            64L << 20), Duration.ofSeconds(60));
  }

  static Map<String, String> files(String... pathText) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < pathText.length; i += 2) m.put(pathText[i], pathText[i + 1]);
    return m;
  }

  static RunRequest req(Simulator sim, Map<String, String> files) {
    return new RunRequest(sim, files, List.of(), "tb", null, List.of(), null);
  }

  /** The runner of every level; each is either refused outright or accepted (and then must contain the runs). */
  static List<ToolRunner> levels(String name) {
    List<ToolRunner> out = new ArrayList<>();
    for (Isolation level : List.of(Isolation.BWRAP, Isolation.UNSHARE, Isolation.NONE)) {
      out.add(ToolRunner.create(settings(name + "-" + level.wire(), level)));
    }
    return out;
  }

  // ------------------------------------------------------------------------------------------------ levels

  @Test
  void h2_autoNeverFallsBackToAWeakerLevel() {
    Sims.require(Simulator.IVERILOG);
    ToolRunner noBwrap = ToolRunner.withTools(settings("auto", Isolation.AUTO), n -> n.equals("bwrap") ? null : Tools.find(n));
    assertThat(noBwrap.isolation()).isEqualTo(Isolation.BWRAP);
    assertThat(noBwrap.sandboxProblem()).hasValueSatisfying(p -> assertThat(p)
        .contains("bubblewrap (bwrap) is not installed").contains("untrusted designs run only in bubblewrap"));
    assertThatThrownBy(() -> noBwrap.run(req(Simulator.IVERILOG, files("tb.sv", "module tb; endmodule\n"))))
        .isInstanceOfSatisfying(GenRtlException.class, e -> {
          assertThat(e.code().code()).isEqualTo("tool_sandbox_unavailable");
          assertThat(e.getMessage()).contains("bubblewrap");
        });
    // where bubblewrap works, auto is bubblewrap
    ToolRunner auto = ToolRunner.create(settings("auto-real", Isolation.AUTO));
    if (auto.sandboxProblem().isEmpty()) assertThat(auto.isolation()).isEqualTo(Isolation.BWRAP);
  }

  @Test
  void h2_aProtectedPathReadableFromARunRefusesEveryRun() throws Exception {
    Sims.require(Simulator.IVERILOG);
    Path open = Files.createDirectories(base.resolve("open"));
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path config = Files.writeString(open.resolve("genrtl.properties"), "STRIPE_SECRET_KEY=sk_live_x\n");
    Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--"));
    ToolRunner none = ToolRunner.create(settings("readable", Isolation.NONE).withProtectedPaths(List.of(config)));
    assertThat(none.sandboxProblem()).hasValueSatisfying(p -> assertThat(p).contains("a run can read").contains(config.toString()));
    assertThatThrownBy(() -> none.run(req(Simulator.IVERILOG, files("tb.sv", "module tb; endmodule\n"))))
        .isInstanceOfSatisfying(GenRtlException.class, e -> assertThat(e.code().code()).isEqualTo("tool_sandbox_unavailable"));
    // bubblewrap does not show it at all
    ToolRunner bwrap = ToolRunner.create(settings("readable-bwrap", Isolation.BWRAP).withProtectedPaths(List.of(config)));
    Sims.requireBwrap(bwrap);
  }

  @Test
  void h2_runtimeAssembledPathCannotReadAdminKey() {
    Sims.require(Simulator.IVERILOG);
    // the file name is assembled at run time: the pre-scan cannot see it, only the sandbox can stop it
    String tb = "module tb;\n"
        + "  integer fd, r; string dir, name; reg [8*200:1] line;\n"
        + "  initial begin\n"
        + "    dir = \"" + dataDir + "\";\n"
        + "    name = {dir, \"/\", \"admin\", \".key\"};\n"
        + "    fd = $fopen(name, \"r\");\n"
        + "    if (fd == 0) $display(\"KEY_BLOCKED\");\n"
        + "    else begin r = $fgets(line, fd); $display(\"KEY:%0s\", line); end\n"
        + "    $display(\"PASS\"); $finish;\n"
        + "  end\n"
        + "endmodule\n";
    int accepted = 0;
    for (ToolRunner r : levels("key")) {
      if (r.sandboxProblem().isPresent()) {
        // a level the runner does not accept here refuses every run
        assertThatThrownBy(() -> r.run(req(Simulator.IVERILOG, files("tb.sv", tb)))).as(r.isolation().wire())
            .isInstanceOfSatisfying(GenRtlException.class, e -> assertThat(e.code().code()).isEqualTo("tool_sandbox_unavailable"));
        System.err.println("*** " + r.isolation().wire() + " refused here: " + r.sandboxProblem().get() + " ***");
        continue;
      }
      accepted++;
      EvidenceBundle b = r.run(req(Simulator.IVERILOG, files("tb.sv", tb)));
      assertThat(b.isolation()).isEqualTo(r.isolation());
      assertThat(b.logExcerpt()).as(r.isolation().wire() + ": " + b.logExcerpt()).contains("KEY_BLOCKED")
          .doesNotContain(KEY).doesNotContain("KEY:");
      assertThat(b.verdict()).isEqualTo("pass");
    }
    if (Sims.env("GENRTL_REQUIRE_SIMULATORS")) assertThat(accepted).as("bubblewrap at least").isPositive();
  }

  @Test
  void h2_bwrapAndTheUnshareJailShowOnlyTheBindSet() throws Exception {
    Path other = Files.createDirectories(base.resolve("bind-bwrap/run-other"));
    Files.writeString(other.resolve("design.sv"), "another user's design\n");
    Path cache = Files.createDirectories(base.resolve("cache"));
    Files.writeString(cache.resolve("entry"), "cached build\n");
    List<String> hidden = new ArrayList<>(List.of(dataDir.toString(), adminKey.toString(), other.toString(), cache.toString(),
        base.toString(), "/root", "/home", "/etc/shadow", "/etc/passwd", "/etc/ssh", "/etc/ssl/private", "/etc/hostname",
        "/var", "/opt", "/srv", "/run", "/mnt", "/media", "/boot"));
    String script = "for p in \"$@\"; do if [ -e \"$p\" ] || [ -L \"$p\" ]; then echo \"VISIBLE $p\"; fi; done;"
        + " for d in /usr /etc /sim/.. /; do if touch \"$d/genrtl-escape\" 2>&-; then echo \"WROTE $d\"; fi; done;"
        + " if touch /sim/inside 2>&-; then echo WROTE_SIM; fi; if touch /tmp/inside 2>&-; then echo WROTE_TMP; fi;"
        + " for p in /usr/bin /sim /tmp /proc/self /dev/null; do [ -e \"$p\" ] && echo \"SEES $p\"; done; echo DONE";
    int tried = 0;
    for (Isolation level : List.of(Isolation.BWRAP, Isolation.UNSHARE)) {
      Path work = Files.createDirectories(base.resolve("bind-" + level.wire()));
      Sandbox s = Sandbox.choose(level, work, new Sandbox.Options(8L << 20, 65534, List.of(dataDir, adminKey, cache)));
      if (s.problem() != null) {
        if (level == Isolation.BWRAP && Sims.env("GENRTL_REQUIRE_SIMULATORS")) throw new AssertionError(s.problem());
        System.err.println("*** " + level.wire() + " not usable here: " + s.problem() + " ***");
        continue;
      }
      tried++;
      Path run = Files.createTempDirectory(work, "run-");
      s.prepare(run);
      List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", script, "probe"));
      cmd.addAll(hidden);
      Exec.Result r = shell(s, run, cmd, 64);
      assertThat(r.output()).as(level.wire()).contains("DONE").doesNotContain("VISIBLE").doesNotContain("WROTE ")
          .contains("WROTE_SIM").contains("WROTE_TMP")
          .contains("SEES /usr/bin").contains("SEES /sim").contains("SEES /tmp").contains("SEES /proc/self").contains("SEES /dev/null");
      assertThat(run.resolve("inside")).exists();
      assertThat(work.resolve("genrtl-escape")).doesNotExist();
    }
    if (Sims.env("GENRTL_REQUIRE_SIMULATORS")) assertThat(tried).isPositive();
  }

  /**
   * /dev holds only null, zero, full, random, urandom and tty (plus the fd links and an empty /dev/shm) at both levels
   * that isolate files: bwrap's own {@code --dev} also gave a run {@code ptmx}, a devpts and {@code core ->
   * /proc/kcore}. /proc shows the sandbox's own processes only (a fresh PID namespace) and the network is the
   * sandbox's own namespace: loopback only.
   */
  @Test
  void h2_devHoldsOnlyTheSixDevicesAndTheNetworkIsPrivate() throws Exception {
    String script = "for e in /dev/* /dev/.[!.]*; do [ -e \"$e\" ] || [ -L \"$e\" ] || continue;"
        + " if [ -L \"$e\" ]; then echo \"LINK $e\"; elif [ -c \"$e\" ]; then echo \"CHR $e\"; elif [ -b \"$e\" ];"
        + " then echo \"BLK $e\"; elif [ -d \"$e\" ]; then echo \"DIR $e $(ls -A \"$e\" | wc -l)\"; else echo \"OTHER $e\"; fi;"
        + " done; echo \"PIDS $(ls /proc | grep -c '^[0-9][0-9]*$')\"; echo \"NETIFS $(tail -n +3 /proc/net/dev | cut -d: -f1"
        + " | tr -d ' ' | tr '\\n' ' ')\"; echo DONE";
    int tried = 0;
    for (Isolation level : List.of(Isolation.BWRAP, Isolation.UNSHARE)) {
      Path work = Files.createDirectories(base.resolve("dev-" + level.wire()));
      Sandbox s = Sandbox.choose(level, work, new Sandbox.Options(8L << 20, 65534, List.of()));
      if (s.problem() != null) {
        if (level == Isolation.BWRAP && Sims.env("GENRTL_REQUIRE_SIMULATORS")) throw new AssertionError(s.problem());
        System.err.println("*** " + level.wire() + " not usable here: " + s.problem() + " ***");
        continue;
      }
      tried++;
      Path run = Files.createTempDirectory(work, "run-");
      s.prepare(run);
      String out = shell(s, run, List.of("/bin/sh", "-c", script, "dev"), 64).output();
      assertThat(out).as(level.wire()).contains("DONE");
      List<String> lines = out.lines().filter(l -> l.matches("(LINK|CHR|BLK|DIR|OTHER) .*")).sorted().toList();
      List<String> expected = new ArrayList<>();
      for (String d : Sandbox.DEVICES) if (!d.equals("tty") || Files.exists(Path.of("/dev/tty"))) expected.add("CHR /dev/" + d);
      expected.addAll(List.of("DIR /dev/shm 0", "LINK /dev/fd", "LINK /dev/stderr", "LINK /dev/stdin", "LINK /dev/stdout"));
      assertThat(lines).as(level.wire() + ": " + out).containsExactlyInAnyOrderElementsOf(expected);
      String pids = out.lines().filter(l -> l.startsWith("PIDS ")).findFirst().orElseThrow().substring(5).trim();
      assertThat(Integer.parseInt(pids)).as(level.wire() + " sees only its own processes").isLessThan(10);
      assertThat(out).as(level.wire() + " has its own network namespace").contains("NETIFS lo \n");
    }
    if (Sims.env("GENRTL_REQUIRE_SIMULATORS")) assertThat(tried).isPositive();
  }

  @Test
  void h2_theContainmentProbeFindsALeakWhereDevNullCannotBeOpened() throws Exception {
    // on one CI host the sandbox uid could not open /dev/null; the probe redirected its reads there, so every read
    // "failed" and a readable protected path went unnoticed. A bwrap wrapper reproduces both: /dev/null is a read-only
    // regular file and the protected file is visible inside.
    String real = Tools.find("bwrap");
    if (real == null) {
      if (Sims.env("GENRTL_REQUIRE_SIMULATORS")) throw new AssertionError("bubblewrap is not installed");
      return;
    }
    Path bin = Files.createDirectories(base.resolve("fakebin"));
    Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path open = Files.createDirectories(base.resolve("devnull-open"));
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path config = Files.writeString(open.resolve("genrtl.properties"), "STRIPE_SECRET_KEY=sk_live_x\n");
    Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--"));
    Path fake = bin.resolve("bwrap");
    Files.writeString(fake, "#!/bin/bash\nargs=(\"$@\"); i=0\n"
        + "while [ $i -lt ${#args[@]} ] && [ \"${args[$i]}\" != -- ]; do i=$((i+1)); done\n"
        + "exec " + real + " \"${args[@]:0:$i}\" --ro-bind /etc/hostname /dev/null --ro-bind " + config + " " + config
        + " \"${args[@]:$i}\"\n");
    Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path work = Files.createDirectories(base.resolve("devnull-work"));
    Sandbox s = Sandbox.choose(Isolation.BWRAP, work, new Sandbox.Options(8L << 20, 65534, List.of(config),
        n -> n.equals("bwrap") ? fake.toString() : Tools.find(n)));
    assertThat(s.problem()).isNotNull().contains("a run can read").contains(config.toString());
    // the real bwrap does not show it
    Sandbox plain = Sandbox.choose(Isolation.BWRAP, work, new Sandbox.Options(8L << 20, 65534, List.of(config)));
    assertThat(plain.problem()).isNull();
  }

  /** Runs {@code cmd} through the sandbox's own launcher (wrapper, uid drop, level, prlimit) in {@code run}. */
  static Exec.Result shell(Sandbox s, Path run, List<String> cmd, int processes) throws Exception {
    Sandbox.Limits l = new Sandbox.Limits(Duration.ofSeconds(60), 30, 1L << 30, 8L << 20, 1L << 20, processes);
    String marker = "@@genrtl-times-0123456789abcdef01234567@@";
    return Exec.run(s.wrap(run, cmd, l, marker), run, s.env(run), l.wall(), l.outputBytes(), () -> false, marker,
        s.groupLeader(), null);
  }

  // ------------------------------------------------------------------------------------------------ limits

  @Test
  void h2_processCountLimit() throws Exception {
    // the pre-scan leaves no Verilog route to fork, so the wrapper's limit is tried with a shell payload through the
    // same launcher: 300 children were spawned in the review; 24 are allowed here
    String fork = "(n=0; while [ $n -lt 300 ]; do sleep 5 & n=$((n+1)); echo \"started $n\"; done) 2>&1; echo DONE";
    int tried = 0;
    for (Isolation level : List.of(Isolation.BWRAP, Isolation.UNSHARE)) {
      Path work = Files.createDirectories(base.resolve("nproc-" + level.wire()));
      Sandbox s = Sandbox.choose(level, work, new Sandbox.Options(8L << 20, 65534, List.of()));
      if (s.problem() != null) {
        if (level == Isolation.BWRAP && Sims.env("GENRTL_REQUIRE_SIMULATORS")) throw new AssertionError(s.problem());
        continue;
      }
      tried++;
      assertThat(s.processLimitApplies()).isTrue();
      Path run = Files.createTempDirectory(work, "run-");
      s.prepare(run);
      Exec.Result r = shell(s, run, List.of("/bin/sh", "-c", fork), 24);
      assertThat(r.output()).as(level.wire() + ": " + r.output()).contains("DONE");
      assertThat(ToolRunner.FORK_REFUSED.matcher(r.output()).find()).as(r.output()).isTrue();
      assertThat(r.output()).contains("started 1\n").doesNotContain("started 300").doesNotContain("started 30\n");
    }
    if (Sims.env("GENRTL_REQUIRE_SIMULATORS")) assertThat(tried).isPositive();
  }

  @Test
  void h2_processCountLimitIsReportedInTheBundle() {
    Sims.require(Simulator.VERILATOR);
    ToolRunner.Settings st = settings("nproc-run", Isolation.BWRAP);
    ToolRunner bare = ToolRunner.withoutPrescan(st.withLimits(st.compile(), st.run().withProcesses(24), st.maxRunTimeout()));
    Sims.requireBwrap(bare);
    String tb = "module tb;\n  integer rc;\n  initial begin\n"
        + "    rc = $system(\"for i in $(seq 1 300); do sleep 5 & done; wait\");\n"
        + "    if (rc != 0) $fatal(1, \"spawning failed\");\n"
        + "    $display(\"PASS\"); $finish;\n  end\nendmodule\n";
    EvidenceBundle b = bare.run(req(Simulator.VERILATOR, files("tb.sv", tb)));
    assertThat(b.limitExceeded()).as(b.logExcerpt()).isEqualTo("processes");
    assertThat(b.run().limitExceeded()).isEqualTo("processes");
    assertThat(b.verdict()).isEqualTo("fatal");
    assertThat(b.passed()).isFalse();
  }

  @Test
  void h2_tmpIsSizeLimited() throws Exception {
    Path work = Files.createDirectories(base.resolve("tmpfs"));
    Sandbox s = Sandbox.choose(Isolation.BWRAP, work, new Sandbox.Options(1L << 20, 65534, List.of()));
    if (s.problem() != null) {
      if (Sims.env("GENRTL_REQUIRE_SIMULATORS")) throw new AssertionError(s.problem());
      return;
    }
    Path run = Files.createTempDirectory(work, "run-");
    s.prepare(run);
    Exec.Result r = shell(s, run, List.of("/bin/sh", "-c", "head -c 4194304 /dev/zero > /tmp/big; echo rc=$?"), 32);
    assertThat(r.output()).contains("No space left on device").doesNotContain("rc=0");
    assertThat(ToolRunner.NO_SPACE.matcher(r.output()).find()).isTrue();
  }

  @Test
  void h2_aTestbenchWritingAHugeFileIsStoppedAtTheFileSizeLimit() throws Exception {
    Sims.require(Simulator.IVERILOG);
    ToolRunner.Settings st = settings("fsize", Isolation.BWRAP);
    ToolRunner r = ToolRunner.create(st.withLimits(st.compile(), new ToolRunner.Limits(Duration.ofSeconds(60),
        Duration.ofSeconds(60), 1L << 30, 1L << 20, 2L << 20), st.maxRunTimeout()));
    Sims.requireBwrap(r);
    String tb = "module tb;\n  integer fd, i;\n  initial begin\n    fd = $fopen(\"big.txt\", \"w\");\n"
        + "    for (i = 0; i < 10000000; i = i + 1) $fdisplay(fd, \"%0d 0123456789012345678901234567890123456789\", i);\n"
        + "    $fclose(fd); $display(\"PASS\"); $finish;\n  end\nendmodule\n";
    EvidenceBundle b = r.run(req(Simulator.IVERILOG, files("tb.sv", tb)));
    assertThat(b.limitExceeded()).as(b.logExcerpt()).isEqualTo("file_size");
    assertThat(b.verdict()).isEqualTo("fatal");
    assertThat(b.passed()).isFalse();
  }

  @Test
  void h2_whatARunWritesIsBoundedInBytesAndEntries() {
    Sims.require(Simulator.IVERILOG);
    // many files: past the entry bound
    ToolRunner few = ToolRunner.create(settings("files", Isolation.BWRAP).withWrites(new ToolRunner.WriteLimits(64L << 20, 40, 8L << 20)));
    Sims.requireBwrap(few);
    String many = "module tb;\n  integer fd, i; string n;\n  initial begin\n"
        + "    for (i = 0; i < 200; i = i + 1) begin n = $sformatf(\"f%0d.txt\", i); fd = $fopen(n, \"w\"); $fdisplay(fd, \"x\"); $fclose(fd); end\n"
        + "    $display(\"PASS\"); $finish;\n  end\nendmodule\n";
    EvidenceBundle b = few.run(req(Simulator.IVERILOG, files("tb.sv", many)));
    assertThat(b.limitExceeded()).as(b.logExcerpt()).isEqualTo("file_count");
    assertThat(b.verdict()).isEqualTo("fatal");
    assertThat(b.passed()).isFalse();
    // big files, each under the per-file cap: past the byte bound
    ToolRunner small = ToolRunner.create(settings("bytes", Isolation.BWRAP).withWrites(new ToolRunner.WriteLimits(2L << 20, 10_000, 8L << 20)));
    String big = "module tb;\n  integer fd, i, j; string n;\n  initial begin\n"
        + "    for (i = 0; i < 8; i = i + 1) begin n = $sformatf(\"b%0d.txt\", i); fd = $fopen(n, \"w\");\n"
        + "      for (j = 0; j < 20000; j = j + 1) $fdisplay(fd, \"0123456789012345678901234567890123456789\"); $fclose(fd); end\n"
        + "    $display(\"PASS\"); $finish;\n  end\nendmodule\n";
    EvidenceBundle c = small.run(req(Simulator.IVERILOG, files("tb.sv", big)));
    assertThat(c.limitExceeded()).as(c.logExcerpt()).isEqualTo("write_bytes");
    assertThat(c.verdict()).isEqualTo("fatal");
  }

  // ------------------------------------------------------------------------------------------------ small truths

  @Test
  void low_logExcerptHasNoTimesMarker() {
    List<EvidenceBundle> bundles = new ArrayList<>();
    ToolRunner r = ToolRunner.create(settings("marker", Isolation.BWRAP));
    Sims.requireBwrap(r);
    for (Simulator sim : Simulator.values()) {
      Sims.require(sim);
      for (String body : List.of("$display(\"PASS\"); $fatal(1, \"boom\");", "$display(\"PASS\"); $stop;", "$error(\"bad\"); $finish;")) {
        bundles.add(r.run(req(sim, files("tb.sv", "module tb; initial begin " + body + " end endmodule\n"))));
      }
    }
    assertThat(bundles).allSatisfy(b -> assertThat(b.logExcerpt()).as(b.logExcerpt()).doesNotContain("@@genrtl").doesNotContain("genrtl-wrapper"));
    try (Stream<Path> s = Files.list(base.resolve("marker"))) {
      assertThat(s.filter(p -> p.getFileName().toString().startsWith("run-")).toList()).isEmpty();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
