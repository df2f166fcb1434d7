package io.genrtl.payments;

/** A verified webhook body that is not the JSON its provider documents (no id, no type, not an object). */
public final class MalformedEventException extends RuntimeException {
  public MalformedEventException(String message) {
    super(message);
  }

  public MalformedEventException(String message, Throwable cause) {
    super(message, cause);
  }
}
