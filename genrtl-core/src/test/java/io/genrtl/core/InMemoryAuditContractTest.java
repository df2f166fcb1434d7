package io.genrtl.core;

import io.genrtl.core.memory.InMemoryStores;
import io.genrtl.core.testing.AuditContractTest;

class InMemoryAuditContractTest extends AuditContractTest {
  @Override
  protected Stores createStores() {
    return InMemoryStores.create();
  }
}
