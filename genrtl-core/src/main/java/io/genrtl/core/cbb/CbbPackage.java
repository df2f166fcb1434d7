package io.genrtl.core.cbb;

import java.util.Objects;

/** A package that passed inspection: its manifest, its bytes' SHA-256 (hex), size and archive format. */
public record CbbPackage(CbbManifest manifest, String sha256, long sizeBytes, Format format, int entryCount,
    long unpackedBytes) {
  public enum Format {
    ZIP("zip"), TAR_GZ("tar.gz");

    private final String wire;

    Format(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }

    public static Format fromWire(String s) {
      for (Format f : values()) if (f.wire.equals(s)) return f;
      throw new IllegalArgumentException("unknown package format: " + s);
    }
  }

  public CbbPackage {
    Objects.requireNonNull(manifest, "manifest");
    Objects.requireNonNull(sha256, "sha256");
    Objects.requireNonNull(format, "format");
  }
}
