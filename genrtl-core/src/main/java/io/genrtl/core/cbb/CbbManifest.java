package io.genrtl.core.cbb;

import java.util.List;
import java.util.Objects;

/**
 * The validated {@code manifest.json} of a CBB package. {@code priceMicros} is the price in micro-USD;
 * {@code json} is the manifest exactly as published (returned to clients verbatim).
 */
public record CbbManifest(
    String id,
    String version,
    String name,
    String description,
    List<String> tags,
    Entrypoints entrypoints,
    Compat compat,
    long priceMicros,
    String license,
    String json) {

  /** {@code id} pattern of every CBB. */
  public static final String ID_PATTERN = "^[a-z][a-z0-9_]{2,63}$";

  public CbbManifest {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(entrypoints, "entrypoints");
    Objects.requireNonNull(compat, "compat");
    Objects.requireNonNull(json, "json");
    tags = List.copyOf(tags);
  }

  /** Top modules and filelists, all paths relative to the package root. */
  public record Entrypoints(String rtlTop, String tbTop, String filelistRtl, String filelistTb) {}

  /** Language standard (e.g. "2012") and the simulators the package is known to work with. */
  public record Compat(String sv, List<String> simulators) {
    public Compat {
      simulators = List.copyOf(simulators);
    }
  }
}
