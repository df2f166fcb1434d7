package io.genrtl.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.genrtl.core.memory.InMemoryStores;
import io.genrtl.core.port.Stores;
import io.genrtl.core.testing.UsageRollupContractTest;

class InMemoryUsageRollupContractTest extends UsageRollupContractTest {
  @Override
  protected Stores createStores() {
    return new InMemoryStores();
  }

  @Override
  protected void corruptDayRollup(String userId, long usdMicros) {
    assertThat(((InMemoryStores) stores).corruptUsageRollupForTesting(userId, usdMicros)).isTrue();
  }
}
