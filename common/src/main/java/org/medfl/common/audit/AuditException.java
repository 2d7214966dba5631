package org.medfl.common.audit;

/** An audit log cannot be opened or continued; the message names the file and why. */
public final class AuditException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** @param message one sentence naming the file and what is wrong */
  public AuditException(String message) {
    super(message);
  }

  /** @param message one sentence naming the file and what is wrong */
  public AuditException(String message, Throwable cause) {
    super(message, cause);
  }
}
