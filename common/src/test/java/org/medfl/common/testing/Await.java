package org.medfl.common.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition that another process or thread makes true, checking often, failing after a bound. */
public final class Await {
  private static final long CHECK_EVERY_MILLIS = 50;

  private Await() {}

  /**
   * Returns as soon as {@code condition} holds.
   *
   * @throws AssertionError naming {@code what} if it does not hold within {@code timeout}
   */
  public static void until(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
    long until = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > until) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      Thread.sleep(CHECK_EVERY_MILLIS);
    }
  }
}
