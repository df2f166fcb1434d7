package io.genrtl.core.testing;

import io.genrtl.core.cbb.CbbManifest;
import io.genrtl.core.cbb.CbbPackage;
import io.genrtl.core.cbb.PackageInspector;
import io.genrtl.core.cbb.PackageLimits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Package files for registry tests that do not care about the archive format: each file's bytes are arbitrary and
 * its manifest is registered here. The real archive inspector is tested in genrtl-cbb-package and end to end in the
 * host.
 */
public final class TestPackages implements PackageInspector {
  private final Map<String, CbbManifest> manifests = new ConcurrentHashMap<>();
  private final Path dir;

  public TestPackages(Path dir) {
    this.dir = dir;
  }

  public Path make(String id, String version, double priceUsd, List<String> tags, String sv, List<String> simulators, String salt) {
    long micros = Math.round(priceUsd * 1_000_000);
    String json = "{\"id\":\"" + id + "\",\"version\":\"" + version + "\"}";
    CbbManifest m = new CbbManifest(id, version, id.replace('_', ' ') + " block", "A " + String.join(" ", tags) + " block",
        tags, new CbbManifest.Entrypoints(id, "tb_" + id, "scripts/filelist_rtl.f", "scripts/filelist_tb.f"),
        new CbbManifest.Compat(sv, simulators), micros, "Apache-2.0", json);
    try {
      Path f = dir.resolve(id + "-" + version + "-" + salt + ".tar.gz");
      Files.writeString(f, id + "@" + version + "#" + salt + "\n" + "x".repeat(1000), StandardCharsets.UTF_8);
      manifests.put(f.toAbsolutePath().toString(), m);
      return f;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Path make(String id, String version, double priceUsd, String... tags) {
    return make(id, version, priceUsd, List.of(tags), "2012", List.of("iverilog", "verilator"), "a");
  }

  @Override
  public CbbPackage inspect(Path archive, PackageLimits limits) {
    CbbManifest m = manifests.get(archive.toAbsolutePath().toString());
    if (m == null) throw new IllegalArgumentException("unknown test package " + archive);
    try {
      byte[] bytes = Files.readAllBytes(archive);
      String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
      return new CbbPackage(m, sha, bytes.length, CbbPackage.Format.TAR_GZ, 1, bytes.length);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
