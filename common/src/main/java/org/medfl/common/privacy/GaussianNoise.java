package org.medfl.common.privacy;

import java.util.Random;

/**
 * Gaussian noise for differentially private aggregation, and where it is added. The sum of the clipped site updates
 * must carry noise of standard deviation z * clip (z is the noise multiplier) for the accountant's guarantee to hold
 * (McMahan et al., "Learning Differentially Private Recurrent Language Models", ICLR 2018).
 *
 * <ul>
 *   <li><b>central</b>: the coordinator adds all of it to the sum. It sees the clipped updates without noise, so the
 *       guarantee covers the released models, not the coordinator.
 *   <li><b>distributed</b>: each of n sites adds z * clip / sqrt(n) to its own update; independent Gaussians add
 *       their variances, so the sum of n updates carries (z * clip)^2. This assumes the sites are honest about their
 *       noise: a site that adds less weakens everyone's guarantee. With secure aggregation the coordinator sees only
 *       the noisy sum; without it, it sees each update with only 1/sqrt(n) of the noise.
 * </ul>
 *
 * <p>Callers pass a {@link java.security.SecureRandom} in production, so the noise cannot be predicted and
 * subtracted, and a seeded {@link Random} in tests. Like every floating-point sampler this one is open to the
 * precision attacks of Mironov ("On Significance of the Least Significant Bits for Differential Privacy", CCS 2012).
 */
public final class GaussianNoise {
  /** The noise modes a job may name, as in {@code dp.mode}. */
  public static final String CENTRAL = "central";
  /** Each site adds its share of the noise. */
  public static final String DISTRIBUTED = "distributed";

  private GaussianNoise() {}

  /** Adds independent N(0, sigma^2) noise to every coordinate of {@code v}; sigma 0 leaves it unchanged. */
  public static void addInPlace(float[] v, double sigma, Random rng) {
    if (!(sigma >= 0) || Double.isInfinite(sigma)) {
      throw new IllegalArgumentException("noise standard deviation must be 0 or more, got " + sigma);
    }
    if (sigma == 0) {
      return;
    }
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (v[i] + sigma * rng.nextGaussian());
    }
  }

  /**
   * The standard deviation each site adds to its clipped update.
   *
   * @param noiseMultiplier z, the noise standard deviation on the sum over the clip norm
   * @param clip the L2 clip norm of each update
   * @param sites n: the fewest updates whose noise enters every aggregated sum (the job's min_sites). A round that
   *     aggregates more updates carries more noise than needed; one that aggregated fewer would carry too little.
   * @param mode "central" (0: the coordinator adds the noise) or "distributed" (z * clip / sqrt(n))
   */
  public static double siteSigma(double noiseMultiplier, double clip, int sites, String mode) {
    checkPositive("noise multiplier", noiseMultiplier);
    checkPositive("clip", clip);
    if (sites < 1) {
      throw new IllegalArgumentException("sites must be at least 1, got " + sites);
    }
    return switch (checkMode(mode)) {
      case CENTRAL -> 0.0;
      default -> noiseMultiplier * clip / Math.sqrt(sites);
    };
  }

  /** The standard deviation the coordinator adds to the sum: z * clip in central mode, 0 in distributed mode. */
  public static double coordinatorSigma(double noiseMultiplier, double clip, String mode) {
    checkPositive("noise multiplier", noiseMultiplier);
    checkPositive("clip", clip);
    return switch (checkMode(mode)) {
      case CENTRAL -> noiseMultiplier * clip;
      default -> 0.0;
    };
  }

  private static String checkMode(String mode) {
    if (!CENTRAL.equals(mode) && !DISTRIBUTED.equals(mode)) {
      throw new IllegalArgumentException("noise mode must be central or distributed, got '" + mode + "'");
    }
    return mode;
  }

  private static void checkPositive(String name, double value) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(name + " must be a positive number, got " + value);
    }
  }
}
