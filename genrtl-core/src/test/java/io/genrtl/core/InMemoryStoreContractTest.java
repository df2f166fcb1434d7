package io.genrtl.core;

import io.genrtl.core.memory.InMemoryStores;
import io.genrtl.core.testing.StoreContractTest;

class InMemoryStoreContractTest extends StoreContractTest {
  @Override
  protected Stores createStores() {
    return InMemoryStores.create();
  }
}
