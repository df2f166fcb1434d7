package io.genrtl.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.genrtl.core.memory.InMemoryStores;
import io.genrtl.core.Stores;
import io.genrtl.core.testing.UsageRollupContractTest;

class InMemoryUsageRollupContractTest extends UsageRollupContractTest {
  @Override
  protected Stores createStores() {
    return InMemoryStores.create();
  }

  @Override
  protected void corruptDayRollup(String userId, long usdMicros) {
    assertThat(InMemoryStores.corruptUsageRollupForTesting(stores, userId, usdMicros)).isTrue();
  }
}
