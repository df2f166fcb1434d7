package io.genrtl.core;

import io.genrtl.core.memory.InMemoryStores;
import io.genrtl.core.testing.AlertDeliveryContractTest;

class InMemoryAlertDeliveryContractTest extends AlertDeliveryContractTest {
  @Override
  protected Stores createStores() {
    return InMemoryStores.create();
  }
}
