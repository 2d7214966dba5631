package org.medfl.common.job;

/**
 * Secure aggregation (Bonawitz et al., CCS 2017): the coordinator learns only the sum of the updates.
 *
 * @param threshold T of the T-of-N secret sharing: the fewest surviving sites that can unmask a round, at least 2
 */
public record SecureAggregationSpec(int threshold) {
  public SecureAggregationSpec {
    if (threshold < 2) {
      throw JobSpecException.key("secure_aggregation.threshold", "must be at least 2, got " + threshold);
    }
  }
}
