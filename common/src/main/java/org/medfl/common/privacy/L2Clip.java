package org.medfl.common.privacy;

/**
 * Bounds a site's update to an L2 norm, which bounds how much any one site can move the sum: the sensitivity that the
 * Gaussian noise is scaled to (Abadi et al., "Deep Learning with Differential Privacy", CCS 2016, Algorithm 1;
 * McMahan et al., "Learning Differentially Private Recurrent Language Models", ICLR 2018, per-user clipping).
 */
public final class L2Clip {
  private L2Clip() {}

  /**
   * Scales {@code v} in place so that its L2 norm is at most {@code maxNorm}; a vector already within is left as is.
   * The norm is summed in double precision, and the result is checked after rounding to float, so the returned
   * vector never exceeds the bound the privacy guarantee relies on.
   *
   * @param maxNorm the clip norm, positive and finite
   * @return the factor applied to every coordinate: 1.0 when within, otherwise about maxNorm / norm
   * @throws IllegalArgumentException when {@code v} holds NaN or an infinity, whose norm cannot be bounded
   */
  public static double clipInPlace(float[] v, double maxNorm) {
    if (!(maxNorm > 0) || Double.isInfinite(maxNorm)) {
      throw new IllegalArgumentException("clip norm must be a positive number, got " + maxNorm);
    }
    double norm = norm(v);
    if (!Double.isFinite(norm)) {
      throw new IllegalArgumentException("cannot clip a vector that holds NaN or an infinity");
    }
    double applied = 1.0;
    for (int attempt = 0; norm > maxNorm; attempt++) {
      // Rounding each product to float can leave the norm a hair above maxNorm; shrink a little more then.
      double factor = maxNorm / norm * (attempt == 0 ? 1.0 : 1.0 - 0x1p-20 * attempt);
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) (v[i] * factor);
      }
      applied *= factor;
      norm = norm(v);
    }
    return applied;
  }

  /** The L2 norm of {@code v}, summed in double precision. */
  public static double norm(float[] v) {
    double sum = 0;
    for (float x : v) {
      sum += (double) x * x;
    }
    return Math.sqrt(sum);
  }
}
