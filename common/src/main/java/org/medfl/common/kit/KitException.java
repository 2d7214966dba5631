package org.medfl.common.kit;

/** A startup kit is missing, incomplete, modified or of the wrong role; the message names the kit and the file. */
public final class KitException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** @param message one sentence naming the kit and the file, e.g. "kit /x/site-a: startup/ca.pem is missing" */
  public KitException(String message) {
    super(message);
  }

  /** @param message one sentence naming the kit and the file */
  public KitException(String message, Throwable cause) {
    super(message, cause);
  }
}
