package org.medfl.client.data;

/** A site's data directory that cannot be used at all; the message names the directory and what was expected. */
public final class DataException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** @param message one sentence naming the directory */
  public DataException(String message) {
    super(message);
  }

  /** @param message one sentence naming the directory @param cause the I/O failure behind it */
  public DataException(String message, Throwable cause) {
    super(message, cause);
  }
}
