package org.medfl.common.secagg;

/**
 * A secure aggregation message that must not be used or a request that an honest party refuses: a forged signature, a
 * ciphertext that does not decrypt, a malformed encoding, or an unmasking request that would reveal an input.
 */
public final class SecAggException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** @param message one sentence naming the site or message at fault */
  public SecAggException(String message) {
    super(message);
  }

  /** @param message one sentence naming the site or message at fault; @param cause the underlying failure */
  public SecAggException(String message, Throwable cause) {
    super(message, cause);
  }
}
