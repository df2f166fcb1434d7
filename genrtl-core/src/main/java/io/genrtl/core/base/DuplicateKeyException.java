package io.genrtl.core.base;

/** A store refused an insert because a unique key (an id, an email, a name) is already taken. */
public class DuplicateKeyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public DuplicateKeyException(String message, Throwable cause) {
    super(message, cause);
  }
}
