package io.genrtl.cbb.pkg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.genrtl.core.base.ErrorCode;
import io.genrtl.core.base.GenRtlException;
import io.genrtl.core.cbb.PackageLimits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** A small valid package to break one rule at a time, and the assertions the inspector tests share. */
final class TestPackages {
  static final Path CATALOG = Path.of("..", "catalog").toAbsolutePath().normalize();

  static final String MANIFEST = "{\n"
      + "  \"id\": \"demo_cbb\",\n"
      + "  \"version\": \"1.0.0\",\n"
      + "  \"name\": \"Demo\",\n"
      + "  \"description\": \"A demo block.\",\n"
      + "  \"tags\": [\"demo\"],\n"
      + "  \"entrypoints\": {\"rtl_top\": \"demo\", \"tb_top\": \"tb_demo\", \"filelist_rtl\": \"scripts/filelist_rtl.f\","
      + " \"filelist_tb\": \"scripts/filelist_tb.f\"},\n"
      + "  \"compat\": {\"sv\": \"2012\", \"simulators\": [\"iverilog\"]},\n"
      + "  \"price_usd\": 0.5,\n"
      + "  \"license\": \"Apache-2.0\"\n"
      + "}\n";

  private TestPackages() {}

  /** The files of a valid package, in archive order (directories are added by the writers). */
  static Map<String, String> files() {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("manifest.json", MANIFEST);
    f.put("LICENSE", "Apache License 2.0\n");
    f.put("README.md", "# demo\n");
    f.put("rtl/demo.sv", "module demo; endmodule\n");
    f.put("tb/tb_demo.sv", "module tb_demo; demo u(); endmodule\n");
    f.put("scripts/filelist_rtl.f", "rtl/demo.sv\n");
    f.put("scripts/filelist_tb.f", "tb/tb_demo.sv\n");
    return f;
  }

  static String manifestWith(String field, String jsonValue) {
    String m = MANIFEST;
    int i = m.indexOf("\"" + field + "\":");
    if (i < 0) throw new IllegalArgumentException(field);
    int start = i + field.length() + 4;
    int depth = 0;
    int end = start;
    for (; end < m.length(); end++) {
      char c = m.charAt(end);
      if (c == '{' || c == '[') depth++;
      if (c == '}' || c == ']') depth--;
      if (depth < 0 || depth == 0 && (c == ',' || c == '\n')) break;
    }
    return m.substring(0, start) + jsonValue + m.substring(end);
  }

  /** The package as a tar stream with directory entries first. */
  static RawTar tar(Map<String, String> files) {
    RawTar t = new RawTar();
    for (String d : new String[] {"rtl/", "tb/", "scripts/"}) t.dir(d);
    files.forEach(t::file);
    return t;
  }

  static RawZip zip(Map<String, String> files) {
    RawZip z = new RawZip();
    for (String d : new String[] {"rtl/", "tb/", "scripts/"}) z.dir(d);
    files.forEach(z::file);
    return z;
  }

  static Path write(Path dir, String name, byte[] bytes) {
    try {
      return Files.write(dir.resolve(name), bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every path under {@code dir} with its size and modification time. */
  static Map<String, String> listing(Path dir) {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      s.forEach(p -> {
        try {
          BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
          out.put(dir.relativize(p).toString(), a.size() + "@" + a.lastModifiedTime().toMillis());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /**
   * Inspects {@code archive}, expects {@code invalid_package} with {@code reason} and {@code entry} (null: no
   * entry), and checks that nothing under {@code dir} changed.
   */
  static GenRtlException refused(Path dir, Path archive, PackageLimits limits, String reason, String entry) {
    Map<String, String> before = listing(dir);
    GenRtlException e = catchThrowableOfType(GenRtlException.class,
        () -> new ArchiveInspector().inspect(archive, limits));
    assertThat(listing(dir)).as("files under the temp dir").isEqualTo(before);
    assertThat(e).as("refusal of %s", archive.getFileName()).isNotNull();
    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PACKAGE);
    assertThat(e.details()).as(e.getMessage()).containsEntry("reason", reason);
    if (entry == null) {
      assertThat(e.details()).as(e.getMessage()).doesNotContainKey("entry");
    } else {
      assertThat(e.details()).as(e.getMessage()).containsEntry("entry", entry);
    }
    return e;
  }
}
