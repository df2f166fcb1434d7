package io.genrtl.core.base;

/** A store gave up waiting for a lock held by another transaction (the caller may retry later). */
public class LockWaitTimeoutException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public LockWaitTimeoutException(String message, Throwable cause) {
    super(message, cause);
  }
}
