package io.genrtl.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genrtl.core.plan.Plan;
import io.genrtl.core.plan.PlanCatalog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlansFileTest {
  @TempDir Path dir;

  @Test
  void theShippedDefaultsAreTheLibraryDefaults() {
    List<Plan> file = List.copyOf(PlansFile.defaults().all());
    List<Plan> lib = List.copyOf(PlanCatalog.defaults().all());
    assertThat(file).containsExactlyInAnyOrderElementsOf(lib);
    assertThat(PlansFile.defaults().find("ultra").orElseThrow().maxOnDemandLimitMicros()).isEqualTo(5_000_000_000L);
  }

  @Test
  void anOperatorFileReplacesThePlans() throws Exception {
    Path f = dir.resolve("plans.json");
    Files.writeString(f, "{\"plans\":[{\"id\":\"free\",\"included_usd\":0.5},"
        + "{\"id\":\"team\",\"name\":\"Team\",\"included_usd\":99.99,\"on_demand_allowed\":true,\"max_on_demand_limit_usd\":250}]}");
    PlanCatalog c = PlansFile.load(f);
    assertThat(c.find("team").orElseThrow().includedMicros()).isEqualTo(99_990_000L);
    assertThat(c.free().includedMicros()).isEqualTo(500_000L);
    assertThat(c.find("pro")).isEmpty();
  }

  @Test
  void badFilesSayWhatIsWrong() throws Exception {
    Path f = dir.resolve("bad.json");
    Files.writeString(f, "{\"plans\":[{\"id\":\"pro\",\"included_usd\":20}]}", StandardCharsets.UTF_8);
    assertThatThrownBy(() -> PlansFile.load(f)).hasMessageContaining("free");
    Files.writeString(f, "{\"plans\":[{\"id\":\"free\",\"included_usd\":\"lots\"}]}");
    assertThatThrownBy(() -> PlansFile.load(f)).hasMessageContaining("included_usd");
    Files.writeString(f, "{\"plans\":[{\"id\":\"free\",\"included_usd\":0,\"max_on_demand_limit_usd\":5}]}");
    assertThatThrownBy(() -> PlansFile.load(f)).hasMessageContaining("disallows on-demand");
    Files.writeString(f, "{\"plans\": 3}");
    assertThatThrownBy(() -> PlansFile.load(f)).hasMessageContaining("plans");
  }

  @Test
  void creditPacksAreConfiguredNextToThePlans() throws Exception {
    assertThat(PlansFile.defaultPacks()).extracting(io.genrtl.core.billing.CreditPack::packId)
        .containsExactly("credits_10", "credits_50", "credits_100");
    Path f = dir.resolve("packs.json");
    Files.writeString(f, "{\"plans\":[{\"id\":\"free\",\"included_usd\":0}],\"packs\":[{\"id\":\"bonus\",\"name\":\"Bonus\","
        + "\"credits_usd\":11,\"price_usd\":10},{\"id\":\"plain\",\"credits_usd\":5}]}");
    assertThat(PlansFile.loadPacks(f)).containsExactly(new io.genrtl.core.billing.CreditPack("bonus", "Bonus", 11_000_000L, 10_000_000L),
        new io.genrtl.core.billing.CreditPack("plain", "plain", 5_000_000L, 5_000_000L));
    Files.writeString(f, "{\"plans\":[{\"id\":\"free\",\"included_usd\":0}]}");
    assertThat(PlansFile.loadPacks(f)).isEmpty();
    for (String bad : new String[] {"{\"packs\":[{\"id\":\"x\",\"credits_usd\":1.001}]}", "{\"packs\":[{\"id\":\"x\"}]}",
        "{\"packs\":[{\"id\":\"X\",\"credits_usd\":1}]}", "{\"packs\":[{\"id\":\"x\",\"credits_usd\":0}]}",
        "{\"packs\":[{\"id\":\"x\",\"credits_usd\":1},{\"id\":\"x\",\"credits_usd\":2}]}", "{\"packs\":{}}"}) {
      Files.writeString(f, bad);
      assertThatThrownBy(() -> PlansFile.loadPacks(f)).as(bad).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("invalid plans file");
    }
  }
}
