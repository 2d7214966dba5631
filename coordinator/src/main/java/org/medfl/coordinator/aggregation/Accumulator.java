package org.medfl.coordinator.aggregation;

/**
 * Folds site updates into the next global model as they arrive.
 *
 * <p>Implementations keep memory O(model), independent of the number of sites: an update is added
 * and then forgotten. Calls to {@link #add} may come from several threads.
 */
public interface Accumulator {
  /** Adds one verified update. */
  void add(SiteUpdate update);

  /** Number of updates added so far. */
  int count();

  /** The next global model; {@code null} keeps the previous global model (nothing usable arrived). */
  float[] result();
}
