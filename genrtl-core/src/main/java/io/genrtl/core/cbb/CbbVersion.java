package io.genrtl.core.cbb;

import java.util.Objects;

/** One published, immutable version of a CBB: its manifest, where its bytes are, and whether it was yanked. */
public record CbbVersion(
    CbbManifest manifest,
    String sha256,
    long sizeBytes,
    CbbPackage.Format format,
    String blobKey,
    boolean yanked,
    long publishedAt,
    String publishedBy) {
  public CbbVersion {
    Objects.requireNonNull(manifest, "manifest");
    Objects.requireNonNull(sha256, "sha256");
    Objects.requireNonNull(blobKey, "blobKey");
  }

  public String cbbId() {
    return manifest.id();
  }

  public String version() {
    return manifest.version();
  }

  public Semver semver() {
    return Semver.parse(manifest.version()).orElseThrow();
  }
}
