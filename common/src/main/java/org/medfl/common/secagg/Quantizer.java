package org.medfl.common.secagg;

import java.util.SplittableRandom;

/**
 * Fixed-point encoding of a weighted update mod 2^32 with stochastic rounding (unbiased: E[SR(v)] = v), and its
 * inverse for the unmasked sum; {@link SecAggParameters#scale()} documents why the sum cannot wrap.
 */
final class Quantizer {
  private Quantizer() {}

  /**
   * {@code [SR(w*clip(x_0)*scale), ..., SR(w*clip(x_{L-1})*scale), w]}: the update, clipped, weighted and rounded,
   * then the weight itself so that the server learns the total weight.
   */
  static int[] quantize(float[] update, long weight, SecAggParameters params, SplittableRandom rounding) {
    double clip = params.clip();
    double factor = weight * params.scale();
    int[] out = new int[update.length + 1];
    for (int j = 0; j < update.length; j++) {
      float x = update[j];
      if (!Float.isFinite(x)) {
        throw new IllegalArgumentException("update coordinate " + j + " is " + x + "; only finite values can be sent");
      }
      double v = Math.max(-clip, Math.min(clip, x)) * factor;
      double floor = Math.floor(v);
      out[j] = (int) ((long) floor + (rounding.nextDouble() < v - floor ? 1 : 0));
    }
    out[update.length] = (int) weight;
    return out;
  }

  /** The weighted sum of the first L elements of an unmasked sum, read as signed integers and divided by scale. */
  static float[] weightedSum(int[] sum, SecAggParameters params) {
    double scale = params.scale();
    float[] out = new float[sum.length - 1];
    for (int j = 0; j < out.length; j++) {
      out[j] = (float) (sum[j] / scale);
    }
    return out;
  }

  /** The total weight carried by the last element. */
  static long totalWeight(int[] sum) {
    return sum[sum.length - 1];
  }
}
