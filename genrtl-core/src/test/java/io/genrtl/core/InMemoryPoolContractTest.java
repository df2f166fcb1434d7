package io.genrtl.core;

import io.genrtl.core.memory.InMemoryStores;
import io.genrtl.core.testing.PoolContractTest;

class InMemoryPoolContractTest extends PoolContractTest {
  @Override
  protected Stores createStores() {
    return InMemoryStores.create();
  }
}
