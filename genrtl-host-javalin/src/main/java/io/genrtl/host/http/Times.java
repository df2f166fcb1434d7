package io.genrtl.host.http;

import io.genrtl.core.base.GenRtlException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * Times at the HTTP edge: an RFC 3339 timestamp with an offset ({@code 2026-01-31T12:00:00Z}) or, where a route allows
 * it, a plain date ({@code 2026-01-31}, its UTC midnight). Every time a request carries must lie in
 * {@value #RANGE} ({@link #MIN} inclusive, {@link #MAX} exclusive): a year such as {@code +999999999} parses as an
 * {@code OffsetDateTime} but has no epoch-millisecond value, and is a 400 {@code validation_failed} naming the field
 * like any other bad time.
 */
final class Times {
  static final String RANGE = "the years 1970 to 9999 (UTC)";
  static final Instant MIN = Instant.EPOCH;
  static final Instant MAX = LocalDate.of(10_000, 1, 1).atStartOfDay(ZoneOffset.UTC).toInstant();
  private static final int MAX_LENGTH = 64;

  private Times() {}

  /** An RFC 3339 timestamp with an offset, in range. */
  static Instant timestamp(String field, String text) {
    return parse(field, text, false, field + " must be an RFC 3339 timestamp such as 2026-01-31T12:00:00Z");
  }

  /** An RFC 3339 timestamp, or a date meaning its UTC midnight, in range. */
  static Instant timestampOrDate(String field, String text) {
    return parse(field, text, true,
        field + " must be an RFC 3339 timestamp (2026-01-31T00:00:00Z) or a date (2026-01-31)");
  }

  private static Instant parse(String field, String text, boolean dates, String shape) {
    if (text.length() > MAX_LENGTH) throw GenRtlException.invalid(field, shape);
    Instant t;
    try {
      t = OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      if (!dates) throw GenRtlException.invalid(field, shape);
      try {
        t = LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
      } catch (DateTimeParseException e2) {
        throw GenRtlException.invalid(field, shape);
      }
    }
    if (t.isBefore(MIN) || !t.isBefore(MAX)) throw GenRtlException.invalid(field, field + " must be within " + RANGE);
    return t;
  }
}
