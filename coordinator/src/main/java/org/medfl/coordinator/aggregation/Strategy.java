package org.medfl.coordinator.aggregation;

import java.util.List;

/**
 * A federated optimisation algorithm: picks sites, then combines their results.
 *
 * <p>The coordinator's round driver owns the loop, deadlines, checkpoints and audit; it only asks the strategy.
 */
public interface Strategy {
  /** Registry name, as written in a job spec ({@code strategy: fedavg}). */
  String name();

  /**
   * Chooses the sites that train this round from those available. A site not in the returned list does not
   * train. Returning fewer sites than the job's {@code min_sites} postpones the round.
   */
  List<String> configureTrain(RoundContext round, List<String> availableSites);

  /** Starts folding this round's updates; {@code globalModel} is the model the sites were sent. */
  Accumulator startAggregation(RoundContext round, float[] globalModel);

  /** Combines the sites' reported metrics into round metrics. */
  RoundMetrics aggregateEvaluate(RoundContext round, List<SiteReport> reports);
}
