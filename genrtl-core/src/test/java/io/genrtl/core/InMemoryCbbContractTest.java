package io.genrtl.core;

import io.genrtl.core.memory.InMemoryStores;
import io.genrtl.core.testing.CbbContractTest;

class InMemoryCbbContractTest extends CbbContractTest {
  @Override
  protected Stores createStores() {
    return InMemoryStores.create();
  }
}
