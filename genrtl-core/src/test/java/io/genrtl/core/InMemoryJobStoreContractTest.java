package io.genrtl.core;

import io.genrtl.core.memory.InMemoryStores;
import io.genrtl.core.testing.JobStoreContractTest;

class InMemoryJobStoreContractTest extends JobStoreContractTest {
  @Override
  protected Stores createStores() {
    return InMemoryStores.create();
  }
}
