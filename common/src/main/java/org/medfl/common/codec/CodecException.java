package org.medfl.common.codec;

/** A received parameter vector that must not be used: wrong shape, out-of-order chunks or a digest mismatch. */
public final class CodecException extends Exception {

  private static final long serialVersionUID = 1L;

  /** @param message one sentence saying what was wrong with the vector */
  public CodecException(String message) {
    super(message);
  }
}
