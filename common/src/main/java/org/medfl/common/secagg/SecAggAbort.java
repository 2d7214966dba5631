package org.medfl.common.secagg;

/**
 * A round that cannot finish because fewer than the threshold T of sites remain at some stage; nothing beyond the
 * messages already sent is revealed, and the round must be started again with fresh keys.
 */
public final class SecAggAbort extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final SecAggStage stage;
  private final int remaining;
  private final int threshold;

  /**
   * @param stage the stage that could not close
   * @param remaining how many sites were left at that stage
   * @param threshold T, the fewest sites the stage needs
   */
  public SecAggAbort(SecAggStage stage, int remaining, int threshold) {
    super("secure aggregation aborted at stage " + stage.label() + ": " + remaining + " sites remain, fewer than the "
        + "threshold " + threshold);
    this.stage = stage;
    this.remaining = remaining;
    this.threshold = threshold;
  }

  /** The stage that could not close. */
  public SecAggStage stage() {
    return stage;
  }

  /** How many sites were left at that stage. */
  public int remaining() {
    return remaining;
  }

  /** The threshold T the stage needed. */
  public int threshold() {
    return threshold;
  }
}
