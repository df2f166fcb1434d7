package io.genrtl.client;

import java.nio.file.Path;

/** The seed catalog sources in the repository ({@code catalog/<id>/}). */
final class HostFixtureCatalog {
  static final Path ROOT = Path.of("..", "catalog").toAbsolutePath().normalize();

  private HostFixtureCatalog() {}

  static Path dir(String id) {
    return ROOT.resolve(id);
  }
}
