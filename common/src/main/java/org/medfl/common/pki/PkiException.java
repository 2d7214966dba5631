package org.medfl.common.pki;

/** A certificate or key is missing, malformed or does not fit; the message names the file and the problem. */
public final class PkiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** @param message one sentence naming the file and what is wrong with it */
  public PkiException(String message) {
    super(message);
  }

  /** @param message one sentence naming the file and what is wrong with it */
  public PkiException(String message, Throwable cause) {
    super(message, cause);
  }
}
