package io.genrtl.core;

import io.genrtl.core.memory.InMemoryStores;
import io.genrtl.core.testing.BillingContractTest;

class InMemoryBillingContractTest extends BillingContractTest {
  @Override
  protected Stores createStores() {
    return InMemoryStores.create();
  }
}
