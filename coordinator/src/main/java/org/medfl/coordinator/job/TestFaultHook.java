package org.medfl.coordinator.job;

/**
 * Test fault hook, inert unless the JVM was started with {@code -Dmedfl.fault.haltAfter=POINT}: at that point of a
 * round's commit the coordinator halts at once with exit status 137, as if killed with SIGKILL (no shutdown hooks, no
 * further writes), so crash tests can hit a moment that a kill from outside could only hit by luck.
 *
 * <p>Points, in the order a commit reaches them ({@link JobStore}'s write order):
 * <ul>
 *   <li>{@value #MODEL_WRITTEN}: the round's model file is in place; the audit log and checkpoint do not name it yet;
 *   <li>{@value #BEFORE_CHECKPOINT}: checkpoint.json is about to be replaced; nothing names the round yet;
 *   <li>{@value #CHECKPOINT_WRITTEN}: checkpoint.json names the round (it is committed); its aggregate_produced
 *       audit record and job.json do not yet say so.
 * </ul>
 * {@code -Dmedfl.fault.haltRound=N} picks the round (default 1). Production never sets these properties.
 */
final class TestFaultHook {
  static final String POINT_PROPERTY = "medfl.fault.haltAfter";
  static final String ROUND_PROPERTY = "medfl.fault.haltRound";
  static final String MODEL_WRITTEN = "model-written";
  static final String BEFORE_CHECKPOINT = "before-checkpoint";
  static final String CHECKPOINT_WRITTEN = "checkpoint-written";
  /** What SIGKILL makes a JVM's exit status, so a test cannot tell the two apart. */
  static final int HALT_STATUS = 137;

  private TestFaultHook() {}

  /** Halts the JVM if the properties ask for {@code point} of {@code round}; otherwise does nothing. */
  static void reached(String point, int round) {
    if (!point.equals(System.getProperty(POINT_PROPERTY))
        || round != Integer.parseInt(System.getProperty(ROUND_PROPERTY, "1"))) {
      return;
    }
    // stderr, not the logger: nothing may run after this line, and slf4j-simple writes to stderr anyway
    System.err.println("medfl test fault hook: halting at " + point + " of round " + round);
    System.err.flush();
    Runtime.getRuntime().halt(HALT_STATUS);
  }
}
