package io.genrtl.host.http;

import io.genrtl.core.GenRtl;

/**
 * Test-only: a class in the http package that reads the stores, as routes did before the services took over. The
 * architecture test checks that its rules report it (so they can fail); the production import excludes test classes.
 */
final class StoreTouchingFixture {
  private StoreTouchingFixture() {}

  static boolean viaFacade(GenRtl genrtl) {
    return genrtl.stores().ping();
  }

  static int viaPort(GenRtl genrtl) {
    var users = genrtl.stores().accounts().users();
    return users.hashCode();
  }
}
