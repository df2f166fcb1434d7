package io.genrtl.host;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The CBB manifest JSON Schema served at {@code GET /api/schemas/cbb-manifest} (shipped by genrtl-cbb-package). */
final class ManifestSchema {
  static final String RESOURCE = "/io/genrtl/cbb/pkg/cbb-manifest.schema.json";

  private ManifestSchema() {}

  static String text() {
    try (InputStream in = ManifestSchema.class.getResourceAsStream(RESOURCE)) {
      if (in == null) throw new IllegalStateException("missing " + RESOURCE);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
