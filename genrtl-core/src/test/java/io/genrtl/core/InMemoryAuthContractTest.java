package io.genrtl.core;

import io.genrtl.core.memory.InMemoryStores;
import io.genrtl.core.testing.AuthContractTest;

class InMemoryAuthContractTest extends AuthContractTest {
  @Override
  protected Stores createStores() {
    return InMemoryStores.create();
  }
}
