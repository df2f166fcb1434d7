package io.genrtl.toolrunner;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One simulation to run.
 *
 * @param simulator which tool
 * @param files the user's files, run-directory-relative path to text; {@code .v} and {@code .sv} files are compiled
 *     (in path order) unless {@code filelist} is given, others ({@code .vh}, {@code .svh}, memory images) are only
 *     present in the run directory
 * @param cbbs packages to unpack under {@code vendor/cbb/<id>/<version>/}; their manifest {@code filelist_rtl} is
 *     added to the compile, before the user's sources
 * @param top the top module ({@code -s} / {@code --top-module})
 * @param filelist optional: the path of one of {@code files}, a {@code -f} list naming the sources to compile
 *     (relative to the run directory; it may name files under {@code vendor/cbb/})
 * @param args extra arguments from an allowlist: {@code -D<name>[=<value>]}, {@code +define+…}, {@code -I<dir>},
 *     {@code +incdir+…} with directories inside the run directory
 * @param timeout the run phase's wall-clock limit (null: the runner's default; capped at the runner's maximum)
 */
public record RunRequest(Simulator simulator, Map<String, String> files, List<Cbb> cbbs, String top, String filelist,
    List<String> args, Duration timeout) {

  /** A package to install for the run: its id, version and the archive's bytes on disk (zip or tar.gz). */
  public record Cbb(String cbbId, String version, Path archive) {
    public Cbb {
      Objects.requireNonNull(cbbId, "cbbId");
      Objects.requireNonNull(version, "version");
      Objects.requireNonNull(archive, "archive");
    }
  }

  public RunRequest {
    Objects.requireNonNull(simulator, "simulator");
    files = files == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(files));
    cbbs = cbbs == null ? List.of() : List.copyOf(cbbs);
    args = args == null ? List.of() : List.copyOf(args);
  }
}
