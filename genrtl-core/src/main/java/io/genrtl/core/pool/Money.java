package io.genrtl.core.pool;

import io.genrtl.core.base.GenRtlException;
import java.math.BigDecimal;
import java.math.RoundingMode;

/** Integer micro-USD inside, decimals only at the edge; conversions are exact or refused, never floating point. */
public final class Money {
  public static final long MICROS_PER_USD = 1_000_000L;

  private Money() {}

  /** Exact micro-USD of a decimal USD amount; more than 6 decimal places or a negative amount is refused. */
  public static long toMicros(String field, BigDecimal usd) {
    if (usd.signum() < 0) throw GenRtlException.invalid(field, field + " must not be negative");
    if (usd.stripTrailingZeros().scale() > 6) throw GenRtlException.invalid(field, field + " has more than 6 decimal places");
    try {
      return usd.movePointRight(6).longValueExact();
    } catch (ArithmeticException e) {
      throw GenRtlException.invalid(field, field + " is too large");
    }
  }

  /** The decimal USD value of micro-USD, without trailing zeros (20000000 → 20, 1 → 0.000001). */
  public static BigDecimal toUsd(long micros) {
    BigDecimal d = BigDecimal.valueOf(micros, 6).stripTrailingZeros();
    return d.scale() < 0 ? d.setScale(0, RoundingMode.UNNECESSARY) : d;
  }
}
