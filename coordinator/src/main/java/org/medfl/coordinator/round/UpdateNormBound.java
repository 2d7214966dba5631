package org.medfl.coordinator.round;

import org.medfl.common.job.DpSpec;
import org.medfl.common.job.JobSpec;
import org.medfl.common.privacy.GaussianNoise;

/**
 * The largest L2 norm a site's update may have; anything above is evidence of a broken or hostile site (an overflowed
 * training run, a scaled-up "model replacement" update) and is refused before it reaches the aggregate.
 *
 * <ul>
 *   <li>{@code max_update_norm} in the job spec, when set, is the bound.
 *   <li>With DP the sites clip to {@code clip}, so the bound is the clip, plus, in distributed mode, the noise each
 *       site adds itself, with a 1% allowance for float rounding and other clipping code.
 *   <li>Otherwise an unclipped FedAvg delta is bounded at a root-mean-square change of {@value #DEFAULT_RMS} per
 *       parameter: orders of magnitude beyond what local training moves weights that start near 1 or below (even
 *       1000 Adam steps move each one by about 1000 learning rates), but far below the 1e30-sized values of a
 *       diverged or forged update.
 * </ul>
 */
public final class UpdateNormBound {
  /** Root-mean-square change per parameter that an update without DP may reach. */
  static final double DEFAULT_RMS = 1e4;
  /** Allowance over the DP clip for float rounding and for sites whose clipping code differs from ours. */
  static final double CLIP_TOLERANCE = 1.01;
  /**
   * Tail allowance t for a site's own Gaussian noise of deviation sigma over d values: its norm exceeds
   * sigma * (sqrt(d) + t) with probability at most exp(-t^2 / 2) (Gaussian concentration of a 1-Lipschitz function),
   * so an honest site is refused less than once in e^50 updates.
   */
  static final double NOISE_TAIL = 10;

  private UpdateNormBound() {}

  /** The bound for updates of {@code parameters} values in the job {@code spec}. */
  public static double of(JobSpec spec, long parameters) {
    if (spec.maxUpdateNorm() > 0) {
      return spec.maxUpdateNorm();
    }
    DpSpec dp = spec.dp();
    if (dp != null) {
      double sigma = GaussianNoise.siteSigma(dp.noiseMultiplier(), dp.clip(), spec.minSites(), dp.mode());
      return CLIP_TOLERANCE * (dp.clip() + sigma * (Math.sqrt(parameters) + NOISE_TAIL));
    }
    return DEFAULT_RMS * Math.sqrt(Math.max(1, parameters));
  }
}
