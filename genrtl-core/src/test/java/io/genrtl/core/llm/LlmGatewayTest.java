package io.genrtl.core.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genrtl.core.GenRtl;
import io.genrtl.core.account.NewUser;
import io.genrtl.core.account.Role;
import io.genrtl.core.base.ErrorCode;
import io.genrtl.core.base.GenRtlException;
import io.genrtl.core.memory.InMemoryStores;
import io.genrtl.core.plan.Plan;
import io.genrtl.core.plan.PlanCatalog;
import io.genrtl.core.pool.Attribution;
import io.genrtl.core.pool.LedgerEntry;
import io.genrtl.core.pool.LedgerQuery;
import io.genrtl.core.testing.MutableClock;
import io.genrtl.core.testing.StoreContractTest;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LlmGatewayTest {
  GenRtl genrtl;
  ScriptedLlmClient openai;
  ScriptedLlmClient anthropic;
  PriceTable prices = PriceTable.defaults();

  @BeforeEach
  void setUp() {
    genrtl = GenRtl.builder().stores(InMemoryStores.create()).clock(MutableClock.at("2026-03-01T00:00:00Z")).plans(withRestricted()).build();
    openai = new ScriptedLlmClient("openai");
    anthropic = new ScriptedLlmClient("anthropic");
  }

  private static PlanCatalog withRestricted() {
    List<Plan> all = new ArrayList<>(PlanCatalog.defaults().all());
    all.add(new Plan("edu", "Education", 5_000_000L, false, 0, List.of("gpt-5-mini", "claude-haiku-4-5")));
    return PlanCatalog.of(all);
  }

  private LlmGateway gateway(LlmGateway.Policy policy) {
    return new LlmGateway(genrtl.pool(), genrtl.plans(), prices, policy, Map.of("openai", openai, "anthropic", anthropic));
  }

  private String user(String plan) {
    return genrtl.accounts().createUser(new NewUser("u" + System.nanoTime() + "@x.test", null, Role.USER, plan)).user().userId();
  }

  private static LlmRequest request(String callId, String prompt, int maxOut) {
    return new LlmRequest(callId, "ignored", List.of(new LlmRequest.Block("You are genRTL's planner.", true)),
        List.of(LlmRequest.Message.user(prompt)), maxOut, null, false);
  }

  @Test
  void costRulesFollowEachProvidersTokenAccounting() {
    ModelPrice gpt = prices.find("gpt-5.1").orElseThrow();
    // OpenAI reported input_tokens=1000 of which cached_tokens=400, output_tokens=500 (200 of them reasoning):
    // normalised: 600 uncached + 400 cached; reasoning is output.
    assertThat(gpt.costMicros(new LlmUsage(600, 500, 400, 0, 200))).isEqualTo(750 + 50 + 5000);
    ModelPrice sonnet = prices.find("claude-sonnet-4-6").orElseThrow();
    // Anthropic input_tokens=1000 excludes cache_read=2000 and cache_creation=500, each at its own rate
    assertThat(sonnet.costMicros(new LlmUsage(1000, 300, 2000, 500, 0))).isEqualTo(3000 + 600 + 1875 + 4500);
    // rounding happens once, half-up: 3 cached tokens × 0.125 = 0.375, + 1 input × 1.25 = 1.625 → 2
    assertThat(gpt.costMicros(new LlmUsage(1, 0, 3, 0, 0))).isEqualTo(2);
    assertThat(gpt.costMicros(new LlmUsage(0, 0, 4, 0, 0))).as("0.5 rounds up").isEqualTo(1);
    assertThat(gpt.costMicros(new LlmUsage(0, 0, 3, 0, 0))).as("0.375 rounds down").isEqualTo(0);
    // worst case: every input byte a full-price token (the dearer of input and cache write), plus all output
    assertThat(sonnet.worstCaseMicros(1000, 100)).isEqualTo(3750 + 1500);
    assertThat(new ModelPrice("m", "p", List.of(), new BigDecimal("0.3"), BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO)
        .worstCaseMicros(1, 0)).as("rounded up").isEqualTo(1);
  }

  @Test
  void aCallReservesTheWorstCaseAndSettlesTheActualUsage() {
    String u = user("pro");
    openai.then(ScriptedLlmClient.answer("{\"modules\":[]}", new LlmUsage(600, 500, 400, 0, 200)));
    LlmGateway.Outcome o = gateway(LlmGateway.Policy.defaults()).call(new LlmGateway.Call(u, PriceTable.PLAN,
        new Attribution("job-1", "step-1", "ws-1"), request("call-1", "a UART", 1000), Duration.ofMinutes(5)), null, () -> false);
    assertThat(o.model().modelId()).isEqualTo("gpt-5.1");
    assertThat(openai.requests.get(0).model()).isEqualTo("gpt-5.1");
    assertThat(o.reservedMicros()).isEqualTo(prices.find("gpt-5.1").orElseThrow()
        .worstCaseMicros(LlmGateway.inputBytes(request("call-1", "a UART", 1000)), 1000));
    assertThat(o.charge().totalMicros()).isEqualTo(5800);
    assertThat(o.charge().callId()).isEqualTo("call-1");
    List<LedgerEntry> rows = new ArrayList<>();
    genrtl.pool().forEachUsage(LedgerQuery.all(u), rows::add);
    assertThat(rows).singleElement().satisfies(e -> {
      assertThat(e.callId()).isEqualTo("call-1");
      assertThat(e.tokens().provider()).isEqualTo("openai");
      assertThat(e.tokens().model()).isEqualTo("gpt-5.1");
      assertThat(e.tokens().inputTokens()).isEqualTo(600);
      assertThat(e.tokens().cachedInputTokens()).isEqualTo(400);
      assertThat(e.tokens().outputTokens()).isEqualTo(500);
      assertThat(e.attribution()).isEqualTo(new Attribution("job-1", "step-1", "ws-1"));
      assertThat(e.usdMicros()).isEqualTo(5800);
    });
    assertThat(genrtl.pool().balance(u).holdsMicros()).isZero();
    assertThat(genrtl.pool().verify(u).problems()).isEmpty();
  }

  @Test
  void aCallThatCannotBePaidForNeverReachesTheProvider() {
    String u = user(null); // free, $0
    assertThatThrownBy(() -> gateway(LlmGateway.Policy.defaults()).call(new LlmGateway.Call(u, PriceTable.IMPLEMENT,
        Attribution.NONE, request("c", "x", 1000), Duration.ofMinutes(5)), null, () -> false))
        .isInstanceOf(GenRtlException.class)
        .satisfies(e -> assertThat(((GenRtlException) e).code()).isEqualTo(ErrorCode.INSUFFICIENT_FUNDS));
    assertThat(anthropic.calls.get()).isZero();
  }

  @Test
  void anOutageVoidsTheHoldAndFallsBackToTheNextModel() {
    String u = user("pro");
    anthropic.then(r -> {
      throw new LlmException.Unavailable("anthropic", 529, "req_a", "overloaded", null);
    }).then(ScriptedLlmClient.answer("diff", new LlmUsage(100, 100, 0, 0, 0)));
    LlmGateway.Outcome o = gateway(LlmGateway.Policy.defaults()).call(new LlmGateway.Call(u, PriceTable.IMPLEMENT,
        Attribution.NONE, request("c2", "x", 1000), Duration.ofMinutes(5)), null, () -> false);
    assertThat(anthropic.models()).containsExactly("claude-sonnet-4-6", "claude-haiku-4-5");
    assertThat(o.failedOver()).containsExactly("claude-sonnet-4-6");
    assertThat(o.model().modelId()).isEqualTo("claude-haiku-4-5");
    assertThat(o.charge().totalMicros()).isEqualTo(100 + 500);
    assertThat(genrtl.pool().balance(u).holdsMicros()).isZero();
    assertThat(genrtl.pool().verify(u).problems()).isEmpty();

    anthropic.always(r -> {
      throw new LlmException.Unavailable("anthropic", 500, "req_b", "server error", null);
    });
    assertThatThrownBy(() -> gateway(LlmGateway.Policy.defaults()).call(new LlmGateway.Call(u, PriceTable.IMPLEMENT,
        Attribution.NONE, request("c3", "x", 1000), Duration.ofMinutes(5)), null, () -> false))
        .satisfies(e -> assertThat(((GenRtlException) e).code()).isEqualTo(ErrorCode.PROVIDER_UNAVAILABLE));
    assertThat(genrtl.pool().balance(u).holdsMicros()).isZero();
    anthropic.always(r -> {
      throw new LlmException.BadRequest("anthropic", 400, "req_c", "bad");
    });
    assertThatThrownBy(() -> gateway(LlmGateway.Policy.defaults()).call(new LlmGateway.Call(u, PriceTable.IMPLEMENT,
        Attribution.NONE, request("c4", "x", 1000), Duration.ofMinutes(5)), null, () -> false)).isInstanceOf(LlmException.BadRequest.class);
    assertThat(genrtl.pool().balance(u).holdsMicros()).isZero();
  }

  @Test
  void aCancelMidAnswerSettlesWhatWasUsedAndNoFallbackIsTried() {
    String u = user("pro");
    // Sonnet had read 1000 input tokens (2000 from the cache) and streamed an estimated 300 output tokens
    anthropic.then(r -> {
      throw new LlmException.Canceled("anthropic", new LlmUsage(1000, 300, 2000, 0, 0), true);
    });
    assertThatThrownBy(() -> gateway(LlmGateway.Policy.defaults()).call(new LlmGateway.Call(u, PriceTable.IMPLEMENT,
        new Attribution("job-9", "step-9", "ws-9"), request("c-cancel", "x", 1000), Duration.ofMinutes(5)), null, () -> true))
        .isInstanceOf(LlmException.Canceled.class);
    assertThat(anthropic.calls.get()).as("a cancel is not an outage: no fallback").isEqualTo(1);
    List<LedgerEntry> rows = new ArrayList<>();
    genrtl.pool().forEachUsage(LedgerQuery.all(u), rows::add);
    assertThat(rows).singleElement().satisfies(e -> {
      assertThat(e.callId()).isEqualTo("c-cancel");
      assertThat(e.usdMicros()).isEqualTo(3000 + 600 + 4500);
      assertThat(e.tokens().outputTokens()).isEqualTo(300);
      assertThat(e.note()).contains("canceled").contains("estimated");
      assertThat(e.attribution().jobId()).isEqualTo("job-9");
    });
    assertThat(genrtl.pool().balance(u).holdsMicros()).isZero();
    assertThat(genrtl.pool().verify(u).problems()).isEmpty();
  }

  @Test
  void aCancelBeforeTheAnswerBeganChargesNothing() {
    String u = user("pro");
    anthropic.then(r -> {
      throw new LlmException.Canceled("anthropic");
    });
    assertThatThrownBy(() -> gateway(LlmGateway.Policy.defaults()).call(new LlmGateway.Call(u, PriceTable.IMPLEMENT,
        Attribution.NONE, request("c-early", "x", 1000), Duration.ofMinutes(5)), null, () -> true))
        .isInstanceOf(LlmException.Canceled.class);
    List<LedgerEntry> rows = new ArrayList<>();
    genrtl.pool().forEachUsage(LedgerQuery.all(u), rows::add);
    assertThat(rows).isEmpty();
    assertThat(genrtl.pool().balance(u).holdsMicros()).isZero();
  }

  @Test
  void missingUsageChargesTheReservedWorstCaseAndSaysSo() {
    String u = user("pro");
    openai.then(ScriptedLlmClient.answer("{}", null));
    LlmGateway.Outcome o = gateway(LlmGateway.Policy.defaults()).call(new LlmGateway.Call(u, PriceTable.PLAN,
        Attribution.NONE, request("c5", "x", 2000), Duration.ofMinutes(5)), null, () -> false);
    assertThat(o.usageMissing()).isTrue();
    assertThat(o.charge().totalMicros()).isEqualTo(o.reservedMicros()).isPositive();
    assertThat(o.charge().entries().get(0).note()).contains("usage missing");
  }

  @Test
  void plansRestrictModelsAndMayFallBackToACheaperOneWhenShortOfFunds() {
    String edu = user("edu");
    openai.always(ScriptedLlmClient.answer("{}", new LlmUsage(10, 10, 0, 0, 0)));
    gateway(LlmGateway.Policy.defaults()).call(new LlmGateway.Call(edu, PriceTable.PLAN, Attribution.NONE,
        request("c6", "x", 100), Duration.ofMinutes(5)), null, () -> false);
    assertThat(openai.models()).containsExactly("gpt-5-mini");

    String poor = user(null);
    genrtl.pool().grantCredits(poor, 5_000, "p", "credit_pack", null, null); // half a cent
    LlmGateway.Policy cheaper = new LlmGateway.Policy(LlmGateway.Policy.defaults().modelsByStep(), Map.of(), true);
    LlmGateway.Outcome o = gateway(cheaper).call(new LlmGateway.Call(poor, PriceTable.PLAN, Attribution.NONE,
        request("c7", "x", 1000), Duration.ofMinutes(5)), null, () -> false);
    assertThat(o.model().modelId()).isEqualTo("gpt-5-mini");
    LlmGateway.Policy none = new LlmGateway.Policy(Map.of(PriceTable.PLAN, List.of("gpt-5.1")),
        Map.of("edu", Map.of(PriceTable.PLAN, List.of("gpt-5.1"))), false);
    assertThatThrownBy(() -> gateway(none).call(new LlmGateway.Call(edu, PriceTable.PLAN, Attribution.NONE,
        request("c8", "x", 100), Duration.ofMinutes(5)), null, () -> false))
        .satisfies(e -> assertThat(((GenRtlException) e).code()).isEqualTo(ErrorCode.MODEL_NOT_ALLOWED));
  }

  /** 50 concurrent calls against $1 available never spend more than $1, and refused calls never reach the provider. */
  @Test
  void concurrentCallsNeverOverspendAndRefusedOnesNeverReachTheProvider() throws Exception {
    String u = user(null);
    genrtl.pool().grantCredits(u, 1_000_000, "dollar", "credit_pack", null, null);
    openai.always(ScriptedLlmClient.answer("{}", new LlmUsage(2000, 2000, 0, 0, 0))); // 22,500 µUSD each
    AtomicInteger ok = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    AtomicInteger n = new AtomicInteger();
    StoreContractTest.hammer(50, () -> {
      try {
        gateway(LlmGateway.Policy.defaults()).call(new LlmGateway.Call(u, PriceTable.PLAN, Attribution.NONE,
            request("cc" + n.incrementAndGet(), "x".repeat(4000), 8000), Duration.ofMinutes(5)), null, () -> false);
        ok.incrementAndGet();
      } catch (GenRtlException e) {
        assertThat(e.code()).isEqualTo(ErrorCode.INSUFFICIENT_FUNDS);
        refused.incrementAndGet();
      }
      return null;
    });
    assertThat(ok.get() + refused.get()).isEqualTo(50);
    assertThat(openai.calls.get()).isEqualTo(ok.get());
    assertThat(refused.get()).isPositive();
    long spent = 1_000_000 - genrtl.pool().balance(u).creditsMicros();
    assertThat(spent).isLessThanOrEqualTo(1_000_000).isEqualTo(ok.get() * 22_500L);
    assertThat(genrtl.pool().verify(u).problems()).isEmpty();
  }
}
