package org.medfl.coordinator.round;

/** An update the coordinator refuses; the message says why in one sentence, and is also written to the audit log. */
public final class UpdateRejected extends Exception {
  private static final long serialVersionUID = 1L;

  /** Refusal with its reason. */
  public UpdateRejected(String reason) {
    super(reason);
  }
}
