package org.medfl.client.connect;

import java.util.concurrent.ThreadLocalRandom;

/** Exponential backoff with jitter, so sites that lost the coordinator together do not return in lockstep. */
public final class Backoff {
  private final long initialMillis;
  private final long maxMillis;
  private long nextMillis;

  /**
   * @param initialMillis first delay after a failure
   * @param maxMillis ceiling for the delay
   */
  public Backoff(long initialMillis, long maxMillis) {
    if (initialMillis <= 0 || maxMillis < initialMillis) {
      throw new IllegalArgumentException("need 0 < initial <= max, got " + initialMillis + ", " + maxMillis);
    }
    this.initialMillis = initialMillis;
    this.maxMillis = maxMillis;
    this.nextMillis = initialMillis;
  }

  /** The default for site agents: 0.5 s doubling up to 30 s. */
  public static Backoff standard() {
    return new Backoff(500, 30_000);
  }

  /** The delay before the next attempt (between half and all of the current step), then doubles the step. */
  public synchronized long nextDelayMillis() {
    long step = nextMillis;
    nextMillis = Math.min(maxMillis, nextMillis * 2);
    return step / 2 + ThreadLocalRandom.current().nextLong(step / 2 + 1);
  }

  /** Back to the first step after a success. */
  public synchronized void reset() {
    nextMillis = initialMillis;
  }
}
