package org.medfl.coordinator.aggregation;

import java.util.List;

/** Pure weighted-mean math for FedAvg, testable without a network. */
public final class WeightedMean {
  private WeightedMean() {}

  /**
   * The weighted mean of equal-length vectors, computed in double precision.
   *
   * @throws IllegalArgumentException on empty input, mismatched lengths or non-positive weights
   */
  public static float[] of(List<float[]> vectors, List<Long> weights) {
    if (vectors.isEmpty() || vectors.size() != weights.size()) {
      throw new IllegalArgumentException("need one weight per vector and at least one vector");
    }
    Running running = new Running(vectors.get(0).length);
    for (int i = 0; i < vectors.size(); i++) {
      running.add(vectors.get(i), weights.get(i));
    }
    return running.mean();
  }

  /** A streaming weighted sum: add vectors one at a time, memory O(length). */
  public static final class Running {
    private final double[] sum;
    private double totalWeight;

    /** A running mean over vectors of {@code length} values. */
    public Running(int length) {
      this.sum = new double[length];
    }

    /** Adds {@code weight * vector}. */
    public void add(float[] vector, double weight) {
      if (vector.length != sum.length) {
        throw new IllegalArgumentException("vector has " + vector.length + " values, expected " + sum.length);
      }
      if (!(weight > 0) || Double.isInfinite(weight)) {
        throw new IllegalArgumentException("weight must be positive and finite, got " + weight);
      }
      for (int i = 0; i < sum.length; i++) {
        sum[i] += weight * vector[i];
      }
      totalWeight += weight;
    }

    /** Total weight added. */
    public double totalWeight() {
      return totalWeight;
    }

    /** The mean so far; {@code null} if nothing was added. */
    public float[] mean() {
      if (totalWeight == 0) {
        return null;
      }
      float[] mean = new float[sum.length];
      for (int i = 0; i < sum.length; i++) {
        mean[i] = (float) (sum[i] / totalWeight);
      }
      return mean;
    }
  }
}
