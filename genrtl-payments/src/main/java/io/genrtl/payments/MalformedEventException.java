package io.genrtl.payments;

import java.util.Objects;

/**
 * A verified webhook body that cannot be applied because of what it says: not the JSON its provider documents, or a
 * field genRTL reads that is missing, of the wrong type or out of range. Typed: {@link #field()} is the field's JSON
 * path ({@code data.object.id}; {@code $} for the whole body) and {@link #problem()} what is wrong with it. The message
 * names the field and the rule, never the value (it may be anything). {@link #eventId()} and {@link #eventType()} are
 * the envelope's, when they were readable and valid (null otherwise), so that the rejection can be recorded.
 */
public final class MalformedEventException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What is wrong with the field; {@link #wire()} is the machine value ({@code reason} in problem details). */
  public enum Problem {
    /** The body is not a strict JSON object in UTF-8. */
    NOT_JSON("not_json"),
    /** A field the event type needs is absent or null. */
    MISSING("missing"),
    /** A field has the wrong JSON type (a string where a number belongs, a fraction for a count, …). */
    WRONG_TYPE("wrong_type"),
    /** A number, amount or time outside the documented bounds (or a period that does not end after it starts). */
    OUT_OF_RANGE("out_of_range"),
    /** A string that is not a valid value: an id or token with characters or a length outside its pattern. */
    INVALID_VALUE("invalid_value");

    private final String wire;

    Problem(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }
  }

  private final String field;
  private final Problem problem;
  private final String eventId;
  private final String eventType;

  public MalformedEventException(String field, Problem problem, String message) {
    this(field, problem, message, null, null, null);
  }

  public MalformedEventException(String field, Problem problem, String message, Throwable cause) {
    this(field, problem, message, null, null, cause);
  }

  private MalformedEventException(String field, Problem problem, String message, String eventId, String eventType,
      Throwable cause) {
    super(message, cause);
    this.field = Objects.requireNonNull(field, "field");
    this.problem = Objects.requireNonNull(problem, "problem");
    this.eventId = eventId;
    this.eventType = eventType;
  }

  /** The same failure attributed to the event it was found in (either may be null: not readable). */
  public MalformedEventException withEvent(String eventId, String eventType) {
    MalformedEventException e = new MalformedEventException(field, problem, getMessage(), eventId, eventType, getCause());
    e.setStackTrace(getStackTrace());
    return e;
  }

  /** The offending field as a JSON path from the body's root, {@code $} for the body itself. */
  public String field() {
    return field;
  }

  public Problem problem() {
    return problem;
  }

  /** The provider's event id, when it was present and valid; else null. */
  public String eventId() {
    return eventId;
  }

  /** The provider's event type, when it was present and valid; else null. */
  public String eventType() {
    return eventType;
  }
}
