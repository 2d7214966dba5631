package org.medfl.common.secagg;

import java.util.List;

/**
 * What the server learns from a secure aggregation round: the weighted sum of the surviving sites' clipped updates,
 * their total weight, and who they were; never any single site's update.
 *
 * @param weightedSum {@code sum_i w_i clip(x_i)}, within {@link SecAggParameters#quantizationErrorBound()} per
 *     coordinate (plus float rounding)
 * @param totalWeight {@code sum_i w_i}
 * @param contributors the sites whose updates are in the sum, in name order
 */
public record AggregateResult(float[] weightedSum, double totalWeight, List<String> contributors) {

  /** Copies the list of contributors. */
  public AggregateResult {
    contributors = List.copyOf(contributors);
  }

  /** The weighted mean (FedAvg): {@code weightedSum / totalWeight}; zeros when the total weight is zero. */
  public float[] mean() {
    float[] mean = new float[weightedSum.length];
    if (totalWeight > 0) {
      for (int j = 0; j < mean.length; j++) {
        mean[j] = (float) (weightedSum[j] / totalWeight);
      }
    }
    return mean;
  }
}
