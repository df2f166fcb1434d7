package io.genrtl.core.billing;

import io.genrtl.core.account.AccountStores;
import io.genrtl.core.account.Subscription;
import io.genrtl.core.base.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Drains the meter outbox into a {@link MeterSender}: claims each due row (so no two reporters send it at once), sends
 * it with its ledger-derived identifier, and marks it reported. A failed send is retried with exponential backoff
 * ({@code base * 2^(attempts-1)}, capped); a reporter that dies between sending and marking leaves the row claimed until
 * its lease ends, after which it is sent again with the same identifier (the provider counts it once). Rows of users
 * who are not billed by the provider (no customer there and no subscription with it) are marked skipped.
 */
public final class MeterReporter {
  /** What one pass did. */
  public record Report(int reported, int failed, int skipped) {
    Report plus(Report o) {
      return new Report(reported + o.reported, failed + o.failed, skipped + o.skipped);
    }
  }

  /** Batch size, how long a claim lasts, the backoff, and the provider whose customer ids are used. */
  public record Settings(int batchSize, Duration lease, Duration baseBackoff, Duration maxBackoff, String provider) {
    public Settings {
      if (batchSize < 1) throw new IllegalArgumentException("batchSize must be positive");
      Objects.requireNonNull(lease, "lease");
      Objects.requireNonNull(baseBackoff, "baseBackoff");
      Objects.requireNonNull(maxBackoff, "maxBackoff");
      Objects.requireNonNull(provider, "provider");
    }

    public static Settings defaults() {
      return new Settings(100, Duration.ofMinutes(5), Duration.ofSeconds(10), Duration.ofHours(1), BillingService.STRIPE);
    }
  }

  private final AccountStores accountStores;

  private final BillingStores billingStores;
  private final Clock clock;
  private final Sleeper sleeper;
  private final MeterSender sender;
  private final Settings settings;

  public MeterReporter(AccountStores accountStores, BillingStores billingStores, Clock clock, Sleeper sleeper,
      MeterSender sender, Settings settings) {
    this.accountStores = accountStores;
    this.billingStores = billingStores;
    this.clock = Objects.requireNonNull(clock, "clock");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    this.sender = Objects.requireNonNull(sender, "sender");
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  /** One pass over every row due now. */
  public Report reportDue() {
    Report total = new Report(0, 0, 0);
    while (true) {
      long now = clock.millis();
      List<MeterRecord> due = billingStores.meterOutbox().due(now, settings.batchSize());
      Report r = new Report(0, 0, 0);
      for (MeterRecord m : due) r = r.plus(reportOne(m, now));
      total = total.plus(r);
      // a full batch may have more behind it; rows that failed are no longer due, so this ends
      if (due.size() < settings.batchSize() || r.reported() + r.skipped() + r.failed() == 0) return total;
    }
  }

  /**
   * Reports until nothing is pending, sleeping (with the injected sleeper) until the next row is due, for at most
   * {@code maxWait} of waiting in total. Returns what was done; rows still pending afterwards stay in the outbox.
   */
  public Report drain(Duration maxWait) throws InterruptedException {
    Report total = reportDue();
    long waited = 0;
    while (true) {
      OptionalLong next = billingStores.meterOutbox().nextDue();
      if (next.isEmpty()) return total;
      long wait = Math.max(0, next.getAsLong() - clock.millis());
      if (waited + wait > maxWait.toMillis()) return total;
      if (wait > 0) sleeper.sleep(Duration.ofMillis(wait));
      waited += wait;
      total = total.plus(reportDue());
    }
  }

  private Report reportOne(MeterRecord m, long now) {
    if (!billingStores.meterOutbox().claim(m.entryId(), now, now + settings.lease().toMillis())) return new Report(0, 0, 0);
    int attempt = m.attempts() + 1;
    String customer = m.customerId() != null ? m.customerId()
        : billingStores.customers().find(m.userId(), settings.provider()).orElse(null);
    if (customer == null) {
      boolean billedThere = accountStores.subscriptions().latestForUser(m.userId()).map(Subscription::provider)
          .filter(settings.provider()::equals).isPresent();
      if (billedThere) {
        billingStores.meterOutbox().retryAt(m.entryId(), clock.millis() + backoff(attempt), "no customer id yet");
        return new Report(0, 1, 0);
      }
      billingStores.meterOutbox().markSkipped(m.entryId(), "not billed by " + settings.provider(), clock.millis());
      return new Report(0, 0, 1);
    }
    try {
      sender.send(new MeterSender.MeterEvent(m.identifier(), customer, m.usdMicros(), m.timestamp() / 1000, m.userId()));
    } catch (RuntimeException e) {
      billingStores.meterOutbox().retryAt(m.entryId(), clock.millis() + backoff(attempt), e.getClass().getSimpleName());
      return new Report(0, 1, 0);
    }
    billingStores.meterOutbox().markReported(m.entryId(), customer, clock.millis());
    return new Report(1, 0, 0);
  }

  /** {@code base * 2^(attempt-1)}, capped at the maximum. */
  long backoff(int attempt) {
    long base = settings.baseBackoff().toMillis();
    long max = settings.maxBackoff().toMillis();
    int shift = Math.min(Math.max(attempt - 1, 0), 30);
    long b = base << shift;
    return b <= 0 || b > max ? max : b;
  }
}
