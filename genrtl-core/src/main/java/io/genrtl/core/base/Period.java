package io.genrtl.core.base;

import java.time.Instant;
import java.time.ZoneOffset;

/**
 * A billing period {@code [start, end)} in epoch milliseconds, and the calendar-month arithmetic that makes them:
 * periods are one calendar month long in UTC.
 */
public record Period(long start, long end) {
  public Period {
    if (end < start) throw new IllegalArgumentException("a period ends before it starts");
  }

  /** The same instant one calendar month later, in UTC (Jan 31 + 1 month = Feb 28/29). */
  public static long addMonth(long epochMillis) {
    return Instant.ofEpochMilli(epochMillis).atZone(ZoneOffset.UTC).plusMonths(1).toInstant().toEpochMilli();
  }

  /** The month that starts at {@code start}. */
  public static Period monthFrom(long start) {
    return new Period(start, addMonth(start));
  }

  /**
   * The monthly period that contains {@code now}, counted in whole months (each one {@link #addMonth} of the
   * previous start) from {@code start}; the month from {@code start} itself when {@code now} is before its end.
   */
  public static Period monthContaining(long start, long now) {
    long s = start;
    while (addMonth(s) <= now) s = addMonth(s);
    return monthFrom(s);
  }

  public boolean contains(long epochMillis) {
    return start <= epochMillis && epochMillis < end;
  }
}
